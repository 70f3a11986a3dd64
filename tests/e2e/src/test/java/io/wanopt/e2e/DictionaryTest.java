package io.wanopt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.cache.codec.CodecCounters.Kind;
import io.wanopt.harness.FileTrees;
import io.wanopt.harness.Sites;
import io.wanopt.proxy.TrafficCounters;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chunk dictionary across peers, restarts, lost and corrupt chunks. */
class DictionaryTest {

    private static final long SIZE = 96L << 20;

    @TempDir
    Path dir;

    @Test
    void hubSendsWhatBranchALearnedToBranchBAsLiteralsWithoutRepairs() throws Exception {
        StreamServers.StreamSource stream = TestStreams.mixed(11);
        try (StreamServers.Server sink = StreamServers.sink();
                StreamServers.Server source = StreamServers.source(TestStreams.mixed(11), SIZE);
                Sites sites = new Sites(dir, "").branch("branch-a", sink.address())
                        .branch("branch-b", source.address()).start()) {
            String[] toDatacenter = StreamServers.sendToSink(sites.entry(0), stream, SIZE);
            assertEquals(toDatacenter[0], toDatacenter[1]);

            Object[] atB = StreamServers.receiveFromSource(sites.entry(1));
            assertEquals(StreamServers.sha256Of(TestStreams.mixed(11), SIZE), atB[0], "branch B got the bytes");
            assertEquals(SIZE, atB[1]);
            TrafficCounters b = sites.branch(1).counters();
            assertEquals(0, b.received.get(Kind.MISSES_REPAIRED), "no reference to what only branch A holds");
            assertTrue(b.received.get(Kind.LITERAL_CHUNKS) > 0, "branch B got literals");
            TrafficCounters dc = sites.datacenter().counters();
            assertEquals(0, dc.received.get(Kind.MISSES_REPAIRED));
        }
    }

    @Test
    void secondPassStaysWarmAcrossARestartOfBothAppliances() throws Exception {
        afterFirstPass(12, (sites, stream) -> {
        sites.restart();
        passIntact(sites, stream);
        TrafficCounters branch = sites.branch(0).counters();
        assertTrue(branch.wanOut() <= SIZE / 100, "after restart the pass put " + branch.wanOut()
                + " bytes on the tunnel");
        // A few chunks differ where the sender cut early on an idle moment (tail flush); no more.
        assertTrue(branch.sent.get(Kind.LITERAL_BYTES) <= SIZE / 200, "literal bytes after restart: "
                + branch.sent.get(Kind.LITERAL_BYTES));
        });
    }

    @Test
    void lostChunksAreRepairedFromTheSender() throws Exception {
        afterFirstPass(13, (sites, stream) -> {
        sites.close();
        // The datacenter loses its segment files (index and epoch survive): every reference misses.
        try (Stream<Path> segments = Files.list(sites.dir().resolve("store-dc").resolve("segments"))) {
            for (Path segment : segments.toList()) {
                Files.delete(segment);
            }
        }
        sites.restart();
        passIntact(sites, stream);
        long repaired = sites.datacenter().counters().received.get(Kind.MISSES_REPAIRED);
        assertTrue(repaired > 0, "repairs counted: " + repaired);
        });
    }

    @Test
    void aWipedStoreGetsANewEpochAndIsSentLiterals() throws Exception {
        afterFirstPass(14, (sites, stream) -> {
        sites.close();
        FileTrees.delete(sites.dir().resolve("store-dc"));
        sites.restart();
        passIntact(sites, stream);
        assertEquals(0, sites.datacenter().counters().received.get(Kind.MISSES_REPAIRED),
                "the branch knew the new store holds nothing");
        assertTrue(sites.branch(0).counters().sent.get(Kind.LITERAL_CHUNKS) > 0, "literals to the new store");
        });
    }

    @Test
    void aChunkCorruptedOnDiskIsDetectedAndRepairedNeverDelivered() throws Exception {
        afterFirstPass(15, (sites, stream) -> {
        sites.close();
        List<Path> segments;
        try (Stream<Path> list = Files.list(sites.dir().resolve("store-dc").resolve("segments"))) {
            segments = list.sorted().toList();
        }
        int flipped = 0;
        for (Path segment : segments) {
            try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
                // Flip bytes well inside the file, where chunk bytes (not headers) dominate.
                for (long at = 4096; at < file.length(); at += 3_000_017) {
                    file.seek(at);
                    int b = file.read();
                    file.seek(at);
                    file.write(b ^ 0x5a);
                    flipped++;
                }
            }
        }
        assertTrue(flipped > 0);
        sites.restart();
        passIntact(sites, stream);
        TrafficCounters dc = sites.datacenter().counters();
        assertTrue(dc.received.get(Kind.CORRUPT_CHUNKS) > 0, "corruption detected");
        assertTrue(dc.received.get(Kind.MISSES_REPAIRED) >= dc.received.get(Kind.CORRUPT_CHUNKS),
                "every corrupt chunk repaired");
        });
    }

    /** What a test does once one branch has sent its stream through the datacenter once. */
    private interface AfterFirstPass {
        void run(Sites sites, StreamServers.StreamSource stream) throws Exception;
    }

    /** One branch, a sink beside the datacenter, a first pass of stream {@code seed}, then {@code then}. */
    private void afterFirstPass(long seed, AfterFirstPass then) throws Exception {
        StreamServers.StreamSource stream = TestStreams.mixed(seed);
        try (StreamServers.Server sink = StreamServers.sink();
                Sites sites = new Sites(dir, "").branch("branch", sink.address()).start()) {
            passIntact(sites, stream);
            then.run(sites, stream);
        }
    }

    /** Sends the stream through branch 0 and checks the SHA-256 at both ends. */
    private static void passIntact(Sites sites, StreamServers.StreamSource stream) throws IOException {
        String[] digests = StreamServers.sendToSink(sites.entry(0), stream, SIZE);
        assertEquals(digests[0], digests[1], "SHA-256 at the client and at the server");
    }
}
