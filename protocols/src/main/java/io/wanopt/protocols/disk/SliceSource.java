package io.wanopt.protocols.disk;

import io.wanopt.protocols.MalformedInputException;
import java.io.IOException;

/** A window {@code [start, start + length)} of another source, e.g. a partition of a guest disk. */
public final class SliceSource implements RandomAccessSource {

    private final RandomAccessSource base;
    private final long start;
    private final long length;

    /** A view of {@code base}; throws when the window reaches past its end. */
    public SliceSource(RandomAccessSource base, long start, long length) throws IOException {
        long baseSize = base.size();
        if (start < 0 || length < 0 || start > baseSize || length > baseSize - start) {
            throw MalformedInputException.outOfRange("slice end", start + length, baseSize, start);
        }
        this.base = base;
        this.start = start;
        this.length = length;
    }

    @Override
    public int read(long offset, byte[] dst, int dstOff, int len) throws IOException {
        if (offset >= length) {
            return -1;
        }
        return base.read(start + offset, dst, dstOff, (int) Math.min(len, length - offset));
    }

    @Override
    public long size() {
        return length;
    }
}
