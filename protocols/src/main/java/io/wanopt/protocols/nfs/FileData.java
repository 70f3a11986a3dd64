package io.wanopt.protocols.nfs;

import io.wanopt.protocols.nfs.v3.Read3Res;
import io.wanopt.protocols.nfs.v3.Write3Args;
import io.wanopt.protocols.nfs.v4.Compound4Args;
import io.wanopt.protocols.nfs.v4.Compound4Res;
import io.wanopt.protocols.nfs.v4.CompoundFileFlow;
import io.wanopt.protocols.nfs.v4.Nfs4ArgOp;
import io.wanopt.protocols.nfs.v4.Nfs4ResOp;
import io.wanopt.protocols.oncrpc.PayloadRange;
import java.util.ArrayList;
import java.util.List;

/**
 * File data carried in an NFS message: the data of a READ reply or WRITE call (NFSv3, or each READ/WRITE
 * of an NFSv4 COMPOUND), where it lies in the record payload and which file bytes it is. This is what
 * {@link FileBlockCuts} cuts.
 *
 * @param file       the file, or null when the message does not reveal its handle (an NFSv4 WRITE after
 *                   OPEN or LOOKUP in the same COMPOUND)
 * @param fileOffset file offset of the data's first byte (unsigned)
 * @param data       the data's place in the record payload
 * @param written    true for WRITE data (client to server), false for READ data
 */
public record FileData(FileHandle file, long fileOffset, PayloadRange data, boolean written) {

    /** The file data in {@code message}, in payload order; empty when it carries none. */
    public static List<FileData> of(NfsMessage message) {
        List<FileData> found = new ArrayList<>(1);
        if (message instanceof NfsCall call) {
            if (call.arguments() instanceof Write3Args write) {
                found.add(new FileData(write.file(), write.offset(), write.data(), true));
            } else if (call.arguments() instanceof Compound4Args compound) {
                for (CompoundFileFlow.Step step : CompoundFileFlow.of(compound).steps()) {
                    if (step.operation() instanceof Nfs4ArgOp.Write write) {
                        found.add(new FileData(step.currentFh(), write.offset(), write.data(), true));
                    }
                }
            }
        } else if (message instanceof NfsReply reply) {
            if (reply.result() instanceof Read3Res read && read.data() != null) {
                found.add(new FileData(read.request().file(), read.request().offset(), read.data(), false));
            } else if (reply.result() instanceof Compound4Res compound) {
                for (CompoundFileFlow.Step step : CompoundFileFlow.of(compound).steps()) {
                    if (step.result() instanceof Nfs4ResOp.Read read && read.data() != null
                            && step.operation() instanceof Nfs4ArgOp.Read args) {
                        found.add(new FileData(step.currentFh(), args.offset(), read.data(), false));
                    }
                }
            }
        }
        return found;
    }
}
