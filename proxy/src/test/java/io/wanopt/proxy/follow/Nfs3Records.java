package io.wanopt.proxy.follow;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** NFSv3 records for follower tests (RFC 5531 §9 and RFC 1813 §3.3), each as one last fragment. */
final class Nfs3Records {

    static final byte[] FILE_HANDLE = "vm-disk-handle-01".getBytes(StandardCharsets.US_ASCII);
    static final byte[] DIRECTORY_HANDLE = "export-root-handle".getBytes(StandardCharsets.US_ASCII);

    /**
     * What a regular file's {@code fattr3} (RFC 1813 §2.6) says of its version: size, mtime and ctime
     * (whole seconds); the rest is fixed.
     */
    record Attributes(long size, int mtimeSeconds, int ctimeSeconds) {

        /** The same file changed a second later. */
        Attributes changed() {
            return new Attributes(size, mtimeSeconds + 1, ctimeSeconds + 1);
        }

        /** {@code post_op_attr} with attributes: TRUE, then fattr3. */
        private void putPostOp(ByteBuffer buffer) {
            buffer.putInt(1);
            buffer.putInt(1).putInt(0644).putInt(1).putInt(1000).putInt(1000); // type REG, mode, nlink, uid, gid
            buffer.putLong(size).putLong(size); // size, used
            buffer.putInt(0).putInt(0); // rdev
            buffer.putLong(0x5eed).putLong(42); // fsid, fileid
            buffer.putInt(mtimeSeconds).putInt(0); // atime, as mtime
            buffer.putInt(mtimeSeconds).putInt(0); // mtime
            buffer.putInt(ctimeSeconds).putInt(0); // ctime
        }
    }

    private Nfs3Records() {
    }

    /** CALL to NFSv3 LOOKUP (§3.3.3) of {@code name} in {@link #DIRECTORY_HANDLE} with AUTH_NONE. */
    static byte[] lookupCall(int xid, String name) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer call = callHeader(xid, 3, 64 + nameBytes.length);
        putOpaque(call, DIRECTORY_HANDLE);
        putOpaque(call, nameBytes);
        return record(call);
    }

    /**
     * REPLY to LOOKUP, NFS3_OK: {@link #FILE_HANDLE} with its attributes (none when null), no
     * directory attributes.
     */
    static byte[] lookupReply(int xid, Attributes attributes) {
        ByteBuffer reply = acceptedReply(xid, 200);
        reply.putInt(0);
        putOpaque(reply, FILE_HANDLE);
        if (attributes == null) {
            reply.putInt(0);
        } else {
            attributes.putPostOp(reply);
        }
        reply.putInt(0);
        return record(reply);
    }

    /** CALL to NFSv3 READ (§3.3.6) of {@link #FILE_HANDLE} with AUTH_NONE. */
    static byte[] readCall(int xid, long offset, int count) {
        ByteBuffer call = callHeader(xid, 6, 64);
        putOpaque(call, FILE_HANDLE);
        call.putLong(offset).putInt(count);
        return record(call);
    }

    /**
     * CALL to NFSv3 READ under RPCSEC_GSS (RFC 2203 §5): credential version 1, RPCSEC_GSS_DATA,
     * sequence number, rpc_gss_svc_none, a context handle; the verifier a checksum of the header.
     */
    static byte[] readCallUnderRpcsecGss(int xid, long offset, int count) {
        ByteBuffer call = ByteBuffer.allocate(256);
        call.putInt(xid).putInt(0).putInt(2).putInt(100003).putInt(3).putInt(6);
        call.putInt(6).putInt(24).putInt(1).putInt(0).putInt(xid).putInt(1).putInt(4).putInt(0x0c0ffee0);
        call.putInt(6).putInt(8).putLong(0x5eed5eed5eedL);
        putOpaque(call, FILE_HANDLE);
        call.putLong(offset).putInt(count);
        return record(call);
    }

    /** CALL to NFSv3 WRITE (§3.3.7) of {@link #FILE_HANDLE}, FILE_SYNC, with AUTH_NONE. */
    static byte[] writeCall(int xid, long offset, byte[] data) {
        ByteBuffer call = callHeader(xid, 7, 64 + data.length);
        putOpaque(call, FILE_HANDLE);
        call.putLong(offset).putInt(data.length).putInt(2);
        putOpaque(call, data);
        return record(call);
    }

    /** REPLY, MSG_ACCEPTED, SUCCESS, NFS3_OK, no attributes, count, eof, data. */
    static byte[] readReply(int xid, byte[] data) {
        ByteBuffer reply = ByteBuffer.allocate(64 + data.length);
        reply.putInt(xid).putInt(1).putInt(0).putInt(0).putInt(0).putInt(0);
        reply.putInt(0).putInt(0).putInt(data.length).putInt(0);
        putOpaque(reply, data);
        return record(reply);
    }

    /** REPLY to READ, NFS3_OK, with the file's attributes, count, eof, data. */
    static byte[] readReply(int xid, Attributes attributes, byte[] data, boolean eof) {
        ByteBuffer reply = acceptedReply(xid, 200 + data.length);
        reply.putInt(0);
        attributes.putPostOp(reply);
        reply.putInt(data.length).putInt(eof ? 1 : 0);
        putOpaque(reply, data);
        return record(reply);
    }

    /** REPLY to READ with an error {@code status} (e.g. 5, NFS3ERR_IO) and no attributes. */
    static byte[] readErrorReply(int xid, int status) {
        ByteBuffer reply = acceptedReply(xid, 64);
        reply.putInt(status).putInt(0);
        return record(reply);
    }

    /** REPLY, MSG_ACCEPTED, SUCCESS, NFS3_OK, no wcc data, count, FILE_SYNC, verifier. */
    static byte[] writeReply(int xid, int count) {
        ByteBuffer reply = ByteBuffer.allocate(64);
        reply.putInt(xid).putInt(1).putInt(0).putInt(0).putInt(0).putInt(0);
        reply.putInt(0).putInt(0).putInt(0).putInt(count).putInt(2).putLong(7);
        return record(reply);
    }

    /** REPLY, MSG_ACCEPTED, AUTH_NONE verifier, SUCCESS; the results follow. */
    private static ByteBuffer acceptedReply(int xid, int resultsLength) {
        ByteBuffer reply = ByteBuffer.allocate(24 + resultsLength);
        reply.putInt(xid).putInt(1).putInt(0).putInt(0).putInt(0).putInt(0);
        return reply;
    }

    private static ByteBuffer callHeader(int xid, int procedure, int argumentsLength) {
        ByteBuffer call = ByteBuffer.allocate(64 + argumentsLength);
        call.putInt(xid).putInt(0).putInt(2).putInt(100003).putInt(3).putInt(procedure);
        call.putInt(0).putInt(0).putInt(0).putInt(0);
        return call;
    }

    private static void putOpaque(ByteBuffer buffer, byte[] bytes) {
        buffer.putInt(bytes.length).put(bytes);
        buffer.put(new byte[(4 - bytes.length % 4) % 4]);
    }

    private static byte[] record(ByteBuffer message) {
        int length = message.position();
        byte[] bytes = new byte[4 + length];
        ByteBuffer.wrap(bytes).putInt(0x8000_0000 | length).put(message.array(), 0, length);
        return bytes;
    }
}
