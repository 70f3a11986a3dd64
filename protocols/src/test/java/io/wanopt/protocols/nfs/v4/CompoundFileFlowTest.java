package io.wanopt.protocols.nfs.v4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.wanopt.protocols.nfs.Conversations;
import io.wanopt.protocols.nfs.FileData;
import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.NfsCall;
import io.wanopt.protocols.nfs.NfsConversation;
import io.wanopt.protocols.nfs.NfsReply;
import io.wanopt.protocols.oncrpc.XdrWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompoundFileFlowTest {

    private static final byte[] DIR = {1, 1, 1, 1};
    private static final byte[] FILE = {2, 2, 2, 2};
    private static final byte[] OTHER = {3, 3, 3, 3};

    private final NfsConversation conversation = Conversations.create();

    @Test
    void aHandleRevealedByGetfhIsKnownSinceTheOpenThatMovedToIt() {
        Conversations.call(conversation, new Compound4Builder()
                .op(Nfs4Op.PUTFH, w -> w.opaque(DIR))
                .op(Nfs4Op.OPEN, w -> w.u32(0).u32(1).u32(0).u64(1).opaque(new byte[0]).u32(0).u32(0).string("vm-flat.vmdk"))
                .op(Nfs4Op.READ, w -> {
                    Compound4Builder.stateid(w, 1);
                    w.u64(0).u32(4);
                })
                .op(Nfs4Op.GETFH).call(1, 0));
        NfsReply reply = Conversations.reply(conversation, new Compound4Builder().ok(Nfs4Op.PUTFH)
                .result(Nfs4Op.OPEN, 0, w -> {
                    Compound4Builder.stateid(w, 1);
                    w.bool(true).u64(1).u64(2).u32(0).u32(0).u32(0);
                })
                .result(Nfs4Op.READ, 0, w -> w.bool(false).opaque(new byte[] {9, 9, 9, 9}))
                .result(Nfs4Op.GETFH, 0, w -> w.opaque(FILE)).reply(1, 0));
        CompoundFileFlow flow = CompoundFileFlow.of((Compound4Res) reply.result());
        List<CompoundFileFlow.Step> steps = flow.steps();
        assertEquals(FileHandle.of(DIR), steps.get(0).currentFh());
        assertEquals(FileHandle.of(FILE), steps.get(1).currentFh());
        assertEquals(FileHandle.of(FILE), steps.get(2).currentFh());
        assertEquals(List.of(new CompoundFileFlow.NameBinding(FileHandle.of(DIR), "vm-flat.vmdk", FileHandle.of(FILE))),
                flow.names());
        FileData data = FileData.of(reply).get(0);
        assertEquals(FileHandle.of(FILE), data.file());
        assertEquals(4, data.data().length());
    }

    @Test
    void lookupPathsSaveAndRestoreAndGetattrFilehandle() {
        Conversations.call(conversation, new Compound4Builder()
                .op(Nfs4Op.PUTROOTFH).op(Nfs4Op.GETFH)
                .op(Nfs4Op.LOOKUP, w -> w.string("export"))
                .op(Nfs4Op.SAVEFH)
                .op(Nfs4Op.LOOKUP, w -> w.string("disk.vmdk"))
                .op(Nfs4Op.GETATTR, w -> w.u32(1).u32(1 << 19))
                .op(Nfs4Op.RESTOREFH)
                .op(Nfs4Op.GETFH).call(2, 0));
        NfsReply reply = Conversations.reply(conversation, new Compound4Builder().ok(Nfs4Op.PUTROOTFH)
                .result(Nfs4Op.GETFH, 0, w -> w.opaque(OTHER))
                .ok(Nfs4Op.LOOKUP).ok(Nfs4Op.SAVEFH).ok(Nfs4Op.LOOKUP)
                .result(Nfs4Op.GETATTR, 0, w -> w.u32(1).u32(1 << 19).opaque(new XdrWriter()
                        .opaque(FILE).toBytes()))
                .ok(Nfs4Op.RESTOREFH)
                .result(Nfs4Op.GETFH, 0, w -> w.opaque(DIR)).reply(2, 0));
        CompoundFileFlow flow = CompoundFileFlow.of((Compound4Res) reply.result());
        assertEquals(List.of(new CompoundFileFlow.NameBinding(FileHandle.of(OTHER), "export", FileHandle.of(DIR)),
                new CompoundFileFlow.NameBinding(FileHandle.of(DIR), "disk.vmdk", FileHandle.of(FILE))), flow.names());
        assertEquals(FileHandle.of(DIR), flow.steps().get(7).currentFh());
    }

    @Test
    void nothingMovesFromTheFailedOperationOn() {
        Conversations.call(conversation, new Compound4Builder().op(Nfs4Op.PUTFH, w -> w.opaque(DIR))
                .op(Nfs4Op.LOOKUP, w -> w.string("gone")).op(Nfs4Op.GETFH).call(3, 0));
        NfsReply reply = Conversations.reply(conversation, new Compound4Builder().ok(Nfs4Op.PUTFH)
                .result(Nfs4Op.LOOKUP, 2, w -> { }).reply(3, 2));
        CompoundFileFlow flow = CompoundFileFlow.of((Compound4Res) reply.result());
        assertEquals(FileHandle.of(DIR), flow.steps().get(0).currentFh());
        assertNull(flow.steps().get(1).currentFh());
        assertEquals(Nfs4Status.NFS4ERR_NOENT, flow.steps().get(1).result().status());
        assertNull(flow.steps().get(2).result());
        assertEquals(List.of(), flow.names());
    }

    @Test
    void aWriteCallResolvesItsFileFromPutfhAlone() {
        NfsCall call = Conversations.call(conversation, new Compound4Builder().op(Nfs4Op.PUTFH, w -> w.opaque(FILE))
                .op(Nfs4Op.WRITE, w -> {
                    Compound4Builder.stateid(w, 1);
                    w.u64(32768).u32(0).opaque(new byte[8]);
                })
                .op(Nfs4Op.LOOKUP, w -> w.string("x"))
                .op(Nfs4Op.WRITE, w -> {
                    Compound4Builder.stateid(w, 1);
                    w.u64(0).u32(0).opaque(new byte[4]);
                }).call(4, 0));
        List<FileData> data = FileData.of(call);
        assertEquals(2, data.size());
        assertEquals(new FileData(FileHandle.of(FILE), 32768, data.get(0).data(), true), data.get(0));
        assertNull(data.get(1).file());
    }
}
