package io.wanopt.protocols.disk;

import io.wanopt.protocols.MalformedInputException;
import java.io.IOException;

/**
 * Reads of lengths and offsets that come from on-disk headers: each is checked against a cap and the
 * source's size before anything is allocated, so a corrupt header gives a {@link MalformedInputException}
 * and never a huge allocation.
 */
public final class SourceReads {

    private SourceReads() {
    }

    /**
     * The {@code length} bytes at {@code offset}, where {@code what} names them in errors and
     * {@code cap} bounds {@code length}.
     */
    public static byte[] read(RandomAccessSource source, long offset, long length, long cap, String what)
            throws IOException {
        if (length < 0 || length > cap) {
            throw MalformedInputException.outOfRange(what + " length", length, cap, offset);
        }
        long size = source.size();
        if (offset < 0 || offset > size) {
            throw MalformedInputException.outOfRange(what + " offset", offset, size, offset);
        }
        if (length > size - offset) {
            throw MalformedInputException.truncated(what, length, size - offset, offset);
        }
        byte[] bytes = new byte[(int) length];
        readFully(source, offset, bytes, 0, bytes.length, what);
        return bytes;
    }

    /** Fills {@code dst[dstOff, dstOff + len)} from {@code offset}; the source ending early is an error. */
    public static void readFully(RandomAccessSource source, long offset, byte[] dst, int dstOff, int len, String what)
            throws IOException {
        int done = 0;
        while (done < len) {
            int n = source.read(offset + done, dst, dstOff + done, len - done);
            if (n <= 0) {
                throw MalformedInputException.truncated(what, len, done, offset);
            }
            done += n;
        }
    }

    /** Unsigned little-endian 16-bit value at {@code at}. */
    public static int u16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    /** Unsigned little-endian 32-bit value at {@code at}. */
    public static long u32(byte[] b, int at) {
        return (u16(b, at) | (long) u16(b, at + 2) << 16) & 0xffffffffL;
    }

    /** Little-endian 64-bit value at {@code at} (callers check the sign where it matters). */
    public static long u64(byte[] b, int at) {
        return u32(b, at) | u32(b, at + 4) << 32;
    }
}
