package io.wanopt.protocols.nfs;

import io.netty.buffer.ByteBufUtil;
import io.wanopt.protocols.oncrpc.XdrReader;
import java.util.Arrays;

/**
 * An NFS file handle: opaque bytes chosen by the server (RFC 1813 §2.3.3 {@code nfs_fh3}, at most
 * 64 bytes; RFC 7530 §2.2.1 {@code nfs_fh4}, at most 128). Immutable, compared by content, so it can key
 * maps of names, attributes and cached data.
 */
public final class FileHandle {

    /** RFC 1813 {@code NFS3_FHSIZE}. */
    public static final int NFS3_MAX_LENGTH = 64;
    /** RFC 7530 {@code NFS4_FHSIZE}. */
    public static final int NFS4_MAX_LENGTH = 128;

    private final byte[] bytes;

    private FileHandle(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A handle with a copy of {@code bytes}. */
    public static FileHandle of(byte[] bytes) {
        return new FileHandle(bytes.clone());
    }

    /** Reads an {@code opaque<maxLength>} file handle. */
    public static FileHandle read(XdrReader xdr, String what, int maxLength) {
        return new FileHandle(xdr.readOpaqueBytes(what, maxLength));
    }

    public int length() {
        return bytes.length;
    }

    /** A copy of the handle's bytes. */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FileHandle handle && Arrays.equals(bytes, handle.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** The bytes in hex, as tshark shows them. */
    @Override
    public String toString() {
        return "fh:" + ByteBufUtil.hexDump(bytes);
    }
}
