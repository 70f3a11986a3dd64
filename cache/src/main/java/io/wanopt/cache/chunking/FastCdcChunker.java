package io.wanopt.cache.chunking;

import io.netty.buffer.ByteBuf;
import io.wanopt.config.ChunkingSettings;
import java.util.SplittableRandom;

/**
 * Content-defined chunking in the style of FastCDC (Xia et al., 2016/2020): a Gear rolling hash,
 * cut-point skipping of the first {@code minSize} bytes, and normalized chunking at level 2 (a mask
 * with two more bits below the average size, two fewer above), which narrows the size distribution
 * around the average. Boundaries depend only on the content since the chunk start, so an insert or
 * delete shifts only the chunks around it and the sequence re-synchronises after it.
 *
 * <p>Stateless and thread-safe: a caller that has not seen a boundary yet calls again from the same
 * chunk start once more bytes have arrived, and gets the same answer it would have got at once.
 */
public final class FastCdcChunker {

    /** Gear table: 256 fixed pseudo-random 64-bit values; both ends must use the same table. */
    private static final long[] GEAR = gearTable(0x5741_4E4F_5054_4344L);

    /** Normalization level 2: masks have log2(average) plus or minus two bits. */
    private static final int NORMALIZATION_LEVEL = 2;

    private final int minSize;
    private final int averageSize;
    private final int maxSize;
    /** Stricter mask used between minSize and averageSize. */
    private final long maskSmall;
    /** Looser mask used between averageSize and maxSize. */
    private final long maskLarge;
    /** Copy of a non-array ByteBuf's bytes, so one scan loop serves every buffer kind. */
    private final ThreadLocal<byte[]> scratch;

    public FastCdcChunker(ChunkingSettings settings) {
        int min = settings.minSize();
        int average = settings.averageSize();
        int max = settings.maxSize();
        if (min < 64) {
            throw new IllegalArgumentException("chunking min-size: " + min + " (expected: >= 64)");
        }
        if (Integer.bitCount(average) != 1) {
            throw new IllegalArgumentException("chunking average-size: " + average + " (expected: a power of two)");
        }
        if (!(min < average && average < max)) {
            throw new IllegalArgumentException("chunking sizes: min-size " + min + ", average-size " + average
                    + ", max-size " + max + " (expected: min-size < average-size < max-size)");
        }
        this.minSize = min;
        this.averageSize = average;
        this.maxSize = max;
        int bits = Integer.numberOfTrailingZeros(average);
        // The top bits of a left-shifting Gear hash depend on the most bytes (up to 64), so the masks
        // take their bits from the top.
        this.maskSmall = topBits(Math.min(63, bits + NORMALIZATION_LEVEL));
        this.maskLarge = topBits(Math.max(1, bits - NORMALIZATION_LEVEL));
        this.scratch = ThreadLocal.withInitial(() -> new byte[max]);
    }

    public int minSize() {
        return minSize;
    }

    public int averageSize() {
        return averageSize;
    }

    public int maxSize() {
        return maxSize;
    }

    /**
     * The length of the chunk that starts at {@code index}, given {@code available} readable bytes
     * from there. Returns -1 when no boundary is found yet, fewer than maxSize bytes are available
     * and more input may follow; at the end of input the unbounded tail ({@code available}, possibly
     * shorter than minSize) is the last chunk. Never more than maxSize. Does not move the indices.
     */
    public int nextChunkLength(ByteBuf buf, int index, int available, boolean endOfInput) {
        checkRange(index, available, buf.capacity());
        if (buf.hasArray()) {
            return nextChunkLength(buf.array(), buf.arrayOffset() + index, available, endOfInput);
        }
        int scanned = Math.min(available, maxSize);
        byte[] copy = scratch.get();
        buf.getBytes(index, copy, 0, scanned);
        return decide(cutPoint(copy, 0, scanned), available, endOfInput);
    }

    /** As {@link #nextChunkLength(ByteBuf, int, int, boolean)} for {@code data} from {@code offset}. */
    public int nextChunkLength(byte[] data, int offset, int available, boolean endOfInput) {
        checkRange(offset, available, data.length);
        return decide(cutPoint(data, offset, Math.min(available, maxSize)), available, endOfInput);
    }

    private int decide(int cut, int available, boolean endOfInput) {
        if (cut > 0) {
            return cut;
        }
        if (available >= maxSize) {
            return maxSize;
        }
        return endOfInput ? available : -1;
    }

    /** The boundary within {@code length <= maxSize} bytes from {@code offset}, or 0 when there is none. */
    private int cutPoint(byte[] data, int offset, int length) {
        long[] gear = GEAR;
        long hash = 0;
        int normalEnd = offset + Math.min(averageSize, length);
        int end = offset + length;
        int i = offset + minSize;
        long mask = maskSmall;
        for (; i < normalEnd; i++) {
            hash = (hash << 1) + gear[data[i] & 0xff];
            if ((hash & mask) == 0) {
                return i + 1 - offset;
            }
        }
        mask = maskLarge;
        for (; i < end; i++) {
            hash = (hash << 1) + gear[data[i] & 0xff];
            if ((hash & mask) == 0) {
                return i + 1 - offset;
            }
        }
        return 0;
    }

    private static void checkRange(int offset, int available, int capacity) {
        if (offset < 0 || available < 0 || offset > capacity - available) {
            throw new IndexOutOfBoundsException("chunking range: offset " + offset + ", available " + available
                    + " (capacity: " + capacity + ')');
        }
    }

    private static long topBits(int count) {
        return -1L << (Long.SIZE - count);
    }

    private static long[] gearTable(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] table = new long[256];
        for (int i = 0; i < table.length; i++) {
            table[i] = random.nextLong();
        }
        return table;
    }
}
