package io.wanopt.cache.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.wanopt.cache.ChunkId;
import io.wanopt.config.StoreSettings;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The chunk store on disk: chunk bytes appended to segment files ({@code segments/}), their
 * locations and the peer knowledge in a RocksDB index ({@code index/}), recent chunks in an in-memory
 * tier. When the segments outgrow the disk budget the oldest segment is dropped whole, with its
 * index and peer-knowledge entries: the store forgets oldest-learned first, like a ring buffer.
 *
 * <p>A {@link #put} is cheap for the caller: the bytes are copied into the memory tier and a pending
 * map, and one writer thread appends them to the current segment and indexes them in batches. The
 * write queue is bounded in bytes; callers wait while it is full. Arrays returned by {@link #get} are
 * shared with the memory tier and must not be modified.
 *
 * <p>Index keys: {@code 'c' + id} to (segment, offset, length); {@code 'k' + peerKey + id} to empty
 * for "the peer holds id", where peerKey is 8 bytes of SHA-256(peerId, 0, peer epoch); {@code 'm' +
 * name} for metadata (this store's epoch, the peer keys in use, each peer's last epoch). A store
 * directory without an epoch is wiped and gets a new one, so no stale content outlives an epoch.
 */
public final class SegmentChunkStore implements ChunkStore {

    private static final Logger LOG = Logger.getLogger(SegmentChunkStore.class.getName());

    private static final byte CHUNK_PREFIX = 'c';
    private static final byte KNOWLEDGE_PREFIX = 'k';
    private static final byte META_PREFIX = 'm';
    private static final byte[] EPOCH_KEY = metaKey("epoch");
    private static final byte[] PEER_KEYS_KEY = metaKey("peer-keys");
    private static final String PEER_EPOCH_KEY = "peer-epoch:";
    private static final byte[] EMPTY = new byte[0];
    private static final int EPOCH_LENGTH = 16;
    private static final long MIB = 1 << 20;
    private static final int PEER_KEY_LENGTH = 8;
    /** Index value: segment number, data offset, length; offsets fit an int because segments do. */
    private static final int LOCATION_LENGTH = 12;
    /** Bytes the writer gathers before writing to the segment file. */
    private static final int WRITE_BUFFER_BYTES = 1 << 20;
    /** Index writes per batch while dropping a segment, so one batch stays small. */
    private static final int EVICTION_BATCH_WRITES = 4096;
    /** Rough heap cost of a memory-tier entry beyond its bytes (key, array header, cache node). */
    private static final int MEMORY_ENTRY_OVERHEAD = 128;

    private final StoreSettings settings;
    private final KeyValueStorage index;
    private final Path segmentDirectory;
    private final byte[] epoch;
    private final Cache<ChunkId, byte[]> memoryTier;
    /** Chunks put but not yet indexed: found by get until the writer has made them readable from disk. */
    private final Map<ChunkId, byte[]> pending = new ConcurrentHashMap<>();
    private final Map<Integer, FileChannel> readChannels = new ConcurrentHashMap<>();
    /** Bytes of each segment file, oldest first; changed by the writer only once it runs. */
    private final ConcurrentSkipListMap<Integer, Long> segmentSizes = new ConcurrentSkipListMap<>();
    /** Peer keys with knowledge entries, for dropping a segment's entries of every peer. */
    private volatile List<byte[]> peerKeys;

    /** Held shared by every operation and exclusively by close, so nothing touches a closed index. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final ReentrantLock queueLock = new ReentrantLock();
    private final Condition queueNotEmpty = queueLock.newCondition();
    private final Condition queueNotFull = queueLock.newCondition();
    private final Condition queueDrained = queueLock.newCondition();
    private final ArrayDeque<PendingChunk> queue = new ArrayDeque<>();
    /**
     * Peer-knowledge entries learned and not yet in the index: {@code holds} sees them at once, and
     * the writer commits them with its next index batch (one RocksDB write per batch, not per chunk).
     */
    private final Map<ByteBuffer, Boolean> pendingKnowledge = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<byte[]> knowledgeQueue = new ConcurrentLinkedQueue<>();
    /** Record bytes queued or being written; guarded by queueLock. */
    private long queuedBytes;
    /** Set once by close, under queueLock; read without it by {@link #ensureOpen}. */
    private volatile boolean closing;
    private final Thread writer;

    // Owned by the writer thread (and by open before it starts).
    private final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(WRITE_BUFFER_BYTES);
    private final byte[] idScratch = new byte[ChunkId.LENGTH];
    private FileChannel appendChannel;
    private int appendSegment;
    private long appendPosition;

    private final AtomicLong chunks = new AtomicLong();
    private final AtomicLong diskBytes = new AtomicLong();
    private final LongAdder memoryHits = new LongAdder();
    private final LongAdder diskHits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final AtomicLong evictedSegments = new AtomicLong();
    private final AtomicLong evictedChunks = new AtomicLong();

    /** A clear asked for and not yet done by the writer; null when none. */
    private final AtomicReference<CompletableFuture<Long>> clearRequest = new AtomicReference<>();

    /** Longest a learned peer-knowledge entry waits for the writer when no chunk wakes it. */
    private static final long KNOWLEDGE_COMMIT_MILLIS = 5;

    /** A chunk waiting for the writer. */
    private record PendingChunk(ChunkId id, byte[] data) {
        int recordLength() {
            return SegmentFile.HEADER_LENGTH + data.length;
        }
    }

    /** Opens (or creates) the store under {@code settings.path()} with its RocksDB index in {@code index/}. */
    public static SegmentChunkStore open(StoreSettings settings) throws IOException {
        validate(settings);
        return open(settings, RocksDbKeyValueStorage.open(settings.path().resolve("index")));
    }

    /**
     * Opens the store under {@code settings.path()} with {@code index} as its index. The store owns
     * {@code index}: it closes it on {@link #close}, and when opening fails.
     */
    public static SegmentChunkStore open(StoreSettings settings, KeyValueStorage index) throws IOException {
        try {
            validate(settings);
            return new SegmentChunkStore(settings, index);
        } catch (IOException | RuntimeException e) {
            index.close();
            throw e;
        }
    }

    private static void validate(StoreSettings settings) {
        if (settings.segmentSize() <= SegmentFile.HEADER_LENGTH || settings.segmentSize() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("store segment-size: " + settings.segmentSize() + " (expected: > "
                    + SegmentFile.HEADER_LENGTH + " and <= " + Integer.MAX_VALUE + ')');
        }
        if (settings.diskBudget() < settings.segmentSize()) {
            throw new IllegalArgumentException("store disk-budget: " + settings.diskBudget()
                    + " (expected: >= segment-size " + settings.segmentSize() + ')');
        }
        if (settings.memoryCache() < 0) {
            throw new IllegalArgumentException("store memory-cache: " + settings.memoryCache() + " (expected: >= 0)");
        }
        if (settings.writeQueue() <= 0) {
            throw new IllegalArgumentException("store write-queue: " + settings.writeQueue() + " (expected: > 0)");
        }
    }

    private SegmentChunkStore(StoreSettings settings, KeyValueStorage index) throws IOException {
        this.settings = settings;
        this.index = index;
        this.segmentDirectory = settings.path().resolve("segments");
        Files.createDirectories(segmentDirectory);
        this.epoch = loadOrCreateEpoch();
        this.peerKeys = splitPeerKeys(index.get(PEER_KEYS_KEY));
        this.memoryTier = Caffeine.newBuilder()
                .maximumWeight(settings.memoryCache())
                .weigher((ChunkId id, byte[] data) -> data.length + MEMORY_ENTRY_OVERHEAD)
                .build();
        try {
            recoverSegments();
            chunks.set(countChunks());
            evictOverBudget();
        } catch (IOException | RuntimeException e) {
            closeChannels();
            throw e;
        }
        String shortfall = diskShortfall(settings, Files.getFileStore(segmentDirectory).getUsableSpace(), diskBytes.get());
        if (shortfall != null) {
            LOG.warning(shortfall);
        }
        this.writer = new Thread(this::runWriter, "wanopt-chunk-store-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** The epoch in the index; when there is none, whatever is in the directory is stale and wiped. */
    private byte[] loadOrCreateEpoch() throws IOException {
        byte[] stored = index.get(EPOCH_KEY);
        if (stored != null && stored.length == EPOCH_LENGTH) {
            return stored;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(segmentDirectory)) {
            for (Path file : files) {
                Files.delete(file);
            }
        }
        index.deleteRange(EMPTY, new byte[] {(byte) 0xff});
        byte[] created = new byte[EPOCH_LENGTH];
        new SecureRandom().nextBytes(created);
        index.put(EPOCH_KEY, created);
        LOG.info(() -> "created chunk store " + settings.path() + " with a new epoch");
        return created;
    }

    /** Finds the segments, truncates a torn record at the end of the last one and continues it. */
    private void recoverSegments() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(segmentDirectory, "*.seg")) {
            for (Path file : files) {
                OptionalInt number = SegmentFile.number(file);
                if (number.isPresent()) {
                    segmentSizes.put(number.getAsInt(), Files.size(file));
                }
            }
        }
        if (segmentSizes.isEmpty()) {
            return;
        }
        int last = segmentSizes.lastKey();
        appendSegment = last;
        FileChannel channel = FileChannel.open(SegmentFile.path(segmentDirectory, last),
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long size = channel.size();
            long valid = SegmentFile.scan(channel, size).validLength();
            if (valid < size) {
                LOG.warning(() -> "truncating segment " + last + " of " + settings.path() + " from " + size + " to "
                        + valid + " bytes (a record was torn)");
                channel.truncate(valid);
                segmentSizes.put(last, valid);
            }
            if (valid < settings.segmentSize()) {
                channel.position(valid);
                appendChannel = channel;
                appendPosition = valid;
            } else {
                channel.close();
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        diskBytes.set(segmentSizes.values().stream().mapToLong(Long::longValue).sum());
    }

    private long countChunks() throws IOException {
        long count = 0;
        byte[] from = {CHUNK_PREFIX};
        try (CloseableIterator<Map.Entry<byte[], byte[]>> entries = index.iterator(from, prefixEnd(from))) {
            while (entries.hasNext()) {
                entries.next();
                count++;
            }
        }
        return count;
    }

    @Override
    public byte[] epoch() {
        return epoch.clone();
    }

    @Override
    public byte[] get(ChunkId id) throws IOException {
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            byte[] data = memoryTier.getIfPresent(id);
            if (data == null) {
                data = pending.get(id);
            }
            if (data != null) {
                memoryHits.increment();
                return data;
            }
            data = readFromSegment(id);
            if (data == null) {
                misses.increment();
                return null;
            }
            diskHits.increment();
            memoryTier.put(id, data);
            return data;
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** The bytes the index locates for {@code id}, or null when not indexed or its segment is gone. */
    private byte[] readFromSegment(ChunkId id) throws IOException {
        byte[] location = index.get(chunkKey(id));
        if (location == null) {
            return null;
        }
        if (location.length != LOCATION_LENGTH) {
            throw new IOException("chunk store " + settings.path() + ": index entry of " + id + " has length "
                    + location.length + " (expected: " + LOCATION_LENGTH + ')');
        }
        ByteBuffer fields = ByteBuffer.wrap(location);
        int segment = fields.getInt();
        int offset = fields.getInt();
        int length = fields.getInt();
        if (offset < 0 || length < 0 || length > settings.segmentSize()) {
            throw new IOException("chunk store " + settings.path() + ": index entry of " + id + " has offset "
                    + offset + ", length " + length + " (segment size: " + settings.segmentSize() + ')');
        }
        byte[] data = new byte[length];
        // A channel closed under us (segment dropped, or a reader was interrupted) is reopened once.
        for (int attempt = 0; attempt < 2; attempt++) {
            FileChannel channel = readChannel(segment);
            if (channel == null) {
                return null;
            }
            try {
                return SegmentFile.readFully(channel, ByteBuffer.wrap(data), offset) ? data : null;
            } catch (ClosedChannelException e) {
                readChannels.remove(segment, channel);
            }
        }
        return null;
    }

    /** The open read channel of {@code segment}, or null when its file is gone. */
    private FileChannel readChannel(int segment) throws IOException {
        FileChannel channel = readChannels.get(segment);
        if (channel != null) {
            return channel;
        }
        FileChannel opened;
        try {
            opened = FileChannel.open(SegmentFile.path(segmentDirectory, segment), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return null;
        }
        FileChannel raced = readChannels.putIfAbsent(segment, opened);
        if (raced != null) {
            opened.close();
            return raced;
        }
        return opened;
    }

    @Override
    public boolean contains(ChunkId id) throws IOException {
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            return memoryTier.getIfPresent(id) != null || pending.containsKey(id) || index.get(chunkKey(id)) != null;
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    @Override
    public void put(ChunkId id, byte[] data, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, data.length);
        learnChunk(id, data, offset, length, false);
    }

    @Override
    public void adopt(ChunkId id, byte[] data) throws IOException {
        learnChunk(id, data, 0, data.length, true);
    }

    private void learnChunk(ChunkId id, byte[] data, int offset, int length, boolean owned) throws IOException {
        if (length > settings.segmentSize() - SegmentFile.HEADER_LENGTH) {
            throw new IllegalArgumentException("chunk length: " + length + " (max: "
                    + (settings.segmentSize() - SegmentFile.HEADER_LENGTH) + " for segment-size "
                    + settings.segmentSize() + ')');
        }
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            // No index look-up here: the writer skips chunks indexed already, and most chunks put
            // are new (literals), so a RocksDB get per put would mostly be wasted.
            if (memoryTier.getIfPresent(id) != null || pending.containsKey(id)) {
                return;
            }
            byte[] copy = owned ? data : Arrays.copyOfRange(data, offset, offset + length);
            if (pending.putIfAbsent(id, copy) != null) {
                return;
            }
            memoryTier.put(id, copy);
            try {
                enqueue(new PendingChunk(id, copy));
            } catch (IOException | RuntimeException e) {
                pending.remove(id, copy);
                throw e;
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private void enqueue(PendingChunk chunk) throws IOException {
        long recordLength = chunk.recordLength();
        queueLock.lock();
        try {
            // An empty queue takes any chunk, so one larger than the queue cannot wait forever.
            while (!closing && queuedBytes > 0 && queuedBytes + recordLength > settings.writeQueue()) {
                queueNotFull.await();
            }
            if (closing) {
                throw new IOException("chunk store " + settings.path() + " is closed");
            }
            queue.add(chunk);
            queuedBytes += recordLength;
            queueNotEmpty.signal();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the write queue of " + settings.path());
        } finally {
            queueLock.unlock();
        }
    }

    @Override
    public void forget(ChunkId id) throws IOException {
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            memoryTier.invalidate(id);
            pending.remove(id);
            byte[] key = chunkKey(id);
            if (index.get(key) != null) {
                index.delete(key);
                chunks.decrementAndGet();
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * {@inheritDoc} Switching a peer to a new epoch drops what was known under its previous one.
     *
     * @throws UncheckedIOException when the index fails
     */
    @Override
    public synchronized PeerKnowledge peer(String peerId, byte[] peerEpoch) {
        byte[] peerKey = peerKey(peerId, peerEpoch);
        byte[] epochKey = metaKey(PEER_EPOCH_KEY + peerId);
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            byte[] lastEpoch = index.get(epochKey);
            if (lastEpoch == null || !Arrays.equals(lastEpoch, peerEpoch)) {
                List<byte[]> keys = new ArrayList<>(peerKeys);
                if (lastEpoch != null) {
                    byte[] oldKey = peerKey(peerId, lastEpoch);
                    byte[] oldPrefix = knowledgePrefix(oldKey);
                    pendingKnowledge.keySet().removeIf(key -> key.remaining() > oldPrefix.length
                            && key.slice(0, oldPrefix.length).equals(ByteBuffer.wrap(oldPrefix)));
                    index.deleteRange(oldPrefix, prefixEnd(oldPrefix));
                    keys.removeIf(key -> Arrays.equals(key, oldKey));
                }
                keys.add(peerKey);
                index.put(PEER_KEYS_KEY, joinPeerKeys(keys));
                index.put(epochKey, peerEpoch.clone());
                peerKeys = List.copyOf(keys);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            lifecycle.readLock().unlock();
        }
        return new StoredPeerKnowledge(peerKey);
    }

    @Override
    public ChunkStoreStats stats() {
        return new ChunkStoreStats(chunks.get(), diskBytes.get(), settings.diskBudget(), memoryHits.sum(),
                diskHits.sum(), misses.sum(), evictedSegments.get(), evictedChunks.get());
    }

    /** Drops the in-memory tier, so that later gets read from the segments. */
    public void clearMemoryTier() {
        memoryTier.invalidateAll();
    }

    /** The directory of the segment files. */
    public Path segmentDirectory() {
        return segmentDirectory;
    }

    /** Record bytes put but not yet written by the writer thread (at most write-queue, or one record). */
    public long queuedWriteBytes() {
        queueLock.lock();
        try {
            return queuedBytes;
        } finally {
            queueLock.unlock();
        }
    }

    /** Waits until every chunk put so far is in a segment file and indexed. */
    public void flush() throws IOException {
        queueLock.lock();
        try {
            while (queuedBytes > 0) {
                queueDrained.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while flushing " + settings.path());
        } finally {
            queueLock.unlock();
        }
    }

    /** Writes what is queued, then closes the segment files and the index. */
    @Override
    public void close() throws IOException {
        queueLock.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
            queueNotEmpty.signalAll();
            queueNotFull.signalAll();
        } finally {
            queueLock.unlock();
        }
        lifecycle.writeLock().lock();
        try {
            boolean interrupted = false;
            while (writer.isAlive()) {
                try {
                    writer.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (appendChannel != null) {
                appendChannel.force(false);
            }
        } finally {
            try {
                closeChannels();
            } finally {
                index.close();
                lifecycle.writeLock().unlock();
            }
        }
    }

    private void closeChannels() throws IOException {
        IOException failure = null;
        List<FileChannel> channels = new ArrayList<>(readChannels.values());
        readChannels.clear();
        if (appendChannel != null) {
            channels.add(appendChannel);
            appendChannel = null;
        }
        for (FileChannel channel : channels) {
            try {
                channel.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Called under the lifecycle read lock: once closing is seen false, the index stays open until unlock. */
    private void ensureOpen() throws IOException {
        if (closing) {
            throw new IOException("chunk store " + settings.path() + " is closed");
        }
    }

    // ---- writer thread ----

    private void runWriter() {
        List<PendingChunk> work = new ArrayList<>();
        while (true) {
            queueLock.lock();
            try {
                // Knowledge learned without a chunk put wakes nobody: look for it every few ms.
                while (queue.isEmpty() && knowledgeQueue.isEmpty() && clearRequest.get() == null && !closing) {
                    try {
                        queueNotEmpty.await(KNOWLEDGE_COMMIT_MILLIS, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        // The writer ends only when the store closes.
                    }
                }
                if (queue.isEmpty() && knowledgeQueue.isEmpty() && clearRequest.get() == null) {
                    return;
                }
                // Take a quarter of the queue at most, so callers refill the rest while it is written.
                long taken = 0;
                while (!queue.isEmpty() && (taken == 0 || taken < settings.writeQueue() / 4)) {
                    PendingChunk chunk = queue.poll();
                    work.add(chunk);
                    taken += chunk.recordLength();
                }
            } finally {
                queueLock.unlock();
            }
            long written = 0;
            try {
                append(work);
                evictOverBudget();
                CompletableFuture<Long> clear = clearRequest.get();
                if (clear != null) {
                    runClear(clear);
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "chunk store " + settings.path() + ": writing " + work.size()
                        + " chunks failed; they stay in memory only", e);
                abandonSegment();
            } finally {
                for (PendingChunk chunk : work) {
                    pending.remove(chunk.id(), chunk.data());
                    written += chunk.recordLength();
                }
                work.clear();
                queueLock.lock();
                try {
                    queuedBytes -= written;
                    queueNotFull.signalAll();
                    if (queuedBytes == 0) {
                        queueDrained.signalAll();
                    }
                } finally {
                    queueLock.unlock();
                }
            }
        }
    }

    /**
     * Appends {@code work} to the segments, then indexes it in one batch. Skips chunks indexed
     * already: a put racing with the end of an earlier write of the same chunk can queue it twice.
     */
    private void append(List<PendingChunk> work) throws IOException {
        int appended = 0;
        try (KeyValueStorage.Batch batch = index.newBatch()) {
            for (PendingChunk chunk : work) {
                byte[] key = chunkKey(chunk.id());
                if (index.get(key) != null) {
                    continue;
                }
                int recordLength = chunk.recordLength();
                long end = appendPosition + writeBuffer.position();
                if (appendChannel == null || (end > 0 && end + recordLength > settings.segmentSize())) {
                    startSegment();
                    end = 0;
                }
                long dataOffset = end + SegmentFile.HEADER_LENGTH;
                writeRecord(chunk);
                ByteBuffer location = ByteBuffer.allocate(LOCATION_LENGTH)
                        .putInt(appendSegment).putInt((int) dataOffset).putInt(chunk.data().length);
                batch.put(key, location.array());
                appended++;
            }
            flushWriteBuffer();
            List<byte[]> knowledge = new ArrayList<>();
            byte[] learned;
            while ((learned = knowledgeQueue.poll()) != null) {
                // Entries of a peer epoch that was replaced meanwhile are no longer pending: drop them.
                if (pendingKnowledge.containsKey(ByteBuffer.wrap(learned))) {
                    batch.put(learned, EMPTY);
                    knowledge.add(learned);
                }
            }
            batch.commit();
            for (byte[] key : knowledge) {
                pendingKnowledge.remove(ByteBuffer.wrap(key));
            }
            chunks.addAndGet(appended);
        }
    }

    private void writeRecord(PendingChunk chunk) throws IOException {
        if (writeBuffer.remaining() < chunk.recordLength()) {
            flushWriteBuffer();
        }
        chunk.id().copyTo(idScratch, 0);
        writeBuffer.putInt(SegmentFile.MAGIC).put(idScratch).putInt(chunk.data().length);
        if (writeBuffer.remaining() >= chunk.data().length) {
            writeBuffer.put(chunk.data());
        } else {
            flushWriteBuffer();
            writeFully(ByteBuffer.wrap(chunk.data()));
        }
    }

    private void flushWriteBuffer() throws IOException {
        writeBuffer.flip();
        try {
            writeFully(writeBuffer);
        } finally {
            writeBuffer.clear();
        }
    }

    private void writeFully(ByteBuffer source) throws IOException {
        int length = source.remaining();
        while (source.hasRemaining()) {
            appendChannel.write(source);
        }
        appendPosition += length;
        diskBytes.addAndGet(length);
        segmentSizes.merge(appendSegment, (long) length, Long::sum);
    }

    /**
     * After a failed write the end of the current segment is unknown (a record may be half written):
     * stop appending to it, so the next chunk starts a new segment at a known offset.
     */
    private void abandonSegment() {
        writeBuffer.clear();
        if (appendChannel == null) {
            return;
        }
        try (FileChannel channel = appendChannel) {
            long actual = channel.size();
            Long counted = segmentSizes.put(appendSegment, actual);
            diskBytes.addAndGet(actual - (counted == null ? 0 : counted));
        } catch (IOException e) {
            LOG.log(Level.WARNING, "chunk store " + settings.path() + ": closing segment " + appendSegment
                    + " after a failed write failed too", e);
        } finally {
            appendChannel = null;
        }
    }

    /** Seals the current segment (synced, so a sealed segment survives a power loss) and starts the next. */
    private void startSegment() throws IOException {
        if (appendChannel != null) {
            flushWriteBuffer();
            appendChannel.force(false);
            appendChannel.close();
            appendChannel = null;
        }
        int next = appendSegment + 1;
        appendChannel = FileChannel.open(SegmentFile.path(segmentDirectory, next),
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        appendSegment = next;
        appendPosition = 0;
        segmentSizes.put(next, 0L);
    }

    /**
     * Drops every chunk held, as eviction drops a segment: the writer seals the segment being appended,
     * then drops it and every older one with their index entries and every peer's knowledge of their
     * chunks. Chunks put meanwhile are kept. The epoch stays: a peer that still references a dropped
     * chunk gets it repaired, as after an eviction. One clear at a time; asking again while one runs
     * returns it.
     *
     * @return completes with the number of chunks dropped
     */
    public CompletableFuture<Long> clear() {
        CompletableFuture<Long> request = new CompletableFuture<>();
        if (!clearRequest.compareAndSet(null, request)) {
            CompletableFuture<Long> running = clearRequest.get();
            return running != null ? running : clear();
        }
        queueLock.lock();
        try {
            queueNotEmpty.signalAll();
        } finally {
            queueLock.unlock();
        }
        return request;
    }

    private void runClear(CompletableFuture<Long> request) {
        long before = evictedChunks.get();
        try {
            startSegment();
            for (Integer number : List.copyOf(segmentSizes.headMap(appendSegment).keySet())) {
                evictSegment(number);
            }
            memoryTier.invalidateAll();
            long dropped = evictedChunks.get() - before;
            LOG.info(() -> "chunk store " + settings.path() + ": cleared, " + dropped + " chunks dropped");
            request.complete(dropped);
        } catch (IOException | RuntimeException e) {
            request.completeExceptionally(e);
        } finally {
            clearRequest.set(null);
        }
    }

    /**
     * Why the file system cannot hold the disk budget, or null when it can. A budget larger than the
     * room left fills the disk before eviction starts, and from then on every write fails.
     *
     * @param usableBytes what the file system still offers
     * @param storedBytes what the store's segments already take
     */
    static String diskShortfall(StoreSettings settings, long usableBytes, long storedBytes) {
        long room = usableBytes + storedBytes;
        if (room >= settings.diskBudget()) {
            return null;
        }
        return "chunk store " + settings.path() + ": disk-budget " + settings.diskBudget() / MIB + " MiB exceeds the "
                + room / MIB + " MiB its file system has room for (" + usableBytes / MIB + " MiB free, "
                + storedBytes / MIB + " MiB stored): the disk fills first and writes then fail; lower store.disk-budget";
    }

    private void evictOverBudget() throws IOException {
        // The newest segment is the one being appended, and is never dropped.
        while (diskBytes.get() > settings.diskBudget() && segmentSizes.size() > 1) {
            evictSegment(segmentSizes.firstKey());
        }
    }

    /**
     * Drops segment {@code number}: the index entries that still point into it (a chunk learned
     * again since lives in a newer segment and keeps its entry), every peer's knowledge of those
     * chunks, then the file.
     */
    private void evictSegment(int number) throws IOException {
        Path file = SegmentFile.path(segmentDirectory, number);
        long dropped = 0;
        List<byte[]> keysOfPeers = peerKeys;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
                KeyValueStorage.Batch batch = index.newBatch()) {
            for (SegmentFile.Record record : SegmentFile.scan(channel, channel.size()).records()) {
                byte[] key = chunkKey(record.id());
                byte[] location = index.get(key);
                if (location == null || location.length != LOCATION_LENGTH
                        || ByteBuffer.wrap(location).getInt() != number) {
                    continue;
                }
                batch.delete(key);
                for (byte[] peerKey : keysOfPeers) {
                    batch.delete(knowledgeKey(peerKey, record.id()));
                }
                dropped++;
                if (batch.size() >= EVICTION_BATCH_WRITES) {
                    batch.commit();
                }
            }
            batch.commit();
        }
        // Delete first, so that a reader racing with us cannot reopen the file after its channel is closed.
        Files.deleteIfExists(file);
        FileChannel reader = readChannels.remove(number);
        if (reader != null) {
            reader.close();
        }
        Long size = segmentSizes.remove(number);
        diskBytes.addAndGet(-(size == null ? 0 : size));
        chunks.addAndGet(-dropped);
        evictedSegments.incrementAndGet();
        evictedChunks.addAndGet(dropped);
        long droppedChunks = dropped;
        LOG.fine(() -> "chunk store " + settings.path() + ": dropped segment " + number + " with " + droppedChunks
                + " chunks");
    }

    // ---- keys ----

    private static byte[] chunkKey(ChunkId id) {
        byte[] key = new byte[1 + ChunkId.LENGTH];
        key[0] = CHUNK_PREFIX;
        id.copyTo(key, 1);
        return key;
    }

    private static byte[] knowledgePrefix(byte[] peerKey) {
        byte[] prefix = new byte[1 + PEER_KEY_LENGTH];
        prefix[0] = KNOWLEDGE_PREFIX;
        System.arraycopy(peerKey, 0, prefix, 1, PEER_KEY_LENGTH);
        return prefix;
    }

    private static byte[] knowledgeKey(byte[] peerKey, ChunkId id) {
        byte[] key = new byte[1 + PEER_KEY_LENGTH + ChunkId.LENGTH];
        key[0] = KNOWLEDGE_PREFIX;
        System.arraycopy(peerKey, 0, key, 1, PEER_KEY_LENGTH);
        id.copyTo(key, 1 + PEER_KEY_LENGTH);
        return key;
    }

    private static byte[] metaKey(String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        byte[] key = new byte[1 + utf8.length];
        key[0] = META_PREFIX;
        System.arraycopy(utf8, 0, key, 1, utf8.length);
        return key;
    }

    /** The smallest key above every key starting with {@code prefix} (no prefix here is all 0xff). */
    private static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        int i = end.length - 1;
        while (end[i] == (byte) 0xff) {
            i--;
        }
        end[i]++;
        return Arrays.copyOf(end, i + 1);
    }

    /** First 8 bytes of SHA-256(peerId UTF-8, 0, epoch): one key per peer store incarnation. */
    static byte[] peerKey(String peerId, byte[] peerEpoch) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(peerId.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(peerEpoch);
            return Arrays.copyOf(sha.digest(), PEER_KEY_LENGTH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    private static byte[] joinPeerKeys(List<byte[]> keys) {
        byte[] joined = new byte[keys.size() * PEER_KEY_LENGTH];
        for (int i = 0; i < keys.size(); i++) {
            System.arraycopy(keys.get(i), 0, joined, i * PEER_KEY_LENGTH, PEER_KEY_LENGTH);
        }
        return joined;
    }

    private List<byte[]> splitPeerKeys(byte[] joined) throws IOException {
        if (joined == null) {
            return List.of();
        }
        if (joined.length % PEER_KEY_LENGTH != 0) {
            throw new IOException("chunk store " + settings.path() + ": peer key list has length " + joined.length
                    + " (expected: a multiple of " + PEER_KEY_LENGTH + ')');
        }
        List<byte[]> keys = new ArrayList<>();
        for (int offset = 0; offset < joined.length; offset += PEER_KEY_LENGTH) {
            keys.add(Arrays.copyOfRange(joined, offset, offset + PEER_KEY_LENGTH));
        }
        return List.copyOf(keys);
    }

    /** Knowledge entries of one peer key, read and written directly (non-synced puts are quick). */
    private final class StoredPeerKnowledge implements PeerKnowledge {

        private final byte[] peerKey;

        StoredPeerKnowledge(byte[] peerKey) {
            this.peerKey = peerKey;
        }

        @Override
        public boolean holds(ChunkId id) {
            lifecycle.readLock().lock();
            try {
                ensureOpen();
                byte[] key = knowledgeKey(peerKey, id);
                return pendingKnowledge.containsKey(ByteBuffer.wrap(key)) || index.get(key) != null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                lifecycle.readLock().unlock();
            }
        }

        @Override
        public void learn(ChunkId id) {
            lifecycle.readLock().lock();
            try {
                ensureOpen();
                byte[] key = knowledgeKey(peerKey, id);
                if (pendingKnowledge.putIfAbsent(ByteBuffer.wrap(key), Boolean.TRUE) == null) {
                    knowledgeQueue.add(key);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                lifecycle.readLock().unlock();
            }
        }
    }
}
