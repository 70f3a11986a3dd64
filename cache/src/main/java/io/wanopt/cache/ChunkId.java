package io.wanopt.cache;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A chunk's identity: the SHA-256 of its bytes. A cryptographic 256-bit id, because a collision
 * would silently deliver wrong bytes.
 */
public final class ChunkId {

    /** Length of an id on the wire and on disk. */
    public static final int LENGTH = 32;

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    });

    private final byte[] digest;
    private final int hash;

    private ChunkId(byte[] digest) {
        this.digest = digest;
        this.hash = (digest[0] & 0xff) << 24 | (digest[1] & 0xff) << 16 | (digest[2] & 0xff) << 8 | (digest[3] & 0xff);
    }

    /** Wraps a 32-byte digest; the array must not be changed afterwards. */
    public static ChunkId wrap(byte[] digest) {
        if (digest.length != LENGTH) {
            throw new IllegalArgumentException("chunk id length: " + digest.length + " (expected: " + LENGTH + ')');
        }
        return new ChunkId(digest);
    }

    /** Reads 32 bytes at the reader index and advances it. */
    public static ChunkId read(ByteBuf in) {
        byte[] digest = new byte[LENGTH];
        in.readBytes(digest);
        return new ChunkId(digest);
    }

    /** The id of {@code length} bytes of {@code data} from {@code index}; indices are not moved. */
    public static ChunkId of(ByteBuf data, int index, int length) {
        MessageDigest sha = SHA256.get();
        if (data.hasArray()) {
            sha.update(data.array(), data.arrayOffset() + index, length);
        } else if (data.nioBufferCount() == 1) {
            sha.update(data.internalNioBuffer(index, length));
        } else {
            for (ByteBuffer part : data.nioBuffers(index, length)) {
                sha.update(part);
            }
        }
        return new ChunkId(sha.digest());
    }

    /** The id of {@code length} bytes of {@code data} from {@code offset}. */
    public static ChunkId of(byte[] data, int offset, int length) {
        MessageDigest sha = SHA256.get();
        sha.update(data, offset, length);
        return new ChunkId(sha.digest());
    }

    /** Whether {@code length} bytes of {@code data} from {@code offset} hash to this id. */
    public boolean matches(byte[] data, int offset, int length) {
        MessageDigest sha = SHA256.get();
        sha.update(data, offset, length);
        return MessageDigest.isEqual(digest, sha.digest());
    }

    /** Writes the 32 bytes at the writer index. */
    public void writeTo(ByteBuf out) {
        out.writeBytes(digest);
    }

    /** A copy of the 32 digest bytes. */
    public byte[] toBytes() {
        return digest.clone();
    }

    /** Copies the digest into {@code target} at {@code offset}. */
    public void copyTo(byte[] target, int offset) {
        System.arraycopy(digest, 0, target, offset, LENGTH);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ChunkId that && hash == that.hash && Arrays.equals(digest, that.digest);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(digest);
    }
}
