package io.wanopt.protocols.nfs.v4;

import io.wanopt.protocols.oncrpc.XdrWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Fluent COMPOUND4args / COMPOUND4res payloads for tests: each op is its opcode plus what a lambda writes. */
final class Compound4Builder {

    private final List<Consumer<XdrWriter>> ops = new ArrayList<>();

    Compound4Builder op(Nfs4Op op, Consumer<XdrWriter> body) {
        ops.add(writer -> {
            writer.i32(op.code());
            body.accept(writer);
        });
        return this;
    }

    Compound4Builder op(Nfs4Op op) {
        return op(op, writer -> { });
    }

    /** A result: opcode, status and body. */
    Compound4Builder result(Nfs4Op op, int status, Consumer<XdrWriter> body) {
        return op(op, writer -> {
            writer.u32(status);
            body.accept(writer);
        });
    }

    Compound4Builder ok(Nfs4Op op) {
        return result(op, 0, writer -> { });
    }

    byte[] call(int xid, long minorVersion) {
        XdrWriter writer = new XdrWriter().callAuthSys(xid, XdrWriter.NFS, 4, 1, 0, 0).string("tag").u32(minorVersion)
                .u32(ops.size());
        ops.forEach(op -> op.accept(writer));
        return writer.toBytes();
    }

    byte[] reply(int xid, int status) {
        XdrWriter writer = new XdrWriter().reply(xid).u32(status).string("tag").u32(ops.size());
        ops.forEach(op -> op.accept(writer));
        return writer.toBytes();
    }

    static void stateid(XdrWriter writer, int seqid) {
        writer.u32(seqid).fixed(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    }

    /** fattr4 with the attributes 4 (size) and 53 (time_modify), after supported_attrs (0) and owner (36). */
    static void sizeAndMtime(XdrWriter writer, long size, long seconds) {
        byte[] values = new XdrWriter().u32(2).u32(0xFFFF_FFFFL).u32(3).u64(size).string("root@localdomain")
                .u64(seconds).u32(5).toBytes();
        writer.u32(2).u32(1 | 1 << 4).u32(1 << (36 - 32) | 1 << (53 - 32)).opaque(values);
    }
}
