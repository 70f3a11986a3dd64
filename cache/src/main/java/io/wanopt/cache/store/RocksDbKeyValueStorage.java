package io.wanopt.cache.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.rocksdb.AbstractNativeReference;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * {@link KeyValueStorage} on a RocksDB directory (one column family; callers separate their kinds
 * of keys by prefix). Writes go to the write-ahead log without a sync: a crash of the process loses
 * nothing, a power loss may lose the last writes, which the chunk store tolerates (a lost index entry
 * is a lost chunk, not a wrong one).
 */
public final class RocksDbKeyValueStorage implements KeyValueStorage {

    static {
        RocksDB.loadLibrary();
    }

    /** Block cache for index and data blocks; the chunk bytes themselves live in segment files. */
    private static final long BLOCK_CACHE_BYTES = 64L << 20;
    /** Bloom filter bits per key: about 1% false positives, so most lookups of absent ids skip disk. */
    private static final double BLOOM_BITS_PER_KEY = 10;

    private final Path directory;
    /** Native handles in creation order, closed in reverse. */
    private final List<AbstractNativeReference> handles;
    private final RocksDB db;
    private final WriteOptions writeOptions;

    private RocksDbKeyValueStorage(Path directory, List<AbstractNativeReference> handles, RocksDB db, WriteOptions writeOptions) {
        this.directory = directory;
        this.handles = handles;
        this.db = db;
        this.writeOptions = writeOptions;
    }

    /** Opens the database in {@code directory}, creating both if missing. */
    public static RocksDbKeyValueStorage open(Path directory) throws IOException {
        Files.createDirectories(directory);
        List<AbstractNativeReference> handles = new ArrayList<>();
        try {
            LRUCache blockCache = add(handles, new LRUCache(BLOCK_CACHE_BYTES));
            BloomFilter bloom = add(handles, new BloomFilter(BLOOM_BITS_PER_KEY));
            BlockBasedTableConfig table = new BlockBasedTableConfig()
                    .setBlockCache(blockCache)
                    .setFilterPolicy(bloom);
            Options options = add(handles, new Options()
                    .setCreateIfMissing(true)
                    .setCompressionType(CompressionType.LZ4_COMPRESSION)
                    .setTableFormatConfig(table));
            WriteOptions writeOptions = add(handles, new WriteOptions().setSync(false).setDisableWAL(false));
            RocksDB db = add(handles, RocksDB.open(options, directory.toString()));
            return new RocksDbKeyValueStorage(directory, handles, db, writeOptions);
        } catch (RocksDBException e) {
            closeAll(handles);
            throw failure("open", directory, e);
        } catch (RuntimeException e) {
            closeAll(handles);
            throw e;
        }
    }

    private static <T extends AbstractNativeReference> T add(List<AbstractNativeReference> handles, T handle) {
        handles.add(handle);
        return handle;
    }

    @Override
    public byte[] get(byte[] key) throws IOException {
        try {
            return db.get(key);
        } catch (RocksDBException e) {
            throw failure("get", directory, e);
        }
    }

    @Override
    public void put(byte[] key, byte[] value) throws IOException {
        try {
            db.put(writeOptions, key, value);
        } catch (RocksDBException e) {
            throw failure("put", directory, e);
        }
    }

    @Override
    public void delete(byte[] key) throws IOException {
        try {
            db.delete(writeOptions, key);
        } catch (RocksDBException e) {
            throw failure("delete", directory, e);
        }
    }

    @Override
    public void deleteRange(byte[] fromInclusive, byte[] toExclusive) throws IOException {
        try {
            db.deleteRange(writeOptions, fromInclusive, toExclusive);
        } catch (RocksDBException e) {
            throw failure("deleteRange", directory, e);
        }
    }

    @Override
    public Batch newBatch() {
        return new RocksBatch();
    }

    @Override
    public CloseableIterator<Map.Entry<byte[], byte[]>> iterator(byte[] fromInclusive, byte[] toExclusive) {
        Slice upperBound = new Slice(toExclusive);
        ReadOptions readOptions = new ReadOptions().setIterateUpperBound(upperBound);
        RocksIterator iterator = db.newIterator(readOptions);
        iterator.seek(fromInclusive);
        return new CloseableIterator<>() {
            @Override
            public boolean hasNext() throws IOException {
                if (iterator.isValid()) {
                    return true;
                }
                try {
                    iterator.status();
                } catch (RocksDBException e) {
                    throw failure("iterate", directory, e);
                }
                return false;
            }

            @Override
            public Map.Entry<byte[], byte[]> next() throws IOException {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Map.Entry<byte[], byte[]> entry = new AbstractMap.SimpleImmutableEntry<>(iterator.key(), iterator.value());
                iterator.next();
                return entry;
            }

            @Override
            public void close() {
                iterator.close();
                readOptions.close();
                upperBound.close();
            }
        };
    }

    @Override
    public long approximateCount() throws IOException {
        try {
            return db.getLongProperty("rocksdb.estimate-num-keys");
        } catch (RocksDBException e) {
            throw failure("count", directory, e);
        }
    }

    @Override
    public void close() {
        closeAll(handles);
    }

    private static void closeAll(List<AbstractNativeReference> handles) {
        for (int i = handles.size() - 1; i >= 0; i--) {
            handles.get(i).close();
        }
        handles.clear();
    }

    private static IOException failure(String operation, Path directory, RocksDBException e) {
        return new IOException("RocksDB " + operation + " failed in " + directory + ": " + e.getMessage(), e);
    }

    private final class RocksBatch implements Batch {

        private final WriteBatch batch = new WriteBatch();

        @Override
        public void put(byte[] key, byte[] value) throws IOException {
            try {
                batch.put(key, value);
            } catch (RocksDBException e) {
                throw failure("batch put", directory, e);
            }
        }

        @Override
        public void delete(byte[] key) throws IOException {
            try {
                batch.delete(key);
            } catch (RocksDBException e) {
                throw failure("batch delete", directory, e);
            }
        }

        @Override
        public int size() {
            return batch.count();
        }

        @Override
        public void commit() throws IOException {
            try {
                db.write(writeOptions, batch);
                batch.clear();
            } catch (RocksDBException e) {
                throw failure("batch commit", directory, e);
            }
        }

        @Override
        public void close() {
            batch.close();
        }
    }
}
