package io.wanopt.proxy.follow;

import io.netty.buffer.ByteBufAllocator;
import io.wanopt.cache.chunking.FastCdcChunker;
import io.wanopt.cache.codec.ChunkEncoder;
import io.wanopt.cache.codec.CodecCounters;
import io.wanopt.cache.codec.EncodedBatch;
import io.wanopt.cache.codec.LiteralCodec;
import io.wanopt.cache.store.SegmentChunkStore;
import io.wanopt.config.ChunkingSettings;
import io.wanopt.config.SmartReadSettings;
import io.wanopt.config.StoreSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A flow's encoder for follower tests: a real chunk store in {@code dir}, raw literals, batches kept. */
final class EncodingFixture implements AutoCloseable {

    final CodecCounters codecCounters = new CodecCounters();
    /** Batches the follower sent (released on close). */
    final List<EncodedBatch> batches = new ArrayList<>();
    final SegmentChunkStore store;
    final ChunkEncoder encoder;
    /** SmartRead as an appliance has it by default: guest-free blocks kept. */
    final SmartReadMaps smartReadMaps = new SmartReadMaps(new SmartReadSettings(SmartReadSettings.UnusedBlocks.KEEP,
            List.of(), false, Duration.ofSeconds(30), 4), new FollowCounters());

    EncodingFixture(Path dir) throws IOException {
        store = SegmentChunkStore.open(new StoreSettings(dir, 1L << 30, 8 << 20, 16 << 20, 4 << 20));
        encoder = new ChunkEncoder(new FastCdcChunker(new ChunkingSettings(2048, 8192, 65536)), store,
                store.peer("far", new byte[16]), LiteralCodec.RAW, 3, 256 << 10, ByteBufAllocator.DEFAULT,
                codecCounters);
    }

    @Override
    public void close() throws IOException {
        smartReadMaps.close();
        encoder.close();
        batches.forEach(batch -> batch.body().release());
        store.close();
    }
}
