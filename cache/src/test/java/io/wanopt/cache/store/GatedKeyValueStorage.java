package io.wanopt.cache.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** An in-memory storage whose batch commits wait until {@link #open()}: holds the store's writer back. */
final class GatedKeyValueStorage implements KeyValueStorage {

    private final InMemoryKeyValueStorage delegate = new InMemoryKeyValueStorage();
    private final CountDownLatch gate = new CountDownLatch(1);

    void open() {
        gate.countDown();
    }

    @Override
    public byte[] get(byte[] key) {
        return delegate.get(key);
    }

    @Override
    public void put(byte[] key, byte[] value) {
        delegate.put(key, value);
    }

    @Override
    public void delete(byte[] key) {
        delegate.delete(key);
    }

    @Override
    public void deleteRange(byte[] fromInclusive, byte[] toExclusive) {
        delegate.deleteRange(fromInclusive, toExclusive);
    }

    @Override
    public Batch newBatch() {
        Batch batch = delegate.newBatch();
        return new Batch() {
            @Override
            public void put(byte[] key, byte[] value) throws IOException {
                batch.put(key, value);
            }

            @Override
            public void delete(byte[] key) throws IOException {
                batch.delete(key);
            }

            @Override
            public int size() {
                return batch.size();
            }

            @Override
            public void commit() throws IOException {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException();
                }
                batch.commit();
            }

            @Override
            public void close() {
                batch.close();
            }
        };
    }

    @Override
    public CloseableIterator<Map.Entry<byte[], byte[]>> iterator(byte[] fromInclusive, byte[] toExclusive) {
        return delegate.iterator(fromInclusive, toExclusive);
    }

    @Override
    public long approximateCount() {
        return delegate.approximateCount();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
