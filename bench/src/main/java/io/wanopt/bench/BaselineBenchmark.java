package io.wanopt.bench;

import io.wanopt.cache.ChunkId;
import io.wanopt.cache.chunking.FastCdcChunker;
import io.wanopt.cache.codec.LiteralCodec;
import io.wanopt.config.WanoptSettings;
import io.wanopt.proxy.demo.DiskImageGenerator;
import java.nio.file.Path;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;

/**
 * The stages of the codec alone, over the same 256 MB disk image, 64 MB per invocation: what the
 * sender and receiver scores can be compared with. The compressors run over every byte in batches
 * of the configured batch size (the codec compresses only the literals of a batch, which excludes
 * the zero runs).
 *
 * <p>Score: ops/s = MB/s of input bytes (64 MB per invocation).
 */
public class BaselineBenchmark extends ThroughputBenchmark {

    private byte[] image;
    private FastCdcChunker chunker;
    private int averageChunkSize;
    private int batchSize;
    private int zstdLevel;
    private byte[] batch;
    private byte[] compressed;
    private int slice;

    @Setup(Level.Trial)
    public void generateImage() {
        // No store here: the path is only what the settings require.
        WanoptSettings settings = CodecFixture.settings("baseline", Path.of("unused-store"));
        chunker = new FastCdcChunker(settings.chunking());
        averageChunkSize = settings.chunking().averageSize();
        batchSize = settings.tunnel().batchSize();
        zstdLevel = settings.compression().zstdLevel();
        batch = new byte[batchSize];
        compressed = new byte[Math.max(LiteralCodec.LZ4.maxCompressedLength(batchSize),
                LiteralCodec.ZSTD.maxCompressedLength(batchSize))];
        image = DiskImageGenerator.generate((long) CodecFixture.DATA_SET_SLICES * CodecFixture.SLICE_BYTES, 1);
    }

    /** The offset of the next 64 MB slice, round robin. */
    private int nextSlice() {
        int offset = slice * CodecFixture.SLICE_BYTES;
        slice = (slice + 1) % CodecFixture.DATA_SET_SLICES;
        return offset;
    }

    /** SHA-256 chunk ids of average-size pieces: the hashing the codec does per chunk, with its per-digest cost. */
    @Benchmark
    @OperationsPerInvocation(CodecFixture.MB_PER_SLICE)
    public int sha256() {
        int start = nextSlice();
        int end = start + CodecFixture.SLICE_BYTES;
        int hashes = 0;
        for (int at = start; at < end; at += averageChunkSize) {
            hashes += ChunkId.of(image, at, Math.min(averageChunkSize, end - at)).hashCode();
        }
        return hashes;
    }

    /** FastCDC boundaries alone. */
    @Benchmark
    @OperationsPerInvocation(CodecFixture.MB_PER_SLICE)
    public int fastCdc() {
        int start = nextSlice();
        int end = start + CodecFixture.SLICE_BYTES;
        int chunks = 0;
        for (int at = start; at < end; chunks++) {
            at += chunker.nextChunkLength(image, at, end - at, true);
        }
        return chunks;
    }

    @Benchmark
    @OperationsPerInvocation(CodecFixture.MB_PER_SLICE)
    public long lz4() {
        return compressSlice(LiteralCodec.LZ4);
    }

    /** zstd at the configured level (3 by default). */
    @Benchmark
    @OperationsPerInvocation(CodecFixture.MB_PER_SLICE)
    public long zstd() {
        return compressSlice(LiteralCodec.ZSTD);
    }

    private long compressSlice(LiteralCodec codec) {
        int start = nextSlice();
        int end = start + CodecFixture.SLICE_BYTES;
        long written = 0;
        for (int at = start; at < end; at += batchSize) {
            int length = Math.min(batchSize, end - at);
            System.arraycopy(image, at, batch, 0, length);
            written += codec.compress(batch, length, compressed, zstdLevel);
        }
        return written;
    }
}
