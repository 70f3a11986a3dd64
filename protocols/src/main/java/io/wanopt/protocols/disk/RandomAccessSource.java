package io.wanopt.protocols.disk;

import java.io.Closeable;
import java.io.IOException;

/**
 * Bytes that can be read at any offset: a local file, a file on an NFS or SMB server, a guest disk seen
 * through a VMDK, or a partition of one. The map parsers read only through this, so they serve every
 * kind of storage alike.
 */
public interface RandomAccessSource extends Closeable {

    /**
     * Reads up to {@code len} bytes at {@code offset} into {@code dst[dstOff..]}. Returns how many were
     * read: fewer than {@code len} only where the source ends, -1 when {@code offset} is at or past the end.
     */
    int read(long offset, byte[] dst, int dstOff, int len) throws IOException;

    /** The number of bytes in the source. */
    long size() throws IOException;

    /** Closes what this source owns; a view over another source owns nothing. */
    @Override
    default void close() throws IOException {
    }
}
