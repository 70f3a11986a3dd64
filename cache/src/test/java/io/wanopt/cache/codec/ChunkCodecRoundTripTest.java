package io.wanopt.cache.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.wanopt.cache.ChunkId;
import io.wanopt.cache.chunking.FastCdcChunker;
import io.wanopt.cache.codec.CodecCounters.Kind;
import io.wanopt.cache.store.SegmentChunkStore;
import io.wanopt.config.ChunkingSettings;
import io.wanopt.config.StoreSettings;
import io.wanopt.protocols.MalformedInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Encoder to decoder over real chunk stores: whatever goes in comes out, byte for byte. */
class ChunkCodecRoundTripTest {

    private static final FastCdcChunker CHUNKER = new FastCdcChunker(new ChunkingSettings(2048, 8192, 65536));

    @TempDir
    Path dir;
    private SegmentChunkStore senderStore;
    private SegmentChunkStore receiverStore;

    @BeforeEach
    void openStores() throws IOException {
        senderStore = SegmentChunkStore.open(settings(dir.resolve("sender")));
        receiverStore = SegmentChunkStore.open(settings(dir.resolve("receiver")));
    }

    @AfterEach
    void closeStores() throws IOException {
        senderStore.close();
        receiverStore.close();
    }

    private static StoreSettings settings(Path path) {
        return new StoreSettings(path, 1L << 30, 8 << 20, 64 << 20, 8 << 20);
    }

    @Test
    void randomRepetitiveAndZeroHeavyStreamsSurviveAnySplit() throws IOException {
        for (int seed = 0; seed < 24; seed++) {
            Random random = new Random(seed);
            byte[] stream = switch (seed % 3) {
                case 0 -> randomBytes(random, 300_000 + random.nextInt(300_000));
                case 1 -> repetitive(random, 600_000);
                default -> zeroHeavy(random, 700_000);
            };
            LiteralCodec codec = LiteralCodec.values()[seed % LiteralCodec.values().length];
            Transfer transfer = new Transfer(codec, 64 << 10);
            byte[] first = transfer.send(stream, random);
            assertArrayEquals(stream, first, "seed " + seed + " first pass");
            byte[] second = transfer.send(stream, random);
            assertArrayEquals(stream, second, "seed " + seed + " second pass");
            if (seed % 3 != 2) {
                assertEquals(0, transfer.sent.get(Kind.LITERAL_BYTES) - transfer.literalBytesAfterFirst,
                        "seed " + seed + ": a second pass of the same bytes sends no literal");
            }
        }
    }

    @Test
    void zeroBlocksInsideDataCrossAsZeroRunsWhateverTheReadSizes() throws IOException {
        Random random = new Random(11);
        // A disk-like layout: 4 KiB blocks, about a third of them zero, in runs of 1 to 4 blocks.
        byte[] image = new byte[4 << 20];
        int zeroBytes = 0;
        for (int block = 0; block < image.length / 4096; ) {
            int run = 1 + random.nextInt(4);
            boolean zero = random.nextInt(3) == 0;
            for (int i = 0; i < run && block < image.length / 4096; i++, block++) {
                if (zero) {
                    zeroBytes += 4096;
                } else {
                    for (int b = 0; b < 4096; b++) {
                        image[block * 4096 + b] = (byte) (1 + random.nextInt(255));
                    }
                }
            }
        }
        Transfer first = new Transfer(LiteralCodec.LZ4, 64 << 10);
        assertArrayEquals(image, first.send(image, random));
        assertEquals(zeroBytes, first.sent.get(Kind.ZERO_BYTES), "every zero block crossed as a zero run");
        long literalsFirst = first.sent.get(Kind.LITERAL_BYTES);
        assertEquals(image.length - zeroBytes, literalsFirst);
        // The same image again, split into other read sizes: the same chunks, so nothing new.
        assertArrayEquals(image, first.send(image, new Random(12)));
        assertEquals(literalsFirst, first.sent.get(Kind.LITERAL_BYTES), "no new literal on the second pass");
    }

    @Test
    void batchesOfManyTinyCallerCutChunksStayWithinTheFrameBudget() throws IOException {
        Transfer transfer = new Transfer(LiteralCodec.RAW, 256 << 10);
        Random random = new Random(5);
        List<EncodedBatch> batches = new ArrayList<>();
        byte[] piece = new byte[3];
        for (int i = 0; i < 50_000; i++) {
            random.nextBytes(piece);
            piece[0] |= 1;
            transfer.encoder.addChunk(piece, 0, 1 + random.nextInt(3), batches);
        }
        transfer.encoder.flush(batches);
        assertTrue(batches.size() > 1, "the token list closed batches early");
        for (EncodedBatch batch : batches) {
            assertTrue(batch.body().readableBytes() <= (256 << 10) + CHUNKER.maxSize() + (64 << 10),
                    "batch body of " + batch.body().readableBytes() + " bytes");
            DecodedBatch decoded = transfer.decoder.decode(batch.body(), 0);
            assertTrue(decoded.missing().isEmpty());
            batch.body().release();
        }
    }

    @Test
    void referencesTheReceiverLacksAreRepairedFromThePinnedBytes() throws IOException {
        Random random = new Random(7);
        byte[] stream = randomBytes(random, 400_000);
        Transfer transfer = new Transfer(LiteralCodec.LZ4, 64 << 10);
        transfer.send(stream, random);
        receiverStore.close();
        // Same epoch, lost chunks: the sender still believes the receiver holds them.
        SegmentChunkStore wiped = SegmentChunkStore.open(settings(dir.resolve("receiver")));
        for (ChunkId id : transfer.lastIds) {
            wiped.forget(id);
        }
        receiverStore = wiped;
        Transfer again = transfer.withReceiver(wiped);
        assertArrayEquals(stream, again.send(stream, random));
        assertTrue(again.received.get(Kind.MISSES_REPAIRED) > 0, "repairs were counted");
    }

    @Test
    void partOfAChunkSentBeforeCrossesAsASliceAndIsRepairedLikeAReference() throws IOException {
        Transfer transfer = new Transfer(LiteralCodec.RAW, 64 << 10);
        byte[] block = randomBytes(new Random(21), 32 * 1024);
        List<EncodedBatch> batches = new ArrayList<>();
        ChunkId whole = transfer.encoder.addChunk(block, 0, block.length, batches);
        transfer.encoder.flush(batches);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        transfer.drain(batches, out);

        byte[] part = Arrays.copyOfRange(block, 5000, 9000);
        assertTrue(transfer.encoder.addSlice(whole, 5000, part, 0, part.length, batches));
        transfer.encoder.flush(batches);
        long literalBytes = transfer.sent.get(Kind.LITERAL_BYTES);
        out.reset();
        transfer.drain(batches, out);
        assertArrayEquals(part, out.toByteArray());
        assertEquals(block.length, literalBytes, "the slice sent no literal");

        // Bytes that differ from the chunk's are never sliced, nor is a chunk the peer lacks.
        part[0] ^= 1;
        assertFalse(transfer.encoder.addSlice(whole, 5000, part, 0, part.length, batches));
        assertFalse(transfer.encoder.addSlice(ChunkId.of(part, 0, part.length), 0, part, 0, 10, batches));

        // The receiver lost the chunk: the slice waits for a repair of the whole chunk, then delivers.
        receiverStore.forget(whole);
        part[0] ^= 1;
        assertTrue(transfer.encoder.addSlice(whole, 5000, part, 0, part.length, batches));
        transfer.encoder.flush(batches);
        out.reset();
        transfer.drain(batches, out);
        assertArrayEquals(part, out.toByteArray());
    }

    @Test
    void aSliceBeyondItsChunkIsRejected() throws IOException {
        Transfer transfer = new Transfer(LiteralCodec.RAW, 64 << 10);
        byte[] block = randomBytes(new Random(22), 4096);
        List<EncodedBatch> batches = new ArrayList<>();
        ChunkId whole = transfer.encoder.addChunk(block, 0, block.length, batches);
        transfer.encoder.flush(batches);
        transfer.drain(batches, new ByteArrayOutputStream());
        ByteBuf body = Unpooled.buffer();
        body.writeByte(LiteralCodec.RAW.code()).writeByte(1).writeByte(BatchFormat.SLICE).writeByte(100);
        whole.writeTo(body);
        body.writeByte(0x80).writeByte(0x20); // offset 4096: past the chunk's end
        body.writeByte(0).writeByte(0);
        MalformedInputException e = assertThrows(MalformedInputException.class, () -> transfer.decoder.decode(body, 0));
        assertTrue(e.getMessage().contains("slice of 100 bytes at 4096"), e.getMessage());
        body.release();
    }

    @Test
    void corruptBatchesAreRejectedWithTheOffset() throws IOException {
        Transfer transfer = new Transfer(LiteralCodec.ZSTD, 64 << 10);
        ChunkDecoder decoder = transfer.decoder;
        ByteBuf unknownCodec = Unpooled.wrappedBuffer(new byte[] {9, 0, 0, 0});
        MalformedInputException e = assertThrows(MalformedInputException.class, () -> decoder.decode(unknownCodec, 100));
        assertTrue(e.getMessage().contains("offset 100"), e.getMessage());
        unknownCodec.release();
        ByteBuf hugeChunk = Unpooled.wrappedBuffer(new byte[] {0, 1, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f});
        e = assertThrows(MalformedInputException.class, () -> decoder.decode(hugeChunk, 0));
        assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
        hugeChunk.release();
        ByteBuf truncated = Unpooled.wrappedBuffer(new byte[] {0, 5});
        assertThrows(MalformedInputException.class, () -> decoder.decode(truncated, 0));
        truncated.release();
    }

    @Test
    void literalsThatDoNotMatchTheirIdAreNeverDelivered() throws IOException {
        Transfer transfer = new Transfer(LiteralCodec.RAW, 64 << 10);
        List<EncodedBatch> batches = new ArrayList<>();
        ByteBuf data = Unpooled.wrappedBuffer(randomBytes(new Random(3), 20_000));
        transfer.encoder.add(data, batches);
        data.release();
        transfer.encoder.flush(batches);
        ByteBuf body = batches.get(0).body();
        body.setByte(body.writerIndex() - 1, body.getByte(body.writerIndex() - 1) ^ 1);
        assertThrows(MalformedInputException.class, () -> transfer.decoder.decode(body, 0));
        batches.forEach(b -> b.body().release());
    }

    private final List<Transfer> transfers = new ArrayList<>();

    @AfterEach
    void closeEncoders() {
        transfers.forEach(t -> t.encoder.close());
    }

    private final class Transfer {
        final CodecCounters sent = new CodecCounters();
        final CodecCounters received = new CodecCounters();
        final ChunkEncoder encoder;
        final ChunkDecoder decoder;
        final LiteralCodec codec;
        final int batchSize;
        final SegmentChunkStore receiver;
        long literalBytesAfterFirst = -1;
        List<ChunkId> lastIds = new ArrayList<>();

        Transfer(LiteralCodec codec, int batchSize) {
            this(codec, batchSize, receiverStore);
        }

        private Transfer(LiteralCodec codec, int batchSize, SegmentChunkStore receiver) {
            this.codec = codec;
            this.batchSize = batchSize;
            this.receiver = receiver;
            encoder = new ChunkEncoder(CHUNKER, senderStore, senderStore.peer("receiver", receiver.epoch()), codec, 3,
                    batchSize, PooledByteBufAllocator.DEFAULT, sent);
            decoder = new ChunkDecoder(receiver, receiver.peer("sender", senderStore.epoch()), received);
            transfers.add(this);
        }

        Transfer withReceiver(SegmentChunkStore newReceiver) {
            return new Transfer(codec, batchSize, newReceiver);
        }

        byte[] send(byte[] stream, Random random) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            List<EncodedBatch> batches = new ArrayList<>();
            lastIds = new ArrayList<>();
            int offset = 0;
            while (offset < stream.length) {
                int piece = Math.min(stream.length - offset, 1 + random.nextInt(100_000));
                ByteBuf data = Unpooled.wrappedBuffer(stream, offset, piece);
                encoder.add(data, batches);
                data.release();
                offset += piece;
                drain(batches, out);
            }
            encoder.flush(batches);
            drain(batches, out);
            if (literalBytesAfterFirst < 0) {
                literalBytesAfterFirst = sent.get(Kind.LITERAL_BYTES);
            }
            return out.toByteArray();
        }

        private void drain(List<EncodedBatch> batches, ByteArrayOutputStream out) throws IOException {
            for (EncodedBatch batch : batches) {
                DecodedBatch decoded;
                try {
                    decoded = decoder.decode(batch.body(), 0);
                } finally {
                    batch.body().release();
                }
                lastIds.addAll(decoded.chunkIds());
                for (ChunkId id : List.copyOf(decoded.missing())) {
                    byte[] pinned = batch.referenced().get(id);
                    assertTrue(decoded.supply(id, pinned, receiver), "pinned bytes match " + id);
                }
                assertFalse(!decoded.missing().isEmpty());
                ByteBuf lan = decoded.assemble(PooledByteBufAllocator.DEFAULT);
                assertEquals(batch.decodedLength(), lan.readableBytes());
                byte[] bytes = new byte[lan.readableBytes()];
                lan.readBytes(bytes);
                lan.release();
                out.write(bytes);
            }
            batches.clear();
        }
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** A few random blocks repeated in random order, with text-like runs between. */
    private static byte[] repetitive(Random random, int length) {
        byte[][] blocks = new byte[6][];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = randomBytes(random, 3000 + random.nextInt(20_000));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (out.size() < length) {
            byte[] block = blocks[random.nextInt(blocks.length)];
            out.write(block, 0, block.length);
            for (int i = random.nextInt(200); i > 0; i--) {
                out.write('a' + random.nextInt(4));
            }
        }
        return java.util.Arrays.copyOf(out.toByteArray(), length);
    }

    /** Mostly zeros, with random islands. */
    private static byte[] zeroHeavy(Random random, int length) {
        byte[] bytes = new byte[length];
        for (int islands = 20; islands > 0; islands--) {
            int at = random.nextInt(length - 5000);
            int len = 1 + random.nextInt(5000);
            for (int i = at; i < at + len; i++) {
                bytes[i] = (byte) random.nextInt(256);
            }
        }
        return bytes;
    }
}
