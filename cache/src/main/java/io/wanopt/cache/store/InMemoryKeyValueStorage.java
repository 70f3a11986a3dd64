package io.wanopt.cache.store;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link KeyValueStorage} in a sorted map, for tests: same ordering and range semantics as RocksDB,
 * nothing survives {@link #close}. Iterators see a snapshot taken when they are created.
 */
public final class InMemoryKeyValueStorage implements KeyValueStorage {

    private final TreeMap<byte[], byte[]> entries = new TreeMap<>(Arrays::compareUnsigned);

    @Override
    public synchronized byte[] get(byte[] key) {
        byte[] value = entries.get(key);
        return value == null ? null : value.clone();
    }

    @Override
    public synchronized void put(byte[] key, byte[] value) {
        entries.put(key.clone(), value.clone());
    }

    @Override
    public synchronized void delete(byte[] key) {
        entries.remove(key);
    }

    @Override
    public synchronized void deleteRange(byte[] fromInclusive, byte[] toExclusive) {
        if (Arrays.compareUnsigned(fromInclusive, toExclusive) < 0) {
            entries.subMap(fromInclusive, true, toExclusive, false).clear();
        }
    }

    @Override
    public Batch newBatch() {
        return new MemoryBatch();
    }

    @Override
    public synchronized CloseableIterator<Map.Entry<byte[], byte[]>> iterator(byte[] fromInclusive, byte[] toExclusive) {
        List<Map.Entry<byte[], byte[]>> snapshot = new ArrayList<>();
        if (Arrays.compareUnsigned(fromInclusive, toExclusive) < 0) {
            entries.subMap(fromInclusive, true, toExclusive, false).forEach((key, value) ->
                    snapshot.add(new AbstractMap.SimpleImmutableEntry<>(key.clone(), value.clone())));
        }
        Iterator<Map.Entry<byte[], byte[]>> iterator = snapshot.iterator();
        return new CloseableIterator<>() {
            @Override
            public boolean hasNext() {
                return iterator.hasNext();
            }

            @Override
            public Map.Entry<byte[], byte[]> next() {
                return iterator.next();
            }

            @Override
            public void close() {
                // a snapshot holds no resources
            }
        };
    }

    @Override
    public synchronized long approximateCount() {
        return entries.size();
    }

    @Override
    public synchronized void close() {
        entries.clear();
    }

    private synchronized void apply(List<byte[][]> writes) {
        for (byte[][] write : writes) {
            if (write[1] == null) {
                entries.remove(write[0]);
            } else {
                entries.put(write[0], write[1]);
            }
        }
    }

    /** Gathers writes as (key, value) pairs, a null value meaning delete. */
    private final class MemoryBatch implements Batch {

        private final List<byte[][]> writes = new ArrayList<>();

        @Override
        public void put(byte[] key, byte[] value) {
            writes.add(new byte[][] {key.clone(), value.clone()});
        }

        @Override
        public void delete(byte[] key) {
            writes.add(new byte[][] {key.clone(), null});
        }

        @Override
        public int size() {
            return writes.size();
        }

        @Override
        public void commit() {
            apply(writes);
            writes.clear();
        }

        @Override
        public void close() {
            writes.clear();
        }
    }
}
