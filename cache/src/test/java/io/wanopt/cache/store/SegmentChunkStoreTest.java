package io.wanopt.cache.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.cache.ChunkId;
import io.wanopt.config.StoreSettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentChunkStoreTest {

    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;

    @TempDir
    Path directory;

    private StoreSettings settings(long diskBudget, long segmentSize, long memoryCache, long writeQueue) {
        return new StoreSettings(directory.resolve("store"), diskBudget, segmentSize, memoryCache, writeQueue);
    }

    private StoreSettings roomySettings() {
        return settings(64 * MIB, 4 * MIB, 4 * MIB, 1 * MIB);
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] data = new byte[length];
        random.nextBytes(data);
        return data;
    }

    private static ChunkId idOf(byte[] data) {
        return ChunkId.of(data, 0, data.length);
    }

    private static void put(ChunkStore store, byte[] data) throws IOException {
        store.put(idOf(data), data, 0, data.length);
    }

    private static List<byte[]> chunks(long seed, int count, int length) {
        Random random = new Random(seed);
        List<byte[]> chunks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            chunks.add(randomBytes(random, length));
        }
        return chunks;
    }

    private long segmentFileCount(SegmentChunkStore store) throws IOException {
        try (Stream<Path> files = Files.list(store.segmentDirectory())) {
            return files.filter(file -> file.toString().endsWith(".seg")).count();
        }
    }

    @Test
    void putGetContainsRoundTrip() throws IOException {
        List<byte[]> chunks = chunks(1, 100, 3000);
        try (SegmentChunkStore store = SegmentChunkStore.open(roomySettings())) {
            for (byte[] chunk : chunks) {
                put(store, chunk);
            }
            byte[] framed = new byte[5000];
            System.arraycopy(chunks.get(0), 0, framed, 1000, 3000);
            store.put(idOf(chunks.get(0)), framed, 1000, 3000);
            for (byte[] chunk : chunks) {
                assertTrue(store.contains(idOf(chunk)));
                assertArrayEquals(chunk, store.get(idOf(chunk)));
            }
            ChunkId absent = idOf(new byte[] {1, 2, 3});
            assertFalse(store.contains(absent));
            assertNull(store.get(absent));

            store.flush();
            store.clearMemoryTier();
            for (byte[] chunk : chunks) {
                assertArrayEquals(chunk, store.get(idOf(chunk)));
            }
            ChunkStoreStats stats = store.stats();
            assertEquals(100, stats.chunks());
            assertEquals(100, stats.diskHits());
            assertEquals(100, stats.memoryHits());
            assertEquals(1, stats.misses());
            assertEquals(100 * (3000 + SegmentFile.HEADER_LENGTH), stats.diskBytes());
            assertEquals(64 * MIB, stats.diskBudget());
        }
    }

    @Test
    void getFindsAChunkBeforeTheWriterHasStoredIt() throws IOException {
        GatedKeyValueStorage index = new GatedKeyValueStorage();
        byte[] chunk = chunks(2, 1, 5000).get(0);
        try (SegmentChunkStore store = SegmentChunkStore.open(roomySettings(), index)) {
            try {
                put(store, chunk);
                assertArrayEquals(chunk, store.get(idOf(chunk)));
                store.clearMemoryTier();
                assertTrue(store.contains(idOf(chunk)));
                assertArrayEquals(chunk, store.get(idOf(chunk)), "found in the pending writes");
                assertEquals(0, store.stats().chunks());
                assertTrue(store.queuedWriteBytes() > 0);
            } finally {
                index.open();
            }
            store.flush();
            store.clearMemoryTier();
            assertArrayEquals(chunk, store.get(idOf(chunk)));
            assertEquals(1, store.stats().diskHits());
        }
    }

    @Test
    void contentEpochAndPeerKnowledgeSurviveReopen() throws IOException {
        List<byte[]> chunks = chunks(3, 50, 2000);
        byte[] peerEpoch = randomBytes(new Random(4), 16);
        byte[] epoch;
        try (SegmentChunkStore store = SegmentChunkStore.open(roomySettings())) {
            epoch = store.epoch();
            PeerKnowledge peer = store.peer("dc1", peerEpoch);
            for (byte[] chunk : chunks) {
                put(store, chunk);
                peer.learn(idOf(chunk));
            }
        }
        try (SegmentChunkStore store = SegmentChunkStore.open(roomySettings())) {
            assertArrayEquals(epoch, store.epoch());
            assertEquals(50, store.stats().chunks());
            PeerKnowledge peer = store.peer("dc1", peerEpoch);
            for (byte[] chunk : chunks) {
                assertArrayEquals(chunk, store.get(idOf(chunk)));
                assertTrue(peer.holds(idOf(chunk)));
            }
            assertEquals(50, store.stats().diskHits());
            // Appending continues after the reopen, in the segment left unfinished.
            byte[] more = chunks(5, 1, 2000).get(0);
            put(store, more);
            store.flush();
            assertEquals(1, segmentFileCount(store));
        }
    }

    @Test
    void aWipedStoreHasANewEpochAndNothingOld() throws IOException {
        byte[] chunk = chunks(6, 1, 1000).get(0);
        byte[] first;
        try (SegmentChunkStore store = SegmentChunkStore.open(roomySettings())) {
            first = store.epoch();
            assertEquals(16, first.length);
            put(store, chunk);
        }
        try (Stream<Path> files = Files.walk(directory.resolve("store"))) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
        byte[] second;
        try (SegmentChunkStore store = SegmentChunkStore.open(roomySettings())) {
            second = store.epoch();
            assertFalse(java.util.Arrays.equals(first, second));
            assertFalse(store.contains(idOf(chunk)));
            put(store, chunk);
        }
        // Segments without the index that gave them an epoch are stale: wiped, and a new epoch made.
        try (Stream<Path> files = Files.walk(directory.resolve("store").resolve("index"))) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
        try (SegmentChunkStore store = SegmentChunkStore.open(roomySettings())) {
            assertFalse(java.util.Arrays.equals(second, store.epoch()));
            assertEquals(0, segmentFileCount(store));
            assertFalse(store.contains(idOf(chunk)));
            assertEquals(0, store.stats().diskBytes());
        }
    }

    @Test
    void peerKnowledgeIsPerPeerAndPerEpoch() throws IOException {
        ChunkId id = idOf(new byte[] {9, 9, 9});
        ChunkId other = idOf(new byte[] {8, 8, 8});
        byte[] epochOne = new byte[16];
        byte[] epochTwo = new byte[16];
        epochTwo[0] = 1;
        try (SegmentChunkStore store = SegmentChunkStore.open(roomySettings())) {
            PeerKnowledge dc1 = store.peer("dc1", epochOne);
            dc1.learn(id);
            assertTrue(dc1.holds(id));
            assertFalse(dc1.holds(other));
            assertTrue(store.peer("dc1", epochOne).holds(id));
            assertFalse(store.peer("dc2", epochOne).holds(id));

            assertFalse(store.peer("dc1", epochTwo).holds(id), "a peer with a new epoch holds nothing");
            assertFalse(store.peer("dc1", epochOne).holds(id), "what was known under the old epoch is gone");
        }
    }

    @Test
    void evictionDropsTheOldestSegmentsWithTheirIndexAndKnowledge() throws IOException {
        long segmentSize = 16 * KIB;
        long budget = 64 * KIB;
        List<byte[]> chunks = chunks(7, 400, 1024);
        byte[] peerEpoch = new byte[16];
        try (SegmentChunkStore store = SegmentChunkStore.open(settings(budget, segmentSize, 0, 8 * KIB))) {
            PeerKnowledge peer = store.peer("dc1", peerEpoch);
            for (int i = 0; i < 30; i++) {
                put(store, chunks.get(i));
                peer.learn(idOf(chunks.get(i)));
            }
            store.flush();
            // Chunk 0 is learned again, into a newer segment: dropping its first segment must keep it.
            store.forget(idOf(chunks.get(0)));
            put(store, chunks.get(0));
            for (int i = 30; i < 70; i++) {
                put(store, chunks.get(i));
                peer.learn(idOf(chunks.get(i)));
            }
            store.flush();

            ChunkStoreStats stats = store.stats();
            assertTrue(stats.evictedSegments() >= 1, stats.toString());
            assertTrue(stats.diskBytes() <= budget, stats.toString());
            assertArrayEquals(chunks.get(0), store.get(idOf(chunks.get(0))));
            assertFalse(store.contains(idOf(chunks.get(1))));
            assertFalse(peer.holds(idOf(chunks.get(1))));
            int dropped = 0;
            while (!store.contains(idOf(chunks.get(1 + dropped)))) {
                assertFalse(peer.holds(idOf(chunks.get(1 + dropped))));
                dropped++;
            }
            assertEquals(dropped, stats.evictedChunks(), "the dropped chunks are the oldest ones: " + stats);
            for (int i = 1 + dropped; i < 70; i++) {
                assertArrayEquals(chunks.get(i), store.get(idOf(chunks.get(i))), "chunk " + i);
                assertTrue(peer.holds(idOf(chunks.get(i))));
            }
            assertEquals(70 - dropped, stats.chunks());

            for (int i = 70; i < 400; i++) {
                put(store, chunks.get(i));
            }
            store.flush();
            assertTrue(store.stats().diskBytes() <= budget);
            assertTrue(segmentFileCount(store) <= budget / segmentSize + 1);
            assertArrayEquals(chunks.get(399), store.get(idOf(chunks.get(399))));
            assertFalse(store.contains(idOf(chunks.get(0))));
        }
    }

    @Test
    void clearDropsEveryChunkAndItsKnowledgeAndTheStoreGoesOn() throws Exception {
        List<byte[]> chunks = chunks(9, 120, 1024);
        byte[] epochBefore;
        try (SegmentChunkStore store = SegmentChunkStore.open(settings(64 * MIB, 16 * KIB, 64 * KIB, 8 * KIB))) {
            epochBefore = store.epoch();
            PeerKnowledge peer = store.peer("dc1", new byte[16]);
            for (int i = 0; i < 100; i++) {
                put(store, chunks.get(i));
                peer.learn(idOf(chunks.get(i)));
            }
            store.flush();
            assertEquals(100, store.clear().get(10, java.util.concurrent.TimeUnit.SECONDS));
            ChunkStoreStats stats = store.stats();
            assertEquals(0, stats.chunks(), stats.toString());
            assertEquals(0, stats.diskBytes(), stats.toString());
            assertEquals(1, segmentFileCount(store), "only the new, empty segment");
            for (int i = 0; i < 100; i++) {
                assertFalse(store.contains(idOf(chunks.get(i))));
                assertNull(store.get(idOf(chunks.get(i))), "not even from the memory tier");
                assertFalse(peer.holds(idOf(chunks.get(i))));
            }
            assertArrayEquals(epochBefore, store.epoch(), "the epoch stays");
            for (int i = 100; i < 120; i++) {
                put(store, chunks.get(i));
            }
            store.flush();
            assertArrayEquals(chunks.get(119), store.get(idOf(chunks.get(119))));
            assertEquals(20, store.stats().chunks());
        }
        try (SegmentChunkStore store = SegmentChunkStore.open(settings(64 * MIB, 16 * KIB, 64 * KIB, 8 * KIB))) {
            assertEquals(20, store.stats().chunks(), "a clear survives a restart");
            assertFalse(store.contains(idOf(chunks.get(0))));
        }
    }

    @Test
    void aChunkCorruptedOnDiskIsReturnedAsStoredAndCanBeForgotten() throws IOException {
        byte[] chunk = chunks(8, 1, 1000).get(0);
        ChunkId id = idOf(chunk);
        try (SegmentChunkStore store = SegmentChunkStore.open(roomySettings())) {
            put(store, chunk);
            store.flush();
            try (FileChannel segment = FileChannel.open(store.segmentDirectory().resolve("00000001.seg"),
                    StandardOpenOption.WRITE)) {
                segment.write(ByteBuffer.wrap(new byte[] {(byte) ~chunk[10]}), SegmentFile.HEADER_LENGTH + 10);
            }
            store.clearMemoryTier();
            byte[] read = store.get(id);
            assertNotNull(read);
            assertEquals(chunk.length, read.length);
            assertFalse(id.matches(read, 0, read.length));

            store.forget(id);
            assertFalse(store.contains(id));
            assertNull(store.get(id));
            assertEquals(0, store.stats().chunks());

            put(store, chunk);
            store.flush();
            store.clearMemoryTier();
            assertArrayEquals(chunk, store.get(id));
        }
    }

    @Test
    void aTornRecordAtTheEndIsTruncatedOnOpen() throws IOException {
        List<byte[]> chunks = chunks(9, 10, 1500);
        Path segment;
        long size;
        try (SegmentChunkStore store = SegmentChunkStore.open(roomySettings())) {
            for (byte[] chunk : chunks) {
                put(store, chunk);
            }
            store.flush();
            segment = store.segmentDirectory().resolve("00000001.seg");
        }
        size = Files.size(segment);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer torn = ByteBuffer.allocate(SegmentFile.HEADER_LENGTH + 100);
            torn.putInt(SegmentFile.MAGIC).put(new byte[32]).putInt(5000).put(new byte[100]).flip();
            channel.write(torn);
        }
        byte[] more = chunks(10, 1, 1500).get(0);
        try (SegmentChunkStore store = SegmentChunkStore.open(roomySettings())) {
            assertEquals(size, Files.size(segment));
            assertEquals(size, store.stats().diskBytes());
            for (byte[] chunk : chunks) {
                assertArrayEquals(chunk, store.get(idOf(chunk)));
            }
            put(store, more);
        }
        try (SegmentChunkStore store = SegmentChunkStore.open(roomySettings())) {
            assertArrayEquals(more, store.get(idOf(more)));
            assertEquals(11, store.stats().chunks());
        }
    }

    @Test
    void aFullWriteQueueHoldsPutsBackAndStaysBounded() throws Exception {
        long writeQueue = 8 * KIB;
        List<byte[]> chunks = chunks(11, 2000, 1024);
        try (SegmentChunkStore store = SegmentChunkStore.open(settings(64 * MIB, 1 * MIB, 64 * KIB, writeQueue))) {
            AtomicBoolean putting = new AtomicBoolean(true);
            AtomicLong mostQueued = new AtomicLong();
            Thread sampler = new Thread(() -> {
                while (putting.get()) {
                    mostQueued.accumulateAndGet(store.queuedWriteBytes(), Math::max);
                }
            });
            sampler.start();
            ExecutorService threads = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int first = t * 500;
                    done.add(threads.submit(() -> {
                        for (int i = first; i < first + 500; i++) {
                            put(store, chunks.get(i));
                        }
                        return null;
                    }));
                }
                for (Future<?> future : done) {
                    future.get(30, TimeUnit.SECONDS);
                }
            } finally {
                putting.set(false);
                threads.shutdownNow();
                sampler.join();
            }
            assertTrue(mostQueued.get() <= writeQueue, "queued " + mostQueued.get() + " bytes");
            assertTrue(mostQueued.get() > 0);
            store.flush();
            assertEquals(0, store.queuedWriteBytes());
            store.clearMemoryTier();
            for (byte[] chunk : chunks) {
                assertArrayEquals(chunk, store.get(idOf(chunk)));
            }
            assertEquals(2000, store.stats().chunks());
        }
    }

    @Test
    void concurrentPutsAndGetsOfTenThousandChunks() throws Exception {
        int threadCount = 4;
        int perThread = 2500;
        Random random = new Random(12);
        List<byte[]> chunks = new ArrayList<>();
        for (int i = 0; i < threadCount * perThread; i++) {
            chunks.add(randomBytes(random, 200 + random.nextInt(1800)));
        }
        try (SegmentChunkStore store = SegmentChunkStore.open(settings(64 * MIB, 1 * MIB, 256 * KIB, 64 * KIB))) {
            ExecutorService threads = Executors.newFixedThreadPool(threadCount);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threadCount; t++) {
                    int thread = t;
                    done.add(threads.submit(() -> {
                        Random reads = new Random(thread);
                        for (int i = thread; i < chunks.size(); i += threadCount) {
                            put(store, chunks.get(i));
                            // Each thread also puts a neighbour's chunk (a duplicate put) and reads back
                            // one it has put before.
                            put(store, chunks.get(i - thread));
                            byte[] earlier = chunks.get(thread + threadCount * reads.nextInt(i / threadCount + 1));
                            assertArrayEquals(earlier, store.get(idOf(earlier)));
                        }
                        return null;
                    }));
                }
                for (Future<?> future : done) {
                    future.get(60, TimeUnit.SECONDS);
                }
            } finally {
                threads.shutdownNow();
            }
            store.flush();
            assertEquals(chunks.size(), store.stats().chunks());
            store.clearMemoryTier();
            for (byte[] chunk : chunks) {
                assertArrayEquals(chunk, store.get(idOf(chunk)));
            }
        }
    }

    @Test
    void aClosedStoreRefusesWork() throws IOException {
        SegmentChunkStore store = SegmentChunkStore.open(roomySettings());
        store.close();
        store.close();
        byte[] chunk = {1};
        assertThrows(IOException.class, () -> put(store, chunk));
        assertThrows(IOException.class, () -> store.get(idOf(chunk)));
    }

    @Test
    void rejectsBadSettingsNamingTheValues() {
        IllegalArgumentException segment = assertThrows(IllegalArgumentException.class,
                () -> SegmentChunkStore.open(settings(MIB, 10, MIB, MIB)));
        assertTrue(segment.getMessage().contains("10"), segment.getMessage());
        IllegalArgumentException budget = assertThrows(IllegalArgumentException.class,
                () -> SegmentChunkStore.open(settings(1000, 4096, MIB, MIB)));
        assertTrue(budget.getMessage().contains("1000"), budget.getMessage());
        IllegalArgumentException queue = assertThrows(IllegalArgumentException.class,
                () -> SegmentChunkStore.open(settings(MIB, 4096, MIB, 0)));
        assertTrue(queue.getMessage().contains("write-queue"), queue.getMessage());
    }

    @Test
    void diskShortfallNamesABudgetTheFileSystemCannotHold() {
        StoreSettings budget = settings(1024 * MIB, 64 * MIB, 0, MIB);
        assertNull(SegmentChunkStore.diskShortfall(budget, 1024 * MIB, 0));
        assertNull(SegmentChunkStore.diskShortfall(budget, 100 * MIB, 924 * MIB), "what is stored counts as room");
        String shortfall = SegmentChunkStore.diskShortfall(budget, 600 * MIB, 300 * MIB);
        assertNotNull(shortfall);
        assertTrue(shortfall.contains("disk-budget 1024 MiB exceeds the 900 MiB its file system has room for "
                + "(600 MiB free, 300 MiB stored)"), shortfall);
    }
}
