package io.wanopt.cache.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.wanopt.cache.ChunkId;
import io.wanopt.cache.chunking.FastCdcChunker;
import io.wanopt.cache.codec.CodecCounters.Kind;
import io.wanopt.cache.store.ChunkStore;
import io.wanopt.cache.store.PeerKnowledge;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one direction of a flow into batches for one peer: cuts the bytes into chunks, and sends
 * each as a zero run, a reference (the peer holds it) or a literal (learned into the local store,
 * and from then on assumed held by the peer).
 *
 * <p>Bytes come either as a stream ({@link #add}), cut by content ({@link FastCdcChunker}), or as
 * chunks the caller cut itself ({@link #addChunk}, for protocol-aware file-block alignment). Not
 * thread-safe: one flow direction, one thread.
 */
public final class ChunkEncoder {

    private static final byte[] ZEROS = new byte[BatchFormat.MAX_CHUNK_LENGTH];
    /**
     * A batch closes when its token list reaches this size, so that a batch of many small chunks
     * still fits the tunnel's frame cap (settings require batch-size + max-size + 64 KiB).
     */
    private static final int MAX_TOKEN_BYTES = 32 << 10;
    /** Zero runs at least this long (a disk block) are cut out of the stream as zero runs. */
    private static final int MIN_ZERO_RUN = 4096;

    private final FastCdcChunker chunker;
    private final ChunkStore store;
    private final PeerKnowledge peer;
    private final LiteralCodec codec;
    private final int zstdLevel;
    private final int batchSize;
    private final ByteBufAllocator allocator;
    private final CodecCounters counters;

    /** Stream bytes not yet cut into chunks: {@code pending[pendingStart, pendingEnd)}. */
    private byte[] pending;
    private int pendingStart;
    private int pendingEnd;

    private ByteBuf tokens;
    private int tokenCount;
    private int decodedLength;
    private boolean zeroRunOpen;
    private int lastZeroRunIndex;
    private int lastZeroRunLength;
    private byte[] literals;
    private int literalLength;
    private byte[] compressed = new byte[0];
    private Map<ChunkId, byte[]> referenced = new HashMap<>();

    /**
     * @param batchSize LAN bytes after which a batch is closed (at most {@link BatchFormat#MAX_BATCH_SIZE})
     */
    public ChunkEncoder(FastCdcChunker chunker, ChunkStore store, PeerKnowledge peer, LiteralCodec codec,
            int zstdLevel, int batchSize, ByteBufAllocator allocator, CodecCounters counters) {
        if (batchSize <= 0 || batchSize > BatchFormat.MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("batchSize: " + batchSize + " (expected: 1-"
                    + BatchFormat.MAX_BATCH_SIZE + ')');
        }
        this.chunker = chunker;
        this.store = store;
        this.peer = peer;
        this.codec = codec;
        this.zstdLevel = zstdLevel;
        this.batchSize = batchSize;
        this.allocator = allocator;
        this.counters = counters;
        this.pending = new byte[Math.max(2 * chunker.maxSize(), 256 << 10)];
        this.literals = new byte[batchSize + chunker.maxSize()];
    }

    /**
     * Adds stream bytes (the readable bytes of {@code data}, which stays the caller's) and appends to
     * {@code out} every batch that became full.
     */
    public void add(ByteBuf data, List<EncodedBatch> out) {
        int length = data.readableBytes();
        int index = data.readerIndex();
        while (length > 0) {
            makeRoom();
            int n = Math.min(length, pending.length - pendingEnd);
            data.getBytes(index, pending, pendingEnd, n);
            pendingEnd += n;
            index += n;
            length -= n;
            cut(false, out);
        }
    }

    /**
     * Adds one chunk cut by the caller (after a forced boundary ending any stream bytes before it).
     * At most {@link BatchFormat#MAX_CHUNK_LENGTH} bytes.
     *
     * @return the chunk's id; null for a chunk of zeros
     */
    public ChunkId addChunk(byte[] data, int offset, int length, List<EncodedBatch> out) {
        if (length > BatchFormat.MAX_CHUNK_LENGTH) {
            throw new IllegalArgumentException("chunk length: " + length + " (expected: at most "
                    + BatchFormat.MAX_CHUNK_LENGTH + ')');
        }
        cut(true, out);
        if (literals.length < literalLength + length) {
            literals = Arrays.copyOf(literals, literalLength + length);
        }
        return chunk(data, offset, length, out);
    }

    /**
     * Adds {@code length} bytes of {@code data} as a slice of chunk {@code whole} at {@code sliceOffset},
     * if the peer holds that chunk, this store holds it intact, and those bytes of it equal the data
     * (after a forced boundary, as {@link #addChunk}). Bytes that are all zeros are never sliced.
     *
     * @return false when not sliced (nothing was added)
     */
    public boolean addSlice(ChunkId whole, int sliceOffset, byte[] data, int offset, int length,
            List<EncodedBatch> out) {
        if (length > BatchFormat.MAX_CHUNK_LENGTH || !peer.holds(whole)
                || Arrays.mismatch(data, offset, offset + length, ZEROS, 0, length) < 0) {
            return false;
        }
        byte[] stored;
        try {
            stored = store.get(whole);
        } catch (IOException e) {
            return false;
        }
        if (stored == null || sliceOffset < 0 || sliceOffset + length > stored.length
                || Arrays.mismatch(stored, sliceOffset, sliceOffset + length, data, offset, offset + length) >= 0
                || !whole.matches(stored, 0, stored.length)) {
            return false;
        }
        cut(true, out);
        if (tokens == null) {
            tokens = allocator.heapBuffer(1024);
        }
        tokens.writeByte(BatchFormat.SLICE);
        BatchFormat.writeVarint(tokens, length);
        whole.writeTo(tokens);
        BatchFormat.writeVarint(tokens, sliceOffset);
        referenced.putIfAbsent(whole, stored);
        counters.add(Kind.LAN_BYTES, length);
        counters.add(Kind.REF_CHUNKS, 1);
        counters.add(Kind.REF_BYTES, length);
        tokenCount++;
        zeroRunOpen = false;
        decodedLength += length;
        if (decodedLength >= batchSize || tokens.readableBytes() >= MAX_TOKEN_BYTES) {
            out.add(finishBatch());
        }
        return true;
    }

    /**
     * Cuts the stream bytes held so far (the tail becomes a chunk) without closing the batch: a
     * caller about to add its own chunks can count what they alone cost.
     */
    public void cutStream(List<EncodedBatch> out) {
        cut(true, out);
    }

    /** Cuts the stream bytes held so far (the tail becomes a chunk) and closes the current batch. */
    public void flush(List<EncodedBatch> out) {
        cut(true, out);
        if (tokenCount > 0) {
            out.add(finishBatch());
        }
    }

    /** Whether bytes are held that {@link #flush} would send. */
    public boolean hasPending() {
        return pendingEnd > pendingStart || tokenCount > 0;
    }

    /** Releases buffers held for an unfinished batch; the encoder is unusable afterwards. */
    public void close() {
        if (tokens != null) {
            tokens.release();
            tokens = null;
        }
    }

    private void makeRoom() {
        if (pendingEnd < pending.length) {
            return;
        }
        int held = pendingEnd - pendingStart;
        System.arraycopy(pending, pendingStart, pending, 0, held);
        pendingStart = 0;
        pendingEnd = held;
    }

    /**
     * Cuts the stream bytes held into chunks. Runs of at least {@link #MIN_ZERO_RUN} zero bytes are
     * cut out as zero runs wherever they lie (a disk image's free blocks cost no hashing,
     * compressing or storing); the bytes between are cut by content. A content boundary is only
     * looked for once {@code maxSize} bytes are in view (or at the end of the input), so a chunk's
     * bytes are scanned once, and where a cut falls depends on the bytes alone, never on how the
     * LAN reads split them.
     */
    private void cut(boolean endOfInput, List<EncodedBatch> out) {
        int maxSize = chunker.maxSize();
        while (pendingEnd > pendingStart) {
            int available = pendingEnd - pendingStart;
            int zeros = zeroPrefix(pendingStart, available);
            if (zeros >= MIN_ZERO_RUN) {
                int run = zeros;
                if (zeros == available && !endOfInput) {
                    // The run may go on: keep its last block, so that whatever follows still
                    // starts with a whole run and the data after it starts where it always does.
                    run = zeros - MIN_ZERO_RUN;
                    if (run == 0) {
                        return;
                    }
                }
                run = Math.min(run, BatchFormat.MAX_CHUNK_LENGTH);
                chunk(pending, pendingStart, run, out);
                pendingStart += run;
                continue;
            }
            // A boundary within maxSize, and a zero run starting before it, need this much in view.
            int view = maxSize + MIN_ZERO_RUN;
            if (available < view && !endOfInput) {
                return;
            }
            int zeroRun = zeroRunStart(pendingStart, Math.min(available, maxSize), Math.min(available, view));
            int length = zeroRun > 0
                    ? chunker.nextChunkLength(pending, pendingStart, zeroRun, true)
                    : chunker.nextChunkLength(pending, pendingStart, available, endOfInput);
            chunk(pending, pendingStart, length, out);
            pendingStart += length;
        }
        pendingStart = 0;
        pendingEnd = 0;
    }

    /** How many of the {@code length} pending bytes from {@code start} are zeros before the first other byte. */
    private int zeroPrefix(int start, int length) {
        int n = Math.min(length, ZEROS.length);
        int mismatch = Arrays.mismatch(pending, start, start + n, ZEROS, 0, n);
        return mismatch < 0 ? n : mismatch;
    }

    /**
     * Where the first run of at least {@link #MIN_ZERO_RUN} zeros that starts within {@code limit}
     * bytes from {@code start} begins, looking at no more than {@code view} bytes; -1 when there is
     * none. Any such run holds a whole zero half-run block at a multiple of half the run length, so
     * those blocks are checked and the zeros around a hit counted.
     */
    private int zeroRunStart(int start, int limit, int view) {
        int half = MIN_ZERO_RUN / 2;
        for (int block = half; block < limit && block + half <= view; block += half) {
            if (Arrays.mismatch(pending, start + block, start + block + half, ZEROS, 0, half) < 0) {
                int runStart = block;
                while (runStart > 0 && pending[start + runStart - 1] == 0) {
                    runStart--;
                }
                int runEnd = block + half;
                while (runEnd < view && pending[start + runEnd] == 0) {
                    runEnd++;
                }
                if (runStart < limit && runEnd - runStart >= MIN_ZERO_RUN) {
                    return runStart;
                }
                block = runEnd / half * half;
            }
        }
        return -1;
    }

    private ChunkId chunk(byte[] data, int offset, int length, List<EncodedBatch> out) {
        if (tokens == null) {
            tokens = allocator.heapBuffer(1024);
        }
        counters.add(Kind.LAN_BYTES, length);
        ChunkId id = null;
        if (Arrays.mismatch(data, offset, offset + length, ZEROS, 0, length) < 0) {
            zeroRun(length);
        } else {
            id = ChunkId.of(data, offset, length);
            if (peer.holds(id)) {
                tokens.writeByte(BatchFormat.REF);
                BatchFormat.writeVarint(tokens, length);
                id.writeTo(tokens);
                referenced.computeIfAbsent(id, chunkId -> Arrays.copyOfRange(data, offset, offset + length));
                counters.add(Kind.REF_CHUNKS, 1);
                counters.add(Kind.REF_BYTES, length);
            } else {
                tokens.writeByte(BatchFormat.LITERAL);
                BatchFormat.writeVarint(tokens, length);
                id.writeTo(tokens);
                System.arraycopy(data, offset, literals, literalLength, length);
                literalLength += length;
                learn(id, data, offset, length);
                counters.add(Kind.LITERAL_CHUNKS, 1);
                counters.add(Kind.LITERAL_BYTES, length);
            }
            tokenCount++;
            zeroRunOpen = false;
        }
        decodedLength += length;
        if (decodedLength >= batchSize || literalLength >= batchSize || tokens.readableBytes() >= MAX_TOKEN_BYTES) {
            out.add(finishBatch());
        }
        return id;
    }

    private void learn(ChunkId id, byte[] data, int offset, int length) {
        try {
            store.put(id, data, offset, length);
        } catch (IOException e) {
            throw new UncheckedIOException("chunk store put failed", e);
        }
        peer.learn(id);
    }

    /** Consecutive zero chunks become one token; the run is the last token, so its length is rewritten in place. */
    private void zeroRun(int length) {
        if (zeroRunOpen
                && lastZeroRunLength + (long) length <= BatchFormat.MAX_CHUNK_LENGTH) {
            lastZeroRunLength += length;
            tokens.setIndex(tokens.readerIndex(), lastZeroRunIndex);
        } else {
            tokens.writeByte(BatchFormat.ZERO);
            lastZeroRunIndex = tokens.writerIndex();
            lastZeroRunLength = length;
            tokenCount++;
            zeroRunOpen = true;
            counters.add(Kind.ZERO_RUNS, 1);
        }
        BatchFormat.writeVarint(tokens, lastZeroRunLength);
        counters.add(Kind.ZERO_BYTES, length);
    }

    private EncodedBatch finishBatch() {
        LiteralCodec used = LiteralCodec.RAW;
        int wireLength = literalLength;
        if (literalLength > 0 && codec != LiteralCodec.RAW) {
            int bound = codec.maxCompressedLength(literalLength);
            if (compressed.length < bound) {
                compressed = new byte[bound];
            }
            int n = codec.compress(literals, literalLength, compressed, zstdLevel);
            if (n >= 0) {
                used = codec;
                wireLength = n;
            }
        }
        ByteBuf body = allocator.buffer(16 + tokens.readableBytes() + wireLength);
        body.writeByte(used.code());
        BatchFormat.writeVarint(body, tokenCount);
        body.writeBytes(tokens);
        BatchFormat.writeVarint(body, literalLength);
        BatchFormat.writeVarint(body, wireLength);
        body.writeBytes(used == LiteralCodec.RAW ? literals : compressed, 0, wireLength);
        counters.add(Kind.LITERAL_WIRE_BYTES, wireLength);
        counters.add(Kind.BATCHES, 1);
        EncodedBatch batch = new EncodedBatch(body, decodedLength, referenced);
        tokens.clear();
        tokenCount = 0;
        decodedLength = 0;
        literalLength = 0;
        zeroRunOpen = false;
        referenced = new HashMap<>();
        return batch;
    }
}
