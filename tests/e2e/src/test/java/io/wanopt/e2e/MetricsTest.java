package io.wanopt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.cache.codec.CodecCounters.Kind;
import io.wanopt.harness.Commands;
import io.wanopt.harness.HostTools;
import io.wanopt.harness.Sites;
import io.wanopt.proxy.Appliance;
import io.wanopt.proxy.TrafficCounters;
import io.wanopt.proxy.admin.MetricsEndpoint;
import io.wanopt.proxy.tunnel.PeerStatus;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus endpoint of a branch appliance, scraped over HTTP after real traffic: its text is
 * well-formed exposition format, its figures are the appliance's own, they grow with traffic, and
 * closing it frees the port.
 */
class MetricsTest {

    private static final long MIB = 1L << 20;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path dir;

    @Test
    void scrapesAreWellFormedEqualTheAppliancesCountersGrowWithTrafficAndCloseFreesThePort() throws Exception {
        // Frequent keepalives, so that a round trip is measured well before the first scrape.
        try (StreamServers.Server sink = StreamServers.sink();
                Sites sites = new Sites(dir, "tunnel.keepalive-interval = 100ms").branch("branch", sink.address())
                        .start()) {
            Appliance branch = sites.branch(0);
            StreamServers.StreamSource stream = TestStreams.mixed(7);
            String[] digests = StreamServers.sendToSink(sites.entry(0), stream, 16 * MIB);
            assertEquals(digests[0], digests[1], "SHA-256 at the client and at the server");
            awaitQuiet(branch);

            InetSocketAddress bound;
            try (MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0), branch);
                    MetricsEndpoint dcEndpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0),
                            sites.datacenter())) {
                bound = endpoint.boundAddress();
                assertTrue(bound.getPort() > 0, "bound to a real port: " + bound);
                Exposition first = scrape(bound);
                assertEqualsAppliance(first, branch);
                assertEquals(1, first.value("wanopt_flows_total", "peer", "dc"));
                assertEquals(0, first.value("wanopt_flows_open", "peer", "dc"));
                assertEquals(1, first.value("wanopt_peer_up", "peer", "dc"));
                double rtt = first.value("wanopt_peer_rtt_seconds", "peer", "dc");
                assertTrue(rtt > 0 && rtt < 1, "round trip on loopback in seconds: " + rtt);
                assertTrue(first.value("jvm_memory_used_bytes", "area", "heap") > 0, "JVM metrics on the same registry");
                assertEquals("counter", first.families.get("wanopt_lan_bytes_total").type);

                // The datacenter's endpoint has its own registry: its peer is the branch, and it saw the same stream.
                Exposition dc = scrape(dcEndpoint.boundAddress());
                assertEquals(16 * MIB, (long) dc.value("wanopt_lan_bytes_total", "peer", "branch", "direction", "out"));
                assertFalse(first.text.contains("peer=\"branch\""), "no datacenter series in the branch's scrape");

                // The same stream again: more bytes and flows, and dictionary hits this time.
                digests = StreamServers.sendToSink(sites.entry(0), stream, 16 * MIB);
                assertEquals(digests[0], digests[1], "SHA-256 at the client and at the server, second pass");
                awaitQuiet(branch);
                Exposition second = scrape(bound);
                assertEqualsAppliance(second, branch);
                assertEquals(2, second.value("wanopt_flows_total", "peer", "dc"));
                for (String counter : List.of("wanopt_lan_bytes_total", "wanopt_wan_bytes_total")) {
                    for (String direction : List.of("in", "out")) {
                        double before = first.value(counter, "peer", "dc", "direction", direction);
                        double after = second.value(counter, "peer", "dc", "direction", direction);
                        assertTrue(after > before, counter + " " + direction + " grew: " + before + " -> " + after);
                    }
                }
                double hitsBefore = first.value("wanopt_reference_chunks_total", "peer", "dc", "direction", "out");
                double hitsAfter = second.value("wanopt_reference_chunks_total", "peer", "dc", "direction", "out");
                assertTrue(hitsAfter > hitsBefore, "dictionary hits grew: " + hitsBefore + " -> " + hitsAfter);
                System.out.printf("metrics: %d families, %d bytes; branch lan in %.0f, wan out %.0f -> %.0f,"
                                + " reduction %.2f -> %.2f, reference chunks out %.0f -> %.0f, rtt %.6f s%n",
                        second.families.size(), second.text.length(),
                        second.value("wanopt_lan_bytes_total", "peer", "dc", "direction", "in"),
                        first.value("wanopt_wan_bytes_total", "peer", "dc", "direction", "out"),
                        second.value("wanopt_wan_bytes_total", "peer", "dc", "direction", "out"),
                        first.value("wanopt_reduction_ratio", "peer", "dc"),
                        second.value("wanopt_reduction_ratio", "peer", "dc"), hitsBefore, hitsAfter, rtt);
            }

            assertThrows(ConnectException.class, () -> scrape(bound), "nothing answers once closed");
            try (ServerSocket rebind = new ServerSocket()) {
                rebind.bind(bound);
                assertEquals(bound.getPort(), rebind.getLocalPort(), "the port is free again");
            }
        }
    }

    /** The scrape's traffic figures are exactly the appliance's, in total and for its peer. */
    private static void assertEqualsAppliance(Exposition scrape, Appliance appliance) {
        TrafficCounters total = appliance.counters();
        TrafficCounters peer = appliance.peer("dc").counters();
        assertEquals(total.lanIn(), (long) scrape.sum("wanopt_lan_bytes_total", "direction", "in"));
        assertEquals(total.lanOut(), (long) scrape.sum("wanopt_lan_bytes_total", "direction", "out"));
        assertEquals(total.wanIn(), (long) scrape.sum("wanopt_wan_bytes_total", "direction", "in"));
        assertEquals(total.wanOut(), (long) scrape.sum("wanopt_wan_bytes_total", "direction", "out"));
        assertEquals(total.flows(), (long) scrape.sum("wanopt_flows_total"));
        assertEquals(peer.lanIn(), (long) scrape.value("wanopt_lan_bytes_total", "peer", "dc", "direction", "in"));
        assertEquals(peer.lanOut(), (long) scrape.value("wanopt_lan_bytes_total", "peer", "dc", "direction", "out"));
        assertEquals(peer.wanIn(), (long) scrape.value("wanopt_wan_bytes_total", "peer", "dc", "direction", "in"));
        assertEquals(peer.wanOut(), (long) scrape.value("wanopt_wan_bytes_total", "peer", "dc", "direction", "out"));
        assertEquals(peer.flows(), (long) scrape.value("wanopt_flows_total", "peer", "dc"));
        assertEquals(peer.sent.get(Kind.REF_CHUNKS),
                (long) scrape.value("wanopt_reference_chunks_total", "peer", "dc", "direction", "out"));
        assertEquals(peer.sent.get(Kind.LITERAL_CHUNKS),
                (long) scrape.value("wanopt_literal_chunks_total", "peer", "dc", "direction", "out"));
        assertEquals(peer.reduction(), scrape.value("wanopt_reduction_ratio", "peer", "dc"), 1e-9);
        assertEquals(appliance.store().stats().chunks(), (long) scrape.value("wanopt_store_chunks"));
        // The test's streams follow no file protocol: all of it is generic.
        assertEquals(total.lanIn(), (long) scrape.value("wanopt_protocol_lan_bytes_total", "protocol", "generic",
                "direction", "in"));
        assertEquals(total.wanOut(), (long) scrape.value("wanopt_protocol_wan_bytes_total", "protocol", "generic",
                "direction", "out"));
        assertEquals(0, (long) scrape.value("wanopt_protocol_lan_bytes_total", "protocol", "smb", "direction", "in"));
        assertEquals(16 * MIB * (long) scrape.value("wanopt_flows_total", "peer", "dc"), peer.lanIn(),
                "the client's bytes, once per flow");
    }

    /** Waits until the flows are closed, the counters stop moving (close frames, last credits) and a round trip is known. */
    private static void awaitQuiet(Appliance appliance) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<Long> last = null;
        int stableReads = 0;
        while (stableReads < 3) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("counters still moving after 20 s: " + appliance.counters().summary());
            }
            TrafficCounters c = appliance.counters();
            PeerStatus peer = appliance.peer("dc");
            List<Long> now = List.of(c.lanIn(), c.lanOut(), c.wanIn(), c.wanOut(), c.flows());
            stableReads = now.equals(last) && peer.flows() == 0 && peer.rttNanos() > 0 ? stableReads + 1 : 0;
            last = now;
            Thread.sleep(100);
        }
    }

    private static Exposition scrape(InetSocketAddress address) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + address.getPort() + "/metrics");
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        assertTrue(contentType.startsWith("text/plain") && contentType.contains("version=0.0.4"),
                "Prometheus text format 0.0.4: " + contentType);
        checkWithPromtool(response.body());
        return Exposition.parse(response.body());
    }

    /**
     * Prometheus's own checker, {@code promtool check metrics}, when this machine has it (on the PATH or
     * where {@code wanopt test} puts it, ~/.cache/wanopt/tools): it parses the text and lints it.
     */
    private static void checkWithPromtool(String text) throws IOException {
        Path cached = Path.of(System.getProperty("user.home"), ".cache", "wanopt", "tools", "promtool");
        String promtool = Files.isExecutable(cached) ? cached.toString()
                : HostTools.missing("promtool").isEmpty() ? HostTools.executable("promtool") : null;
        if (promtool == null) {
            return;
        }
        Commands.run(Duration.ofSeconds(30), null, List.of(promtool, "check", "metrics"), text);
    }

    /**
     * A strict reader of the Prometheus text exposition format 0.0.4: every line is a HELP, a TYPE or
     * a sample; every family has exactly one HELP and one TYPE before its samples, and its samples are
     * contiguous; names, label names, escapes and floats follow the format's grammar; no series twice.
     */
    static final class Exposition {

        private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
        private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") ((?:[^\\\\\\n]|\\\\[\\\\n])*)");
        private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
        private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(?:\\{(.*)\\})? (\\S+)(?: (-?[0-9]+))?");
        private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"(,|$)");
        private static final Pattern FLOAT = Pattern.compile(
                "[+-]?(?:Inf|NaN|(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?)");

        record Sample(String name, Map<String, String> labels, double value) {
        }

        static final class Family {
            final String name;
            String help;
            String type;
            final List<Sample> samples = new ArrayList<>();

            Family(String name) {
                this.name = name;
            }

            boolean owns(String sampleName) {
                Set<String> suffixes = switch (type) {
                    case "histogram" -> Set.of("_bucket", "_sum", "_count");
                    case "summary" -> Set.of("_sum", "_count");
                    default -> Set.of();
                };
                return sampleName.equals(name) || (sampleName.startsWith(name)
                        && suffixes.contains(sampleName.substring(name.length())));
            }
        }

        final String text;
        final Map<String, Family> families = new LinkedHashMap<>();

        private Exposition(String text) {
            this.text = text;
        }

        static Exposition parse(String text) {
            assertTrue(text.endsWith("\n"), "the exposition ends with a line feed");
            Exposition exposition = new Exposition(text);
            Map<String, Boolean> seriesSeen = new HashMap<>();
            Family current = null;
            String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i];
                String where = "line " + (i + 1) + ": " + line;
                Matcher help = HELP.matcher(line);
                Matcher type = TYPE.matcher(line);
                Matcher sample = SAMPLE.matcher(line);
                if (help.matches() || type.matches()) {
                    String name = help.matches() ? help.group(1) : type.group(1);
                    if (current == null || !current.name.equals(name)) {
                        assertFalse(exposition.families.containsKey(name), "family declared twice, " + where);
                        current = new Family(name);
                        exposition.families.put(name, current);
                    }
                    assertTrue(current.samples.isEmpty(), "HELP/TYPE after samples, " + where);
                    if (help.matches()) {
                        assertTrue(current.help == null, "second HELP, " + where);
                        current.help = help.group(2);
                    } else {
                        assertTrue(current.type == null, "second TYPE, " + where);
                        current.type = type.group(2);
                    }
                } else if (sample.matches()) {
                    assertTrue(current != null && current.type != null && current.help != null,
                            "sample without HELP and TYPE, " + where);
                    assertTrue(current.owns(sample.group(1)), "sample outside its family " + current.name + ", " + where);
                    Map<String, String> labels = labels(sample.group(2), where);
                    assertTrue(FLOAT.matcher(sample.group(3)).matches(), "not a float, " + where);
                    double value = switch (sample.group(3).replace("+", "")) {
                        case "Inf" -> Double.POSITIVE_INFINITY;
                        case "-Inf" -> Double.NEGATIVE_INFINITY;
                        default -> Double.parseDouble(sample.group(3));
                    };
                    assertTrue(seriesSeen.put(sample.group(1) + new TreeMap<>(labels), true) == null,
                            "series twice, " + where);
                    current.samples.add(new Sample(sample.group(1), labels, value));
                } else {
                    throw new AssertionError("neither HELP, TYPE nor a sample, " + where);
                }
            }
            for (Family family : exposition.families.values()) {
                assertTrue(family.help != null && family.type != null, "family " + family.name + " lacks HELP or TYPE");
            }
            return exposition;
        }

        private static Map<String, String> labels(String text, String where) {
            Map<String, String> labels = new LinkedHashMap<>();
            if (text == null) {
                return labels;
            }
            Matcher label = LABEL.matcher(text);
            int at = 0;
            while (at < text.length()) {
                assertTrue(label.find(at) && label.start() == at, "malformed labels, " + where);
                String value = label.group(2).replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\");
                assertTrue(labels.put(label.group(1), value) == null, "label twice, " + where);
                at = label.end();
            }
            return labels;
        }

        /** The value of the one sample of {@code name} whose labels include {@code labelPairs}. */
        double value(String name, String... labelPairs) {
            List<Sample> matching = matching(name, labelPairs);
            assertEquals(1, matching.size(), "samples of " + name + " " + List.of(labelPairs) + ": " + matching);
            return matching.get(0).value;
        }

        /** The sum of the samples of {@code name} whose labels include {@code labelPairs}. */
        double sum(String name, String... labelPairs) {
            List<Sample> matching = matching(name, labelPairs);
            assertFalse(matching.isEmpty(), "no samples of " + name + " " + List.of(labelPairs));
            return matching.stream().mapToDouble(Sample::value).sum();
        }

        private List<Sample> matching(String name, String... labelPairs) {
            List<Sample> matching = new ArrayList<>();
            for (Family family : families.values()) {
                for (Sample sample : family.samples) {
                    boolean matches = sample.name.equals(name);
                    for (int i = 0; matches && i < labelPairs.length; i += 2) {
                        matches = labelPairs[i + 1].equals(sample.labels.get(labelPairs[i]));
                    }
                    if (matches) {
                        matching.add(sample);
                    }
                }
            }
            return matching;
        }
    }
}
