package io.wanopt.cache.chunking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.wanopt.config.ChunkingSettings;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FastCdcChunkerTest {

    private static final int MIN = 2048;
    private static final int AVERAGE = 8192;
    private static final int MAX = 65536;
    private static final FastCdcChunker CHUNKER = new FastCdcChunker(new ChunkingSettings(MIN, AVERAGE, MAX));

    private static byte[] random(long seed, int length) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    /** Chunk lengths of all of {@code data}, given at once. */
    private static List<Integer> chunk(byte[] data) {
        List<Integer> lengths = new ArrayList<>();
        int offset = 0;
        while (offset < data.length) {
            int length = CHUNKER.nextChunkLength(data, offset, data.length - offset, true);
            lengths.add(length);
            offset += length;
        }
        return lengths;
    }

    /** Start offsets of the chunks. */
    private static List<Integer> boundaries(List<Integer> lengths) {
        List<Integer> starts = new ArrayList<>();
        int offset = 0;
        for (int length : lengths) {
            starts.add(offset);
            offset += length;
        }
        return starts;
    }

    @Test
    void sameInputGivesSameChunks() {
        byte[] data = random(1, 1 << 20);
        assertEquals(chunk(data), chunk(data.clone()));
    }

    @Test
    void sizesStayWithinBoundsExceptTheTail() {
        byte[] data = random(2, 4 << 20);
        List<Integer> lengths = chunk(data);
        for (int i = 0; i < lengths.size() - 1; i++) {
            int length = lengths.get(i);
            assertTrue(length >= MIN && length <= MAX, "chunk " + i + " has length " + length);
        }
        assertTrue(lengths.get(lengths.size() - 1) <= MAX);
        assertEquals(data.length, lengths.stream().mapToInt(Integer::intValue).sum());
    }

    @Test
    void meanSizeIsNearTheAverage() {
        byte[] data = random(3, 8 << 20);
        List<Integer> lengths = chunk(data);
        double mean = (double) data.length / lengths.size();
        assertTrue(mean > AVERAGE * 0.7 && mean < AVERAGE * 1.3, "mean chunk size " + mean);
    }

    @Test
    void insertResynchronises() {
        byte[] data = random(4, 4 << 20);
        int editAt = data.length / 2 + 12345;
        byte[] edited = new byte[data.length + 1];
        System.arraycopy(data, 0, edited, 0, editAt);
        edited[editAt] = 42;
        System.arraycopy(data, editAt, edited, editAt + 1, data.length - editAt);
        assertResynchronised(data, edited, editAt, 1);
    }

    @Test
    void deleteResynchronises() {
        byte[] data = random(5, 4 << 20);
        int editAt = data.length / 2 + 777;
        byte[] edited = new byte[data.length - 1];
        System.arraycopy(data, 0, edited, 0, editAt);
        System.arraycopy(data, editAt + 1, edited, editAt, data.length - editAt - 1);
        assertResynchronised(data, edited, editAt, -1);
    }

    /** Boundaries before the edit are the same; after it at most 3 chunks of the original are cut differently. */
    private static void assertResynchronised(byte[] original, byte[] edited, int editAt, int shift) {
        List<Integer> before = boundaries(chunk(original));
        Set<Integer> after = new HashSet<>();
        for (int start : boundaries(chunk(edited))) {
            after.add(start < editAt ? start : start - shift);
        }
        int differing = 0;
        for (int start : before) {
            if (!after.contains(start)) {
                assertTrue(start > editAt - MAX, "boundary " + start + " moved far before the edit at " + editAt);
                differing++;
            }
        }
        assertTrue(differing <= 3, differing + " chunk boundaries differ after an edit at " + editAt);
    }

    @Test
    void piecewiseFeedingGivesTheSameChunks() {
        byte[] data = random(6, 1 << 20);
        Random pieces = new Random(7);
        List<Integer> lengths = new ArrayList<>();
        int start = 0;
        int received = 0;
        while (start < data.length) {
            received = Math.min(data.length, received + 1 + pieces.nextInt(20_000));
            boolean end = received == data.length;
            int length;
            while (start < received && (length = CHUNKER.nextChunkLength(data, start, received - start, end)) > 0) {
                lengths.add(length);
                start += length;
            }
        }
        assertEquals(chunk(data), lengths);
    }

    @Test
    void allZeroInputGivesMaxSizeChunks() {
        byte[] zeros = new byte[10 * MAX + 100];
        List<Integer> lengths = chunk(zeros);
        assertEquals(11, lengths.size());
        for (int i = 0; i < 10; i++) {
            assertEquals(MAX, lengths.get(i));
        }
        assertEquals(100, lengths.get(10));
    }

    @Test
    void waitsForMoreInputUntilMaxSizeOrEnd() {
        byte[] zeros = new byte[MAX];
        assertEquals(-1, CHUNKER.nextChunkLength(zeros, 0, MAX - 1, false));
        assertEquals(MAX - 1, CHUNKER.nextChunkLength(zeros, 0, MAX - 1, true));
        assertEquals(MAX, CHUNKER.nextChunkLength(zeros, 0, MAX, false));
        assertEquals(-1, CHUNKER.nextChunkLength(zeros, 0, 10, false));
        assertEquals(10, CHUNKER.nextChunkLength(zeros, 0, 10, true));
        assertEquals(0, CHUNKER.nextChunkLength(zeros, 0, 0, true));
    }

    @Test
    void byteBufsOfEveryKindAgreeWithArrays() {
        byte[] data = random(8, 300_000);
        ByteBuf heap = Unpooled.wrappedBuffer(data);
        ByteBuf direct = Unpooled.directBuffer(data.length + 10).writeZero(10).writeBytes(data);
        ByteBuf composite = Unpooled.wrappedBuffer(Unpooled.copiedBuffer(data, 0, 1000),
                Unpooled.directBuffer().writeBytes(data, 1000, data.length - 1000));
        try {
            int offset = 0;
            while (offset < data.length) {
                int available = data.length - offset;
                int expected = CHUNKER.nextChunkLength(data, offset, available, true);
                assertEquals(expected, CHUNKER.nextChunkLength(heap, offset, available, true));
                assertEquals(expected, CHUNKER.nextChunkLength(direct, offset + 10, available, true));
                assertEquals(expected, CHUNKER.nextChunkLength(composite, offset, available, true));
                offset += expected;
            }
            assertEquals(data.length, offset);
        } finally {
            heap.release();
            direct.release();
            composite.release();
        }
    }

    @Test
    void rejectsBadSettingsNamingTheValues() {
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> new FastCdcChunker(new ChunkingSettings(32, 8192, 65536)));
        assertTrue(small.getMessage().contains("32"), small.getMessage());
        IllegalArgumentException notPowerOfTwo = assertThrows(IllegalArgumentException.class,
                () -> new FastCdcChunker(new ChunkingSettings(2048, 6000, 65536)));
        assertTrue(notPowerOfTwo.getMessage().contains("6000"), notPowerOfTwo.getMessage());
        IllegalArgumentException order = assertThrows(IllegalArgumentException.class,
                () -> new FastCdcChunker(new ChunkingSettings(16384, 8192, 65536)));
        assertTrue(order.getMessage().contains("16384") && order.getMessage().contains("8192"), order.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FastCdcChunker(new ChunkingSettings(2048, 8192, 8192)));
    }

    @Test
    void rejectsRangesOutsideTheInput() {
        byte[] data = new byte[100];
        assertThrows(IndexOutOfBoundsException.class, () -> CHUNKER.nextChunkLength(data, 50, 51, true));
        assertThrows(IndexOutOfBoundsException.class, () -> CHUNKER.nextChunkLength(data, -1, 10, true));
    }
}
