package io.wanopt.protocols.nfs;

import io.netty.buffer.ByteBuf;
import io.wanopt.protocols.nfs.v3.Read3Args;
import io.wanopt.protocols.nfs.v4.Compound4Args;
import io.wanopt.protocols.nfs.v4.Nfs4ArgOp;
import io.wanopt.protocols.oncrpc.AuthFlavor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A READ call that a proxy may send again at another offset on the client's behalf: an NFSv3 READ
 * (RFC 1813 §3.3.6) or an NFSv4.0 COMPOUND of exactly PUTFH and READ (RFC 7530 §16.23), with
 * AUTH_NONE or AUTH_SYS credentials (which carry no per-call state, unlike RPCSEC_GSS), whose
 * arguments end with the READ's {@code offset} (uint64) and {@code count} (uint32). NFSv4.1 calls
 * open with SEQUENCE, whose slot sequence ids the server checks, so they are never replayed.
 *
 * <p>The call is kept as its RPC payload (record marking removed). Two calls that differ only in XID
 * have equal {@link #signature()}s; two that differ only in XID and offset have equal {@link #streamKey()}s.
 */
public final class ReplayableRead {

    private static final long NFS3_READ = 6;
    /** {@code offset4} (8 bytes) and {@code count4} (4 bytes) end the arguments. */
    private static final int OFFSET_FROM_END = 12;
    private static final int COUNT_FROM_END = 4;
    private static final int XID_LENGTH = 4;

    private static final int RPC_REPLY = 1;
    private static final int NFS4_OP_PUTFH = 22;
    private static final int NFS4_OP_READ = 25;

    private final FileHandle file;
    private final long offset;
    private final long count;
    private final byte[] payload;
    /** The COMPOUND's tag (NFSv4), null for NFSv3. */
    private final String tag;

    private ReplayableRead(FileHandle file, long offset, long count, byte[] payload, String tag) {
        this.file = file;
        this.offset = offset;
        this.count = count;
        this.payload = payload;
        this.tag = tag;
    }

    /**
     * The replayable READ that {@code call} is, or null when it is none.
     *
     * @param payload the call's RPC payload (not consumed)
     */
    public static ReplayableRead of(NfsCall call, ByteBuf payload) {
        AuthFlavor flavor = call.rpc().credential().flavor();
        if (!flavor.equals(AuthFlavor.AUTH_NONE) && !flavor.equals(AuthFlavor.AUTH_SYS)) {
            return null;
        }
        FileHandle file;
        long offset;
        long count;
        String tag = null;
        if (call.program() == NfsProgram.NFS_V3 && call.rpc().procedure() == NFS3_READ
                && call.arguments() instanceof Read3Args read) {
            file = read.file();
            offset = read.offset();
            count = read.count();
        } else if (call.program() == NfsProgram.NFS_V4 && call.arguments() instanceof Compound4Args compound
                && compound.minorVersion() == 0 && compound.isComplete() && compound.operations().size() == 2
                && compound.operations().get(0) instanceof Nfs4ArgOp.Putfh putfh
                && compound.operations().get(1) instanceof Nfs4ArgOp.Read read) {
            file = putfh.object();
            offset = read.offset();
            count = read.count();
            tag = compound.tag();
        } else {
            return null;
        }
        int length = payload.readableBytes();
        int start = payload.readerIndex();
        // The offset and count must be the call's last bytes, so that replaying changes only them.
        if (length < OFFSET_FROM_END + XID_LENGTH || payload.getLong(start + length - OFFSET_FROM_END) != offset
                || payload.getUnsignedInt(start + length - COUNT_FROM_END) != count || count == 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        payload.getBytes(start, bytes);
        return new ReplayableRead(file, offset, count, bytes, tag);
    }

    /** Parses a payload this class produced ({@link #payloadWith}); null when it is not a replayable READ. */
    public static ReplayableRead parse(NfsConversation conversation, ByteBuf payload) {
        return conversation.decode(payload.duplicate()) instanceof NfsCall call ? of(call, payload) : null;
    }

    public FileHandle file() {
        return file;
    }

    public long offset() {
        return offset;
    }

    public long count() {
        return count;
    }

    public int xid() {
        return (payload[0] & 0xFF) << 24 | (payload[1] & 0xFF) << 16 | (payload[2] & 0xFF) << 8 | payload[3] & 0xFF;
    }

    /** The same call with another XID and offset, as an RPC payload. */
    public byte[] payloadWith(int xid, long newOffset) {
        byte[] copy = payload.clone();
        putInt(copy, 0, xid);
        int at = copy.length - OFFSET_FROM_END;
        putInt(copy, at, (int) (newOffset >>> 32));
        putInt(copy, at + 4, (int) newOffset);
        return copy;
    }

    /**
     * The RPC payload of a successful reply to this call with XID {@code xid} carrying {@code count}
     * zero bytes: an accepted reply (RFC 5531 §9, AUTH_NONE verifier) holding READ3resok without
     * attributes (RFC 1813 §3.3.6), or a COMPOUND4res (RFC 7530 §16.2) of PUTFH and READ4resok.
     */
    public byte[] zeroReply(int xid, int count, boolean eof) {
        byte[] tagBytes = tag == null ? null : tag.getBytes(StandardCharsets.UTF_8);
        int padded = (count + 3) & ~3;
        int length = 24 + (tag == null ? 20 : 36 + ((tagBytes.length + 3) & ~3)) + padded;
        ByteBuffer reply = ByteBuffer.allocate(length);
        reply.putInt(xid).putInt(RPC_REPLY).putInt(0).putInt(0).putInt(0).putInt(0);
        if (tag == null) {
            reply.putInt(0).putInt(0).putInt(count).putInt(eof ? 1 : 0);
        } else {
            reply.putInt(0).putInt(tagBytes.length).put(tagBytes).position(reply.position() + ((4 - tagBytes.length % 4) % 4));
            reply.putInt(2).putInt(NFS4_OP_PUTFH).putInt(0).putInt(NFS4_OP_READ).putInt(0).putInt(eof ? 1 : 0);
        }
        reply.putInt(count);
        return reply.array();
    }

    /** The call without its XID: equal for the same READ of the same range with the same credentials. */
    public Key signature() {
        return new Key(payloadWith(0, offset));
    }

    /** The call without its XID and offset: equal for the READs of one sequential reader. */
    public Key streamKey() {
        return new Key(payloadWith(0, 0));
    }

    private static void putInt(byte[] bytes, int at, int value) {
        bytes[at] = (byte) (value >>> 24);
        bytes[at + 1] = (byte) (value >>> 16);
        bytes[at + 2] = (byte) (value >>> 8);
        bytes[at + 3] = (byte) value;
    }

    @Override
    public String toString() {
        return "READ " + file + " offset " + offset + " count " + count;
    }

    /** Call bytes compared by value. */
    public static final class Key {
        private final byte[] bytes;
        private final int hash;

        private Key(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && key.hash == hash && Arrays.equals(key.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
