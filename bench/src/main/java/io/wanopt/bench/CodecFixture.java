package io.wanopt.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.wanopt.cache.chunking.FastCdcChunker;
import io.wanopt.cache.codec.ChunkEncoder;
import io.wanopt.cache.codec.CodecCounters;
import io.wanopt.cache.codec.CodecCounters.Kind;
import io.wanopt.cache.codec.EncodedBatch;
import io.wanopt.cache.codec.LiteralCodec;
import io.wanopt.cache.store.PeerKnowledge;
import io.wanopt.cache.store.SegmentChunkStore;
import io.wanopt.config.ConfigError;
import io.wanopt.config.WanoptSettings;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * One appliance as the codec benchmarks see it: the default settings (reference.conf), a
 * {@link SegmentChunkStore} in a temporary directory that is deleted on {@link #close}, and the
 * helpers that feed the encoder the way a LAN socket would.
 *
 * <p>Every benchmark processes {@link #SLICE_BYTES} per invocation and declares
 * {@link #MB_PER_SLICE} operations per invocation, so a JMH score in ops/s reads as MB/s (10^6
 * bytes per second of LAN data).
 */
final class CodecFixture implements Closeable {

    /** LAN bytes one benchmark invocation processes. */
    static final int SLICE_BYTES = 64_000_000;
    /** {@code @OperationsPerInvocation} value: one operation is one MB (10^6 bytes). */
    static final int MB_PER_SLICE = 64;
    /** Slices in the data set of the warm benchmarks and the baselines (256 MB). */
    static final int DATA_SET_SLICES = 4;
    /** Bytes handed to the encoder per call, like one read from a LAN socket. */
    private static final int LAN_READ_BYTES = 64 * 1024;
    /** Store epoch of the peer behind {@link #knowledgeOfRemotePeer}. */
    private static final byte[] REMOTE_EPOCH = new byte[16];

    private final Path directory;
    private final WanoptSettings settings;
    private final SegmentChunkStore store;
    private final FastCdcChunker chunker;

    private CodecFixture(Path directory, WanoptSettings settings, SegmentChunkStore store) {
        this.directory = directory;
        this.settings = settings;
        this.store = store;
        this.chunker = new FastCdcChunker(settings.chunking());
    }

    /** An appliance named {@code name} with an empty store in a new temporary directory. */
    static CodecFixture open(String name) throws IOException {
        Path directory = Files.createTempDirectory("wanopt-bench-" + name + '-');
        try {
            WanoptSettings settings = settings(name, directory.resolve("store"));
            return new CodecFixture(directory, settings, SegmentChunkStore.open(settings.store()));
        } catch (IOException | RuntimeException e) {
            deleteTree(directory);
            throw e;
        }
    }

    /** The reference settings with only what a lab appliance must name set. */
    static WanoptSettings settings(String name, Path storePath) {
        String hocon = String.join("\n",
                "wanopt {",
                "  appliance-id = \"" + name + "\"",
                "  tls.insecure-plaintext = true",
                "  store.path = \"" + storePath.toAbsolutePath() + "\"",
                "}");
        try {
            return WanoptSettings.parse(hocon, "benchmark settings");
        } catch (ConfigError e) {
            throw new IllegalStateException("benchmark settings rejected: " + e.getMessage(), e);
        }
    }

    SegmentChunkStore store() {
        return store;
    }

    /** What this appliance's store believes a peer with no store in this process holds. */
    PeerKnowledge knowledgeOfRemotePeer() {
        return store.peer("remote", REMOTE_EPOCH);
    }

    /** What this appliance's store believes {@code other} holds. */
    PeerKnowledge knowledgeOf(CodecFixture other) {
        return store.peer(other.settings.applianceId(), other.store.epoch());
    }

    /** An encoder towards {@code peer} with the configured batch size and zstd level. */
    ChunkEncoder encoder(PeerKnowledge peer, LiteralCodec codec, CodecCounters counters) {
        return new ChunkEncoder(chunker, store, peer, codec, settings.compression().zstdLevel(),
                settings.tunnel().batchSize(), ByteBufAllocator.DEFAULT, counters);
    }

    /**
     * Encodes {@code length} bytes of {@code data} as one stretch of a stream (flushed at the end)
     * and hands every batch to {@code sink} as soon as it is closed.
     */
    static void encode(ChunkEncoder encoder, byte[] data, int offset, int length, BatchSink sink) {
        List<EncodedBatch> out = new ArrayList<>();
        for (int at = offset; at < offset + length; at += LAN_READ_BYTES) {
            ByteBuf read = Unpooled.wrappedBuffer(data, at, Math.min(LAN_READ_BYTES, offset + length - at));
            encoder.add(read, out);
            drain(out, sink);
        }
        encoder.flush(out);
        drain(out, sink);
    }

    private static void drain(List<EncodedBatch> out, BatchSink sink) {
        for (EncodedBatch batch : out) {
            sink.accept(batch);
        }
        out.clear();
    }

    /** Takes the batches {@link #encode} produces; it owns each batch body. */
    @FunctionalInterface
    interface BatchSink {
        void accept(EncodedBatch batch);
    }

    /** A line with the share of LAN bytes each token kind carried, and the literal compression ratio. */
    static String describeMix(CodecCounters counters) {
        double lan = Math.max(1, counters.get(Kind.LAN_BYTES));
        long literal = counters.get(Kind.LITERAL_BYTES);
        return String.format(Locale.ROOT,
                "%.0f MB of LAN bytes: %.1f%% literal (%d chunks, wire/literal %.2f), %.1f%% reference (%d chunks),"
                        + " %.1f%% zero runs",
                lan / 1e6, 100 * literal / lan, counters.get(Kind.LITERAL_CHUNKS),
                counters.get(Kind.LITERAL_WIRE_BYTES) / (double) Math.max(1, literal),
                100 * counters.get(Kind.REF_BYTES) / lan, counters.get(Kind.REF_CHUNKS),
                100 * counters.get(Kind.ZERO_BYTES) / lan);
    }

    /** Closes the store and deletes its directory. */
    @Override
    public void close() throws IOException {
        try {
            store.close();
        } finally {
            deleteTree(directory);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
