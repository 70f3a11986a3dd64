package io.wanopt.cache.store;

import java.io.Closeable;
import java.io.IOException;
import java.util.Map;

/**
 * A sorted byte-key/byte-value store: the narrow part of RocksDB the chunk store needs. Keys are
 * ordered unsigned-lexicographically; ranges are {@code [fromInclusive, toExclusive)}. Thread-safe;
 * writes are durable in a write-ahead log but not synced per write.
 */
public interface KeyValueStorage extends Closeable {

    /** The value of {@code key}, or null. */
    byte[] get(byte[] key) throws IOException;

    void put(byte[] key, byte[] value) throws IOException;

    void delete(byte[] key) throws IOException;

    /** Deletes every key in {@code [fromInclusive, toExclusive)}. */
    void deleteRange(byte[] fromInclusive, byte[] toExclusive) throws IOException;

    /** A batch of writes applied atomically by {@link Batch#commit}. */
    Batch newBatch();

    /** The entries in {@code [fromInclusive, toExclusive)} in key order. */
    CloseableIterator<Map.Entry<byte[], byte[]>> iterator(byte[] fromInclusive, byte[] toExclusive) throws IOException;

    /** An estimate of the number of keys (exact for some implementations). */
    long approximateCount() throws IOException;

    /** Writes gathered and applied together; reusable after commit, must be closed. */
    interface Batch extends Closeable {

        void put(byte[] key, byte[] value) throws IOException;

        void delete(byte[] key) throws IOException;

        /** Number of writes gathered since the last commit. */
        int size();

        /** Applies the gathered writes atomically and empties the batch. */
        void commit() throws IOException;

        @Override
        void close();
    }
}
