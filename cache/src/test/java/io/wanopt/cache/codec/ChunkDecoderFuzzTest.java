package io.wanopt.cache.codec;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.wanopt.cache.chunking.FastCdcChunker;
import io.wanopt.cache.store.SegmentChunkStore;
import io.wanopt.config.ChunkingSettings;
import io.wanopt.config.StoreSettings;
import io.wanopt.protocols.MalformedInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutated and truncated batches: the decoder either decodes them or throws its
 * {@link MalformedInputException}; never another exception, and never a delivered wrong byte
 * (every chunk it resolves matches its id).
 */
class ChunkDecoderFuzzTest {

    @TempDir
    Path dir;

    @Test
    void mutatedBatchesAreDecodedOrRejectedCleanly() throws IOException {
        try (SegmentChunkStore sender = SegmentChunkStore.open(settings(dir.resolve("s")));
                SegmentChunkStore receiver = SegmentChunkStore.open(settings(dir.resolve("r")))) {
            Random random = new Random(99);
            List<byte[]> bodies = new ArrayList<>();
            for (LiteralCodec codec : LiteralCodec.values()) {
                ChunkEncoder encoder = new ChunkEncoder(new FastCdcChunker(new ChunkingSettings(256, 1024, 4096)), sender,
                        sender.peer("r", receiver.epoch()), codec, 3, 16 << 10, PooledByteBufAllocator.DEFAULT,
                        new CodecCounters());
                byte[] data = new byte[200_000];
                for (int i = 0; i < data.length; i++) {
                    data[i] = (byte) (i % 1000 < 300 ? 0 : random.nextInt(16));
                }
                List<EncodedBatch> batches = new ArrayList<>();
                ByteBuf in = Unpooled.wrappedBuffer(data);
                encoder.add(in, batches);
                encoder.add(in.resetReaderIndex(), batches);
                in.release();
                encoder.flush(batches);
                encoder.close();
                for (EncodedBatch batch : batches) {
                    byte[] body = new byte[batch.body().readableBytes()];
                    batch.body().readBytes(body);
                    batch.body().release();
                    bodies.add(body);
                }
            }
            ChunkDecoder decoder = new ChunkDecoder(receiver, receiver.peer("s", sender.epoch()), new CodecCounters());
            int rejected = 0;
            for (int round = 0; round < 3000; round++) {
                byte[] body = bodies.get(random.nextInt(bodies.size())).clone();
                int length = body.length;
                switch (round % 3) {
                    case 0 -> body[random.nextInt(body.length)] ^= (byte) (1 + random.nextInt(255));
                    case 1 -> length = random.nextInt(body.length);
                    default -> {
                        for (int i = 0; i < 8; i++) {
                            body[random.nextInt(Math.min(body.length, 64))] = (byte) random.nextInt(256);
                        }
                    }
                }
                ByteBuf buf = Unpooled.wrappedBuffer(body, 0, length);
                try {
                    DecodedBatch batch = decoder.decode(buf, 0);
                    if (batch.missing().isEmpty()) {
                        ByteBuf out = batch.assemble(PooledByteBufAllocator.DEFAULT);
                        assertTrue(out.readableBytes() == batch.decodedLength());
                        out.release();
                    }
                } catch (MalformedInputException e) {
                    rejected++;
                } finally {
                    buf.release();
                }
            }
            assertTrue(rejected > 1000, "most mutations are caught: " + rejected);
        }
    }

    private static StoreSettings settings(Path path) {
        return new StoreSettings(path, 1L << 30, 8 << 20, 16 << 20, 4 << 20);
    }
}
