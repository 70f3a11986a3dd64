package io.wanopt.cache.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class KeyValueStorageContractTest {

    interface Factory {
        KeyValueStorage open(Path directory) throws IOException;
    }

    static Stream<Named<Factory>> factories() {
        return Stream.of(
                Named.of("rocksdb", RocksDbKeyValueStorage::open),
                Named.of("in-memory", directory -> new InMemoryKeyValueStorage()));
    }

    @TempDir
    Path directory;

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    private static List<String> keys(KeyValueStorage storage, byte[] from, byte[] to) throws IOException {
        List<String> keys = new ArrayList<>();
        try (CloseableIterator<Map.Entry<byte[], byte[]>> iterator = storage.iterator(from, to)) {
            while (iterator.hasNext()) {
                Map.Entry<byte[], byte[]> entry = iterator.next();
                keys.add(new String(entry.getKey(), UTF_8) + '=' + new String(entry.getValue(), UTF_8));
            }
            assertThrows(NoSuchElementException.class, iterator::next);
        }
        return keys;
    }

    @ParameterizedTest
    @MethodSource("factories")
    void putGetOverwriteDelete(Factory factory) throws IOException {
        try (KeyValueStorage storage = factory.open(directory)) {
            assertNull(storage.get(bytes("a")));
            storage.put(bytes("a"), bytes("1"));
            assertArrayEquals(bytes("1"), storage.get(bytes("a")));
            storage.put(bytes("a"), bytes("2"));
            assertArrayEquals(bytes("2"), storage.get(bytes("a")));
            storage.put(bytes("empty"), new byte[0]);
            assertArrayEquals(new byte[0], storage.get(bytes("empty")));
            storage.delete(bytes("a"));
            assertNull(storage.get(bytes("a")));
            storage.delete(bytes("never-written"));
        }
    }

    @ParameterizedTest
    @MethodSource("factories")
    void iteratesARangeInUnsignedOrder(Factory factory) throws IOException {
        try (KeyValueStorage storage = factory.open(directory)) {
            byte[] high = {'k', (byte) 0x90};
            byte[] low = {'k', 0x10};
            storage.put(high, bytes("high"));
            storage.put(low, bytes("low"));
            storage.put(bytes("j"), bytes("before"));
            storage.put(bytes("l"), bytes("after"));
            List<byte[]> seen = new ArrayList<>();
            try (CloseableIterator<Map.Entry<byte[], byte[]>> iterator = storage.iterator(bytes("k"), bytes("l"))) {
                while (iterator.hasNext()) {
                    seen.add(iterator.next().getKey());
                }
            }
            assertEquals(2, seen.size());
            assertArrayEquals(low, seen.get(0));
            assertArrayEquals(high, seen.get(1));
            assertEquals(List.of("j=before"), keys(storage, bytes("j"), bytes("k")));
            assertEquals(List.of(), keys(storage, bytes("m"), bytes("z")));
        }
    }

    @ParameterizedTest
    @MethodSource("factories")
    void deleteRangeRemovesOnlyTheRange(Factory factory) throws IOException {
        try (KeyValueStorage storage = factory.open(directory)) {
            for (String key : List.of("a1", "b1", "b2", "b3", "c1")) {
                storage.put(bytes(key), bytes("v"));
            }
            storage.deleteRange(bytes("b"), bytes("b3"));
            assertEquals(List.of("a1=v", "b3=v", "c1=v"), keys(storage, bytes("a"), bytes("d")));
        }
    }

    @ParameterizedTest
    @MethodSource("factories")
    void batchAppliesOnCommitAndIsReusable(Factory factory) throws IOException {
        try (KeyValueStorage storage = factory.open(directory)) {
            storage.put(bytes("gone"), bytes("x"));
            try (KeyValueStorage.Batch batch = storage.newBatch()) {
                batch.put(bytes("a"), bytes("1"));
                batch.put(bytes("b"), bytes("2"));
                batch.delete(bytes("gone"));
                assertEquals(3, batch.size());
                assertNull(storage.get(bytes("a")));
                batch.commit();
                assertEquals(0, batch.size());
                assertEquals(List.of("a=1", "b=2"), keys(storage, bytes("a"), bytes("z")));
                batch.put(bytes("c"), bytes("3"));
                batch.commit();
                assertArrayEquals(bytes("3"), storage.get(bytes("c")));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("factories")
    void countsKeysApproximately(Factory factory) throws IOException {
        try (KeyValueStorage storage = factory.open(directory)) {
            for (int i = 0; i < 1000; i++) {
                storage.put(bytes("key" + i), bytes("v"));
            }
            long count = storage.approximateCount();
            assertTrue(count >= 500 && count <= 2000, "approximate count " + count);
        }
    }

    @Test
    void rocksDbKeepsDataAcrossReopen() throws IOException {
        try (KeyValueStorage storage = RocksDbKeyValueStorage.open(directory)) {
            storage.put(bytes("kept"), bytes("yes"));
        }
        try (KeyValueStorage storage = RocksDbKeyValueStorage.open(directory)) {
            assertArrayEquals(bytes("yes"), storage.get(bytes("kept")));
        }
    }

    @Test
    void rocksDbOpenFailureNamesThePath() throws IOException {
        try (KeyValueStorage first = RocksDbKeyValueStorage.open(directory)) {
            // A second open of a locked database fails; nothing may leak from the failed attempt.
            IOException failure = assertThrows(IOException.class, () -> RocksDbKeyValueStorage.open(directory));
            assertTrue(failure.getMessage().contains(directory.toString()), failure.getMessage());
            first.put(bytes("still"), bytes("usable"));
            assertArrayEquals(bytes("usable"), first.get(bytes("still")));
        }
    }
}
