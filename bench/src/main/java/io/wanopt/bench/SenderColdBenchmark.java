package io.wanopt.bench;

import io.wanopt.cache.codec.ChunkEncoder;
import io.wanopt.cache.codec.CodecCounters;
import io.wanopt.cache.codec.LiteralCodec;
import io.wanopt.proxy.demo.DiskImageGenerator;
import java.io.IOException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The sender on data nobody has seen: every invocation encodes a new 64 MB disk image (a new seed)
 * towards a peer, so each chunk is hashed, looked up in the peer knowledge, put into the store and
 * compressed as a literal, except the zero runs and the duplicates inside the image itself. The
 * store persists: segment appends and index updates run on its writer thread, and each invocation
 * ends with a {@code flush} that waits for them, so a writer that falls behind shows in the score
 * (the teardown prints how long the flushes waited).
 *
 * <p>Score: ops/s = MB/s of LAN bytes (64 MB per invocation).
 */
public class SenderColdBenchmark extends ThroughputBenchmark {

    @Param({"LZ4", "ZSTD"})
    public LiteralCodec codec;

    private CodecFixture sender;
    private CodecCounters counters;
    private ChunkEncoder encoder;
    private final FlushWait flushWait = new FlushWait();
    private long seed;
    private byte[] image;

    @Setup(Level.Trial)
    public void openStores() throws IOException {
        sender = CodecFixture.open("sender");
        counters = new CodecCounters();
        encoder = sender.encoder(sender.knowledgeOfRemotePeer(), codec, counters);
    }

    @Setup(Level.Invocation)
    public void generateNewImage() {
        image = DiskImageGenerator.generate(CodecFixture.SLICE_BYTES, ++seed);
    }

    @Benchmark
    @OperationsPerInvocation(CodecFixture.MB_PER_SLICE)
    public long encode() throws IOException {
        long start = System.nanoTime();
        long[] wireBytes = new long[1];
        CodecFixture.encode(encoder, image, 0, image.length, batch -> {
            wireBytes[0] += batch.body().readableBytes();
            batch.body().release();
        });
        long flushStart = System.nanoTime();
        sender.store().flush();
        flushWait.add(flushStart - start, System.nanoTime() - flushStart);
        return wireBytes[0];
    }

    @TearDown(Level.Trial)
    public void closeStores() throws IOException {
        System.out.println();
        System.out.println("sender cold " + codec + ": " + CodecFixture.describeMix(counters));
        System.out.println("sender cold " + codec + ": " + flushWait);
        System.out.println("sender cold " + codec + ": " + sender.store().stats());
        encoder.close();
        sender.close();
    }
}
