package io.wanopt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.cache.codec.CodecCounters.Kind;
import io.wanopt.harness.Sites;
import io.wanopt.proxy.TrafficCounters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two appliances on loopback carry TCP streams byte-exact, and a second pass is nearly free. */
class TwoAppliancesTest {

    private static final long GIB = 1L << 30;

    @TempDir
    Path dir;

    @Test
    void carriesOneGibByteExactAndTheSecondPassPutsUnderOnePercentOnTheTunnel() throws Exception {
        try (StreamServers.Server sink = StreamServers.sink();
                Sites sites = new Sites(dir, "").branch("branch", sink.address()).start()) {
            StreamServers.StreamSource stream = TestStreams.mixed(1);
            String[] first = StreamServers.sendToSink(sites.entry(0), stream, GIB);
            assertEquals(first[0], first[1], "SHA-256 at the client and at the server, first pass");

            TrafficCounters branch = sites.branch(0).counters();
            long wanBefore = branch.wanIn() + branch.wanOut();
            String[] second = StreamServers.sendToSink(sites.entry(0), stream, GIB);
            assertEquals(second[0], second[1], "SHA-256 at the client and at the server, second pass");
            long wanSecond = branch.wanIn() + branch.wanOut() - wanBefore;
            assertTrue(wanSecond <= GIB / 100, "second pass put " + wanSecond + " bytes on the tunnel (limit "
                    + GIB / 100 + ')');
            assertEquals(0, sites.datacenter().counters().received.get(Kind.MISSES_REPAIRED));
        }
    }

    @Test
    void fiftyConcurrentFlowsArriveByteExactUnderASmallMemoryCap() throws Exception {
        // 50 first windows of 1 MiB are more than the 8 MiB half of this cap: sending must go on.
        try (StreamServers.Server sink = StreamServers.sink();
                Sites sites = new Sites(dir, "memory.max-buffered = 16MiB").branch("branch", sink.address()).start()) {
            ExecutorService clients = Executors.newFixedThreadPool(50);
            try {
                List<Future<String[]>> results = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    // Seeds repeat so that flows also dedupe against each other while running.
                    StreamServers.StreamSource stream = TestStreams.mixed(100 + i % 10);
                    long length = (4L << 20) + i * 65_537L;
                    results.add(clients.submit(() -> StreamServers.sendToSink(sites.entry(0), stream, length)));
                }
                for (Future<String[]> result : results) {
                    String[] digests = result.get();
                    assertEquals(digests[0], digests[1]);
                }
            } finally {
                clients.shutdownNow();
            }
            assertEquals(50, sites.branch(0).counters().flows());
        }
    }
}
