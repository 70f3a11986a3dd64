package io.wanopt.protocols.oncrpc;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Fluent XDR (RFC 4506) builder for test fixtures, with RPC header and record-marking helpers. */
public final class XdrWriter {

    public static final long NFS = 100_003;
    public static final long MOUNT = 100_005;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public XdrWriter i32(int value) {
        out.write(value >>> 24);
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
        return this;
    }

    public XdrWriter u32(long value) {
        return i32((int) value);
    }

    public XdrWriter u64(long value) {
        return i32((int) (value >>> 32)).i32((int) value);
    }

    public XdrWriter bool(boolean value) {
        return i32(value ? 1 : 0);
    }

    /** Fixed-length opaque: the bytes and padding to 4. */
    public XdrWriter fixed(byte[] bytes) {
        out.writeBytes(bytes);
        out.writeBytes(new byte[(4 - bytes.length % 4) % 4]);
        return this;
    }

    /** Variable-length opaque: length, bytes, padding. */
    public XdrWriter opaque(byte[] bytes) {
        return u32(bytes.length).fixed(bytes);
    }

    public XdrWriter string(String text) {
        return opaque(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Bytes as they are, no padding. */
    public XdrWriter raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    /** CALL header with AUTH_NONE credential and verifier. */
    public XdrWriter call(int xid, long program, long version, long procedure) {
        return i32(xid).i32(0).u32(2).u32(program).u32(version).u32(procedure).i32(0).opaque(new byte[0]).i32(0)
                .opaque(new byte[0]);
    }

    /** CALL header with an AUTH_SYS credential (stamp 7, machine "client", no extra groups). */
    public XdrWriter callAuthSys(int xid, long program, long version, long procedure, long uid, long gid) {
        byte[] body = new XdrWriter().u32(7).string("client").u32(uid).u32(gid).u32(1).u32(gid).toBytes();
        return i32(xid).i32(0).u32(2).u32(program).u32(version).u32(procedure).i32(1).opaque(body).i32(0)
                .opaque(new byte[0]);
    }

    /** CALL header with an RPCSEC_GSS credential (DATA, integrity service). */
    public XdrWriter callGss(int xid, long program, long version, long procedure) {
        byte[] body = new XdrWriter().u32(1).u32(0).u32(1).u32(2).opaque(new byte[] {1, 2, 3, 4}).toBytes();
        return i32(xid).i32(0).u32(2).u32(program).u32(version).u32(procedure).i32(6).opaque(body).i32(6)
                .opaque(new byte[8]);
    }

    /** REPLY header: MSG_ACCEPTED, AUTH_NONE verifier, SUCCESS. */
    public XdrWriter reply(int xid) {
        return i32(xid).i32(1).i32(0).i32(0).opaque(new byte[0]).i32(0);
    }

    public byte[] toBytes() {
        return out.toByteArray();
    }

    /** {@code payload} as one record of one last fragment. */
    public static byte[] record(byte[] payload) {
        return new XdrWriter().i32(0x8000_0000 | payload.length).raw(payload).toBytes();
    }

    /** {@code payload} as one record cut into fragments of the given lengths (which must add up). */
    public static byte[] recordInFragments(byte[] payload, int... lengths) {
        if (Arrays.stream(lengths).sum() != payload.length) {
            throw new IllegalArgumentException("fragment lengths " + Arrays.toString(lengths) + " do not add up to "
                    + payload.length);
        }
        XdrWriter writer = new XdrWriter();
        int position = 0;
        for (int i = 0; i < lengths.length; i++) {
            int header = lengths[i] | (i == lengths.length - 1 ? 0x8000_0000 : 0);
            writer.i32(header).raw(Arrays.copyOfRange(payload, position, position + lengths[i]));
            position += lengths[i];
        }
        return writer.toBytes();
    }

    /** Concatenation. */
    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }
}
