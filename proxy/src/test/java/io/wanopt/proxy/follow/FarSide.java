package io.wanopt.proxy.follow;

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
 * {@link EncodingFixture}'s encoder sent, giving back the LAN bytes the batches carry.
 */
final class FarSide implements AutoCloseable {

    private final SegmentChunkStore store;
    private final ChunkDecoder decoder;

    FarSide(Path dir, EncodingFixture sender) throws IOException {
        store = SegmentChunkStore.open(new StoreSettings(dir, 1L << 30, 8 << 20, 16 << 20, 4 << 20));
        decoder = new ChunkDecoder(store, store.peer("far", sender.store.epoch()), new CodecCounters());
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
