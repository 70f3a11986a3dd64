package io.wanopt.protocols.nfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class FileBlockCutsTest {

    private static final int CHUNK = FileBlockCuts.DEFAULT_CHUNK_SIZE;

    @Test
    void cutsAtFileOffsetsThatAreMultiplesOfTheChunkSize() {
        assertArrayEquals(new int[] {27_768, 60_536}, FileBlockCuts.cuts(5_000, 65_000, CHUNK));
        assertArrayEquals(new int[] {CHUNK, 2 * CHUNK, 3 * CHUNK}, FileBlockCuts.cuts(0, 4 * CHUNK, CHUNK));
        assertArrayEquals(new int[] {CHUNK}, FileBlockCuts.cuts(CHUNK, CHUNK + 1, CHUNK));
        assertArrayEquals(new int[0], FileBlockCuts.cuts(1, CHUNK - 1, CHUNK));
        assertArrayEquals(new int[0], FileBlockCuts.cuts(123, 0, CHUNK));
    }

    @Test
    void anOddReadCutsAtTheSameFilePositionsAsAnAlignedOne() {
        long alignedStart = 1L << 20;
        TreeSet<Long> aligned = fileCuts(alignedStart, 1 << 20);
        for (long[] odd : new long[][] {{alignedStart + 1, 500_000}, {alignedStart + 4095, 777_777}, {alignedStart + 40_000, 12}}) {
            for (long cut : fileCuts(odd[0], (int) odd[1])) {
                assertEquals(true, aligned.contains(cut), "cut " + cut + " of read at " + odd[0]);
            }
        }
    }

    @Test
    void offsetsAreUnsigned() {
        long nearTheTop = -CHUNK - 10; // 2^64 - 32768 - 10
        assertArrayEquals(new int[] {10}, FileBlockCuts.cuts(nearTheTop, 20, CHUNK));
    }

    @Test
    void chunkSizesAreMultiplesOfTheBlockSize() {
        assertArrayEquals(new int[] {4096 - 100}, FileBlockCuts.cuts(100, 5000, 4096));
        assertThrows(IllegalArgumentException.class, () -> FileBlockCuts.cuts(0, 10, 5000));
        assertThrows(IllegalArgumentException.class, () -> FileBlockCuts.cuts(0, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> FileBlockCuts.cuts(0, -1, CHUNK));
    }

    private static TreeSet<Long> fileCuts(long fileOffset, int length) {
        TreeSet<Long> cuts = new TreeSet<>();
        Arrays.stream(FileBlockCuts.cuts(fileOffset, length, CHUNK)).forEach(cut -> cuts.add(fileOffset + cut));
        cuts.forEach(cut -> assertEquals(0, cut % CHUNK));
        return cuts;
    }
}
