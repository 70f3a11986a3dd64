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
    private int lastTokenKind = -1;
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
     */
    public void addChunk(byte[] data, int offset, int length, List<EncodedBatch> out) {
        if (length > BatchFormat.MAX_CHUNK_LENGTH) {
            throw new IllegalArgumentException("chunk length: " + length + " (expected: at most "
                    + BatchFormat.MAX_CHUNK_LENGTH + ')');
        }
        cut(true, out);
        if (literals.length < literalLength + length) {
            literals = Arrays.copyOf(literals, literalLength + length);
        }
        chunk(data, offset, length, out);
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

    private void cut(boolean endOfInput, List<EncodedBatch> out) {
        while (pendingEnd > pendingStart) {
            int length = chunker.nextChunkLength(pending, pendingStart, pendingEnd - pendingStart, endOfInput);
            if (length < 0) {
                return;
            }
            chunk(pending, pendingStart, length, out);
            pendingStart += length;
        }
        pendingStart = 0;
        pendingEnd = 0;
    }

    private void chunk(byte[] data, int offset, int length, List<EncodedBatch> out) {
        if (tokens == null) {
            tokens = allocator.heapBuffer(1024);
        }
        counters.add(Kind.LAN_BYTES, length);
        if (Arrays.mismatch(data, offset, offset + length, ZEROS, 0, length) < 0) {
            zeroRun(length);
        } else {
            ChunkId id = ChunkId.of(data, offset, length);
            if (peer.holds(id)) {
                tokens.writeByte(BatchFormat.REF);
                BatchFormat.writeVarint(tokens, length);
                id.writeTo(tokens);
                referenced.putIfAbsent(id, Arrays.copyOfRange(data, offset, offset + length));
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
            lastTokenKind = -1;
        }
        decodedLength += length;
        if (decodedLength >= batchSize || literalLength >= batchSize) {
            out.add(finishBatch());
        }
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
        if (lastTokenKind == BatchFormat.ZERO
                && lastZeroRunLength + (long) length <= BatchFormat.MAX_CHUNK_LENGTH) {
            lastZeroRunLength += length;
            tokens.setIndex(tokens.readerIndex(), lastZeroRunIndex);
        } else {
            tokens.writeByte(BatchFormat.ZERO);
            lastZeroRunIndex = tokens.writerIndex();
            lastZeroRunLength = length;
            tokenCount++;
            lastTokenKind = BatchFormat.ZERO;
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
        lastTokenKind = -1;
        referenced = new HashMap<>();
        return batch;
    }
}
