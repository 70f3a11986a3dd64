package io.wanopt.cache.codec;

import io.netty.buffer.ByteBuf;
import io.wanopt.cache.ChunkId;
import io.wanopt.cache.codec.CodecCounters.Kind;
import io.wanopt.cache.store.ChunkStore;
import io.wanopt.cache.store.PeerKnowledge;
import io.wanopt.protocols.MalformedInputException;
import java.io.IOException;
import java.util.Arrays;

/**
 * Resolves batches from one peer ({@link BatchFormat}): literals are verified against their ids and
 * learned (the sender holds them too), references are read from the local store and verified. A
 * reference the store lacks, or whose stored bytes do not match (corrupt on disk), is left missing
 * for the flow to repair; it is never delivered unverified. Not thread-safe: one flow direction.
 */
public final class ChunkDecoder {

    private final ChunkStore store;
    private final PeerKnowledge sender;
    private final CodecCounters counters;
    private byte[] literals = new byte[0];
    private byte[] block = new byte[0];

    public ChunkDecoder(ChunkStore store, PeerKnowledge sender, CodecCounters counters) {
        this.store = store;
        this.sender = sender;
        this.counters = counters;
    }

    /**
     * Parses and resolves one batch body; {@code streamOffset} is where it starts in the tunnel
     * stream (for error messages). The body stays the caller's.
     *
     * @throws MalformedInputException when the body breaks the format or a literal does not match its id
     */
    public DecodedBatch decode(ByteBuf body, long streamOffset) throws IOException {
        long base = streamOffset - body.readerIndex();
        if (!body.isReadable()) {
            throw new MalformedInputException("empty batch at offset " + streamOffset);
        }
        LiteralCodec codec = LiteralCodec.ofCode(body.readUnsignedByte(), streamOffset);
        int tokenCount = BatchFormat.readVarint(body, "token count", body.readableBytes() / 2, base);
        int[] kinds = new int[tokenCount];
        int[] lengths = new int[tokenCount];
        ChunkId[] ids = new ChunkId[tokenCount];
        int[] sliceOffsets = new int[tokenCount];
        long decoded = 0;
        long literalSum = 0;
        for (int i = 0; i < tokenCount; i++) {
            long at = base + body.readerIndex();
            if (!body.isReadable()) {
                throw new MalformedInputException("truncated token " + i + " at offset " + at);
            }
            int kind = body.readUnsignedByte();
            if (kind > BatchFormat.SLICE) {
                throw new MalformedInputException("unknown token kind " + kind + " (expected: 0-3) at offset " + at);
            }
            int length = BatchFormat.readVarint(body, "chunk length", BatchFormat.MAX_CHUNK_LENGTH, base);
            if (length == 0) {
                throw new MalformedInputException("empty chunk token at offset " + at);
            }
            if (kind != BatchFormat.ZERO) {
                if (body.readableBytes() < ChunkId.LENGTH) {
                    throw new MalformedInputException("truncated chunk id at offset " + (base + body.readerIndex()));
                }
                ids[i] = ChunkId.read(body);
            }
            if (kind == BatchFormat.SLICE) {
                sliceOffsets[i] = BatchFormat.readVarint(body, "slice offset", BatchFormat.MAX_CHUNK_LENGTH - length, base);
            }
            if (kind == BatchFormat.LITERAL) {
                literalSum += length;
            }
            kinds[i] = kind;
            lengths[i] = length;
            decoded += length;
            if (decoded > BatchFormat.MAX_DECODED_LENGTH) {
                throw MalformedInputException.outOfRange("batch length", decoded, BatchFormat.MAX_DECODED_LENGTH, at);
            }
        }
        int literalLength = BatchFormat.readVarint(body, "literal length", BatchFormat.MAX_DECODED_LENGTH, base);
        if (literalLength != literalSum) {
            throw new MalformedInputException("literal length " + literalLength + " (expected: " + literalSum
                    + ") at offset " + (base + body.readerIndex()));
        }
        int wireLength = BatchFormat.readVarint(body, "literal block length", body.readableBytes(), base);
        if (wireLength != body.readableBytes()) {
            throw new MalformedInputException("literal block of " + wireLength + " bytes but " + body.readableBytes()
                    + " follow at offset " + (base + body.readerIndex()));
        }
        readLiterals(body, codec, wireLength, literalLength, base + body.readerIndex());

        byte[][] resolved = new byte[tokenCount][];
        int literalOffset = 0;
        for (int i = 0; i < tokenCount; i++) {
            if (kinds[i] == BatchFormat.LITERAL) {
                ChunkId id = ids[i];
                if (!id.matches(literals, literalOffset, lengths[i])) {
                    throw new MalformedInputException("literal chunk " + id + " does not match its bytes (batch at offset "
                            + streamOffset + ')');
                }
                resolved[i] = Arrays.copyOfRange(literals, literalOffset, literalOffset + lengths[i]);
                literalOffset += lengths[i];
                store.adopt(id, resolved[i]);
                sender.learn(id);
                counters.add(Kind.LITERAL_CHUNKS, 1);
                counters.add(Kind.LITERAL_BYTES, lengths[i]);
            }
        }
        for (int i = 0; i < tokenCount; i++) {
            if (kinds[i] == BatchFormat.REF || kinds[i] == BatchFormat.SLICE) {
                int wholeLength = kinds[i] == BatchFormat.REF ? lengths[i] : -1;
                resolved[i] = readVerified(ids[i], wholeLength);
                if (resolved[i] != null && !DecodedBatch.fits(kinds[i], lengths[i], sliceOffsets[i], resolved[i])) {
                    throw new MalformedInputException("slice of " + lengths[i] + " bytes at " + sliceOffsets[i]
                            + " of chunk " + ids[i] + " (" + resolved[i].length + " bytes) at batch offset " + streamOffset);
                }
                counters.add(Kind.REF_CHUNKS, 1);
                counters.add(Kind.REF_BYTES, lengths[i]);
            } else if (kinds[i] == BatchFormat.ZERO) {
                counters.add(Kind.ZERO_RUNS, 1);
                counters.add(Kind.ZERO_BYTES, lengths[i]);
            }
        }
        counters.add(Kind.LITERAL_WIRE_BYTES, wireLength);
        counters.add(Kind.BATCHES, 1);
        counters.add(Kind.LAN_BYTES, decoded);
        DecodedBatch batch = new DecodedBatch(kinds, lengths, sliceOffsets, ids, resolved, (int) decoded);
        counters.add(Kind.MISSES_REPAIRED, batch.missing().size());
        return batch;
    }

    private void readLiterals(ByteBuf body, LiteralCodec codec, int wireLength, int literalLength, long offset) {
        if (literals.length < literalLength) {
            literals = new byte[literalLength];
        }
        if (block.length < wireLength) {
            block = new byte[wireLength];
        }
        body.readBytes(block, 0, wireLength);
        codec.decompress(block, 0, wireLength, literals, literalLength, offset);
    }

    /**
     * The verified bytes of a referenced chunk from the local store, or null when missing or corrupt;
     * {@code length} is the chunk's length, or -1 when not known (a slice).
     */
    private byte[] readVerified(ChunkId id, int length) throws IOException {
        byte[] bytes = store.get(id);
        if (bytes == null) {
            return null;
        }
        if ((length >= 0 && bytes.length != length) || !id.matches(bytes, 0, bytes.length)) {
            store.forget(id);
            counters.add(Kind.CORRUPT_CHUNKS, 1);
            return null;
        }
        return bytes;
    }
}
