package io.wanopt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.config.WanoptSettings;
import io.wanopt.proxy.Appliance;
import io.wanopt.proxy.pki.Pki;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
        Path dcConf = dir.resolve("dc.conf");
        Files.writeString(dcConf, "wanopt {\n appliance-id = dc\n"
                + " tls { key = pki/dc.key, certificate = pki/dc.crt, trusted-ca = pki/ca.crt }\n"
                + " tunnel.listen = \"127.0.0.1:" + port + "\"\n"
                + " peers = [ { id = branch } ]\n"
                + " store.path = store-dc\n"
                + " stats.summary-interval = 1s\n}\n");
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
    }
}
