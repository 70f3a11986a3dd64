package io.wanopt.proxy.follow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.wanopt.cache.ChunkId;
import io.wanopt.cache.codec.ChunkDecoder;
import io.wanopt.cache.codec.CodecCounters;
import io.wanopt.cache.codec.DecodedBatch;
import io.wanopt.cache.codec.EncodedBatch;
import io.wanopt.cache.store.SegmentChunkStore;
import io.wanopt.config.StoreSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The far appliance for follower tests: its own chunk store in {@code dir} and a decoder for what an
 * {@link EncodingFixture}'s encoder sent, giving back the LAN bytes the batches carry; a test says what
 * those should be with {@link #expect} and checks with {@link #assertGotExpected}.
 */
final class FarSide implements AutoCloseable {

    private final SegmentChunkStore store;
    private final ChunkDecoder decoder;
    private final EncodingFixture sender;
    private final ByteArrayOutputStream expected = new ByteArrayOutputStream();
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    FarSide(Path dir, EncodingFixture sender) throws IOException {
        this.sender = sender;
        store = SegmentChunkStore.open(new StoreSettings(dir, 1L << 30, 8 << 20, 16 << 20, 4 << 20));
        decoder = new ChunkDecoder(store, store.peer("far", sender.store.epoch()), new CodecCounters());
    }

    /** The far side should get {@code bytes} after what was expected before. */
    void expect(byte[] bytes) {
        expected.writeBytes(bytes);
    }

    /** Bytes expected so far. */
    int expectedBytes() {
        return expected.size();
    }

    /** Flushes the sender's encoder and checks that all it sent decodes to exactly the bytes expected so far. */
    void assertGotExpected() throws IOException {
        sender.encoder.flush(sender.batches);
        received.writeBytes(decode(sender.batches));
        assertArrayEquals(expected.toByteArray(), received.toByteArray());
    }

    /** Decodes {@code batches} in order, releasing and removing them; the bytes they carry. */
    byte[] decode(List<EncodedBatch> batches) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (EncodedBatch batch : batches) {
            DecodedBatch decoded;
            try {
                decoded = decoder.decode(batch.body(), 0);
            } finally {
                batch.body().release();
            }
            for (ChunkId id : List.copyOf(decoded.missing())) {
                decoded.supply(id, batch.referenced().get(id), store);
            }
            ByteBuf lan = decoded.assemble(ByteBufAllocator.DEFAULT);
            byte[] bytes = new byte[lan.readableBytes()];
            lan.readBytes(bytes);
            lan.release();
            out.writeBytes(bytes);
        }
        batches.clear();
        return out.toByteArray();
    }

    @Override
    public void close() throws IOException {
        store.close();
    }
}
