package io.wanopt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.config.WanoptSettings;
import io.wanopt.proxy.Appliance;
import io.wanopt.proxy.cli.Main;
import io.wanopt.proxy.pki.Pki;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code wanopt run --config FILE} as a real process: serves a peer, logs summaries, stops cleanly on SIGTERM. */
class DaemonProcessTest {

    @TempDir
    Path dir;

    @Test
    void theDaemonCarriesFlowsLogsSummariesAndStopsOnSigterm() throws Exception {
        Path pki = dir.resolve("pki");
        Pki.createCa(pki, "daemon test CA");
        Pki.issue(pki, pki, "dc");
        Pki.issue(pki, pki, "branch");
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path adminSocket = dir.resolve("run").resolve("admin.sock");
        int metricsPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            metricsPort = probe.getLocalPort();
        }
        Path dcConf = dir.resolve("dc.conf");
        Files.writeString(dcConf, "wanopt {\n appliance-id = dc\n"
                + " tls { key = pki/dc.key, certificate = pki/dc.crt, trusted-ca = pki/ca.crt }\n"
                + " tunnel.listen = \"127.0.0.1:" + port + "\"\n"
                + " peers = [ { id = branch } ]\n"
                + " store.path = store-dc\n"
                + " stats.summary-interval = 1s\n"
                + " management { admin-socket = \"" + adminSocket + "\", metrics-listen = \"127.0.0.1:" + metricsPort
                + "\" }\n}\n");
        Path log = dir.resolve("daemon.log");
        Process daemon = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.wanopt.proxy.cli.Main", "run", "--config",
                dcConf.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try (StreamServers.Server sink = StreamServers.sink()) {
            Path branchConf = dir.resolve("branch.conf");
            Files.writeString(branchConf, "wanopt {\n appliance-id = branch\n"
                    + " tls { key = pki/branch.key, certificate = pki/branch.crt, trusted-ca = pki/ca.crt }\n"
                    + " peers = [ { id = dc, address = \"127.0.0.1:" + port + "\" } ]\n"
                    + " listeners = [ { listen = \"127.0.0.1:0\", target = \"127.0.0.1:" + sink.address().getPort()
                    + "\", peer = dc } ]\n"
                    + " store.path = store-branch\n}\n");
            try (Appliance branch = Appliance.start(WanoptSettings.load(branchConf))) {
                assertTrue(branch.tunnels().awaitUp("dc", Duration.ofSeconds(30)),
                        "tunnel to the daemon: " + Files.readString(log));
                String[] digests = StreamServers.sendToSink(branch.listenerAddress(0), TestStreams.mixed(31), 16 << 20);
                assertEquals(digests[0], digests[1]);
                assertMetricsMatchStatus(adminSocket, metricsPort);
                checkAdminCommands(adminSocket, branch.listenerAddress(0), sink.address().getPort());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!Files.readString(log).contains("summary:") && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
            }
        } finally {
            daemon.destroy();
            assertTrue(daemon.waitFor(20, TimeUnit.SECONDS), "the daemon stopped on SIGTERM");
        }
        String output = Files.readString(log);
        assertTrue(output.contains("appliance dc started"), output);
        assertTrue(output.contains("summary:"), "a summary line was logged: " + output);
        assertTrue(output.contains("appliance dc stopped"), "clean stop logged: " + output);
        assertTrue(!output.contains("Exception"), "no stack trace: " + output);
        assertFalse(Files.exists(adminSocket), "the admin socket is removed at stop");
    }

    /**
     * /metrics and {@code wanopt status --json} give the same LAN and WAN totals (asked again until they
     * agree, since the transfer's last frames may still be crossing).
     */
    private static void assertMetricsMatchStatus(Path socket, int metricsPort) throws Exception {
        Pattern totals = Pattern.compile("\"sinceStart\":\\{\"lanBytes\":(\\d+),\"wanBytes\":(\\d+)");
        String lastComparison = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("wanopt_peer_up{peer=\"branch\"} 1"), metrics.body());
            Matcher status = totals.matcher(cli("status", "--json", "--socket", socket.toString()));
            assertTrue(status.find());
            long metricsLan = sumOf(metrics.body(), "wanopt_lan_bytes_total");
            long metricsWan = sumOf(metrics.body(), "wanopt_wan_bytes_total");
            lastComparison = "status LAN " + status.group(1) + " WAN " + status.group(2) + ", metrics LAN " + metricsLan
                    + " WAN " + metricsWan;
            if (Long.parseLong(status.group(1)) == metricsLan && Long.parseLong(status.group(2)) == metricsWan) {
                assertTrue(metricsLan >= 16 << 20, lastComparison);
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("metrics and status disagree: " + lastComparison);
    }

    /** The sum of every sample of {@code name} in a Prometheus text exposition. */
    private static long sumOf(String exposition, String name) {
        Matcher samples = Pattern.compile("(?m)^" + name + "\\{[^}]*\\} (\\S+)$").matcher(exposition);
        double sum = 0;
        while (samples.find()) {
            sum += Double.parseDouble(samples.group(1));
        }
        return (long) sum;
    }

    /** The CLI asks the daemon process over its admin socket, as an admin logged in on the appliance would. */
    private static void checkAdminCommands(Path socket, InetSocketAddress entry, int sinkPort) throws Exception {
        String status = cli("status", "--json", "--socket", socket.toString());
        assertTrue(status.startsWith("{\"appliance\":\"dc\""), status);
        assertTrue(status.contains("\"peers\":[{\"id\":\"branch\",\"up\":true,"), status);
        Matcher lan = Pattern.compile("\"sinceStart\":\\{\"lanBytes\":(\\d+)").matcher(status);
        assertTrue(lan.find() && Long.parseLong(lan.group(1)) >= 16 << 20, "the transfer's bytes: " + status);
        assertTrue(cli("peers", "--socket", socket.toString()).contains("branch               up"));
        // A flow open now is listed with its server.
        try (Socket open = new Socket(entry.getAddress(), entry.getPort())) {
            open.getOutputStream().write(new byte[100_000]);
            open.getOutputStream().flush();
            String flows = "";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!flows.contains(":" + sinkPort) && System.nanoTime() < deadline) {
                flows = cli("flows", "--json", "--socket", socket.toString());
                Thread.sleep(50);
            }
            assertTrue(flows.contains("\"server\":\"127.0.0.1:" + sinkPort + "\",\"peer\":\"branch\",\"protocol\":\"generic\""),
                    flows);
        }
        assertTrue(cli("cache", "--socket", socket.toString()).contains(" chunks, epoch "));
        assertTrue(cli("logs", "100", "--socket", socket.toString()).contains("appliance dc started"));
    }

    private static String cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, String.join(" ", args) + ": " + err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }
}
