package io.wanopt.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.wanopt.cache.codec.ChunkDecoder;
import io.wanopt.cache.codec.ChunkEncoder;
import io.wanopt.cache.codec.CodecCounters;
import io.wanopt.cache.codec.DecodedBatch;
import io.wanopt.cache.codec.LiteralCodec;
import io.wanopt.proxy.demo.DiskImageGenerator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The receiver: decodes batches a sender encoded beforehand (outside the measurement), verifies the
 * SHA-256 of every chunk, and assembles each batch into a ByteBuf of LAN bytes, released at once.
 *
 * <ul>
 *   <li>{@code cold}: literal batches of a new 64 MB disk image per invocation into a store that has
 *       never seen it: decompress, verify, put into the store, learn the sender's knowledge. Ends
 *       with a store flush, as the cold sender does.</li>
 *   <li>{@code warm}: reference batches of a 256 MB image the receiver learned in the setup, 64 MB
 *       per invocation, resolved from the store's memory tier ({@link Tier#MEMORY}) or, with the
 *       memory tier dropped before each invocation, from the segment files and the RocksDB index
 *       ({@link Tier#DISK}; the segments are in the OS page cache).</li>
 * </ul>
 *
 * <p>Score: ops/s = MB/s of LAN bytes (64 MB per invocation).
 */
public class ReceiverBenchmark extends ThroughputBenchmark {

    /** A sender and a receiver, their stores empty; each invocation gets a new image's literal batches. */
    @State(Scope.Thread)
    public static class ColdReceiver {

        @Param({"LZ4", "ZSTD"})
        public LiteralCodec codec;

        private CodecFixture sender;
        private CodecFixture receiver;
        private ChunkEncoder encoder;
        private ChunkDecoder decoder;
        private final CodecCounters counters = new CodecCounters();
        private final FlushWait flushWait = new FlushWait();
        private final List<ByteBuf> bodies = new ArrayList<>();
        private long seed;

        @Setup(Level.Trial)
        public void openStores() throws IOException {
            sender = CodecFixture.open("sender");
            receiver = CodecFixture.open("receiver");
            encoder = sender.encoder(sender.knowledgeOf(receiver), codec, new CodecCounters());
            decoder = new ChunkDecoder(receiver.store(), receiver.knowledgeOf(sender), counters);
        }

        @Setup(Level.Invocation)
        public void encodeNewImage() throws IOException {
            byte[] image = DiskImageGenerator.generate(CodecFixture.SLICE_BYTES, ++seed);
            CodecFixture.encode(encoder, image, 0, image.length, batch -> bodies.add(batch.body()));
            // The sender's writer must not compete with the measured receiver for the second core.
            sender.store().flush();
        }

        @TearDown(Level.Invocation)
        public void releaseBodies() {
            bodies.forEach(ByteBuf::release);
            bodies.clear();
        }

        @TearDown(Level.Trial)
        public void closeStores() throws IOException {
            System.out.println();
            System.out.println("receiver cold " + codec + ": " + CodecFixture.describeMix(counters));
            System.out.println("receiver cold " + codec + ": " + flushWait);
            encoder.close();
            try {
                receiver.close();
            } finally {
                sender.close();
            }
        }
    }

    /** Where the warm receiver finds the chunks it holds. */
    public enum Tier {
        /** The store's in-memory tier. */
        MEMORY,
        /** The segment files through the RocksDB index: the memory tier is dropped before each invocation. */
        DISK
    }

    /** A receiver that holds a 256 MB image, and the reference batches of the image sent again. */
    @State(Scope.Thread)
    public static class WarmReceiver {

        @Param({"MEMORY", "DISK"})
        public Tier tier;

        private CodecFixture sender;
        private CodecFixture receiver;
        private ChunkDecoder decoder;
        private final CodecCounters counters = new CodecCounters();
        private final List<List<ByteBuf>> slices = new ArrayList<>();
        private int slice;

        @Setup(Level.Trial)
        public void sendImageTwice() throws IOException {
            sender = CodecFixture.open("sender");
            receiver = CodecFixture.open("receiver");
            byte[] image = DiskImageGenerator.generate((long) CodecFixture.DATA_SET_SLICES * CodecFixture.SLICE_BYTES, 1);
            ChunkEncoder encoder = sender.encoder(sender.knowledgeOf(receiver), LiteralCodec.LZ4, new CodecCounters());
            ChunkDecoder learner = new ChunkDecoder(receiver.store(), receiver.knowledgeOf(sender), new CodecCounters());
            long[] streamOffset = new long[1];
            CodecFixture.encode(encoder, image, 0, image.length, batch -> {
                try {
                    streamOffset[0] += decodeAndAssemble(learner, batch.body(), streamOffset[0]);
                } catch (IOException e) {
                    throw new IllegalStateException("learning the image at the receiver failed", e);
                } finally {
                    batch.body().release();
                }
            });
            for (int i = 0; i < CodecFixture.DATA_SET_SLICES; i++) {
                List<ByteBuf> bodies = new ArrayList<>();
                CodecFixture.encode(encoder, image, i * CodecFixture.SLICE_BYTES, CodecFixture.SLICE_BYTES,
                        batch -> bodies.add(batch.body()));
                slices.add(bodies);
            }
            encoder.close();
            sender.store().flush();
            receiver.store().flush();
            decoder = new ChunkDecoder(receiver.store(), receiver.knowledgeOf(sender), counters);
        }

        @Setup(Level.Invocation)
        public void dropMemoryTier() {
            if (tier == Tier.DISK) {
                receiver.store().clearMemoryTier();
            }
        }

        @TearDown(Level.Trial)
        public void closeStores() throws IOException {
            System.out.println();
            System.out.println("receiver warm " + tier + ": " + CodecFixture.describeMix(counters));
            System.out.println("receiver warm " + tier + ": " + receiver.store().stats());
            slices.forEach(bodies -> bodies.forEach(ByteBuf::release));
            try {
                receiver.close();
            } finally {
                sender.close();
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(CodecFixture.MB_PER_SLICE)
    public long cold(ColdReceiver state) throws IOException {
        long start = System.nanoTime();
        long streamOffset = 0;
        for (ByteBuf body : state.bodies) {
            streamOffset += decodeAndAssemble(state.decoder, body, streamOffset);
        }
        long flushStart = System.nanoTime();
        state.receiver.store().flush();
        state.flushWait.add(flushStart - start, System.nanoTime() - flushStart);
        return streamOffset;
    }

    @Benchmark
    @OperationsPerInvocation(CodecFixture.MB_PER_SLICE)
    public long warm(WarmReceiver state) throws IOException {
        List<ByteBuf> bodies = state.slices.get(state.slice);
        state.slice = (state.slice + 1) % CodecFixture.DATA_SET_SLICES;
        long streamOffset = 0;
        for (ByteBuf body : bodies) {
            streamOffset += decodeAndAssemble(state.decoder, body.duplicate(), streamOffset);
        }
        return streamOffset;
    }

    /**
     * Decodes one batch body (read, not released) and assembles its LAN bytes, which are released
     * at once; returns the body's length, for the stream offset of the next one.
     */
    private static int decodeAndAssemble(ChunkDecoder decoder, ByteBuf body, long streamOffset) throws IOException {
        int length = body.readableBytes();
        DecodedBatch batch = decoder.decode(body, streamOffset);
        if (!batch.missing().isEmpty()) {
            throw new IllegalStateException(batch.missing().size() + " chunks missing at stream offset " + streamOffset);
        }
        batch.assemble(ByteBufAllocator.DEFAULT).release();
        return length;
    }
}
