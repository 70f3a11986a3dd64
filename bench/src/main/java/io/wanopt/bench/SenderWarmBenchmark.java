package io.wanopt.bench;

import io.wanopt.cache.codec.ChunkEncoder;
import io.wanopt.cache.codec.CodecCounters;
import io.wanopt.cache.codec.LiteralCodec;
import io.wanopt.cache.store.PeerKnowledge;
import io.wanopt.proxy.demo.DiskImageGenerator;
import java.io.IOException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The sender on data the peer already holds (a re-copy): the setup sends a 256 MB disk image once,
 * so the peer knowledge holds every chunk, and each invocation encodes the next 64 MB of it again.
 * Every chunk goes out as a reference (or a zero run): the cost is chunking, SHA-256 and one peer
 * knowledge lookup (RocksDB) per chunk, plus the copy of each referenced chunk the sender keeps
 * until the batch is acknowledged. No literals, so the codec does not matter (LZ4).
 *
 * <p>Score: ops/s = MB/s of LAN bytes (64 MB per invocation).
 */
public class SenderWarmBenchmark extends ThroughputBenchmark {

    private CodecFixture sender;
    private CodecCounters counters;
    private ChunkEncoder encoder;
    private byte[] image;
    private int slice;

    @Setup(Level.Trial)
    public void sendImageOnce() throws IOException {
        sender = CodecFixture.open("sender");
        image = DiskImageGenerator.generate((long) CodecFixture.DATA_SET_SLICES * CodecFixture.SLICE_BYTES, 1);
        PeerKnowledge peer = sender.knowledgeOfRemotePeer();
        ChunkEncoder first = sender.encoder(peer, LiteralCodec.LZ4, new CodecCounters());
        CodecFixture.encode(first, image, 0, image.length, batch -> batch.body().release());
        first.close();
        sender.store().flush();
        counters = new CodecCounters();
        encoder = sender.encoder(peer, LiteralCodec.LZ4, counters);
    }

    @Benchmark
    @OperationsPerInvocation(CodecFixture.MB_PER_SLICE)
    public long encode() {
        int offset = slice * CodecFixture.SLICE_BYTES;
        slice = (slice + 1) % CodecFixture.DATA_SET_SLICES;
        long[] wireBytes = new long[1];
        CodecFixture.encode(encoder, image, offset, CodecFixture.SLICE_BYTES, batch -> {
            wireBytes[0] += batch.body().readableBytes();
            batch.body().release();
        });
        return wireBytes[0];
    }

    @TearDown(Level.Trial)
    public void closeStore() throws IOException {
        System.out.println();
        System.out.println("sender warm: " + CodecFixture.describeMix(counters));
        encoder.close();
        sender.close();
    }
}
