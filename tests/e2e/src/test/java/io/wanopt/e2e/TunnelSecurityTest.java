package io.wanopt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.harness.Sites;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Only peers that prove their identity get a tunnel. */
class TunnelSecurityTest {

    @TempDir
    Path dir;

    @Test
    void aPeerWithACertificateFromAnotherCaIsRefused() throws Exception {
        try (StreamServers.Server sink = StreamServers.sink();
                Sites sites = new Sites(dir, "").branch("branch", sink.address())
                        .withForeignCertificate("branch").startWithoutWaiting()) {
            assertFalse(sites.branch(0).tunnels().awaitUp("dc", Duration.ofSeconds(3)), "no tunnel came up");
            assertFalse(sites.datacenter().peer("branch").up());
            assertTrue(sites.datacenter().tunnels().refusedPeers() > 0, "the datacenter logged and counted a refusal");
            // A LAN client at the branch is not carried anywhere.
            try (Socket client = new Socket(sites.entry(0).getAddress(), sites.entry(0).getPort())) {
                assertEquals(-1, readOrReset(client.getInputStream()));
            }
        }
    }

    @Test
    void aPlaintextConnectionToTheTunnelPortIsRefused() throws Exception {
        try (StreamServers.Server sink = StreamServers.sink();
                Sites sites = new Sites(dir, "").branch("branch", sink.address()).start()) {
            long refusedBefore = sites.datacenter().tunnels().refusedPeers();
            InetSocketAddress tunnel = sites.datacenter().tunnelAddress();
            try (Socket plain = new Socket(tunnel.getAddress(), tunnel.getPort())) {
                plain.setSoTimeout(10_000);
                // A HELLO-shaped frame in the clear: length, type 1, version, id "branch".
                byte[] hello = {0, 0, 0, 10, 1, 1, 0, 6, 'b', 'r', 'a', 'n', 'c', 'h'};
                plain.getOutputStream().write(hello);
                plain.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = plain.getInputStream();
                byte[] answer = new byte[4096];
                int total = 0;
                int n;
                while ((n = readOrReset(in, answer)) > 0) {
                    total += n;
                }
                // Whatever came back was a TLS alert, never a HELLO or any tunnel frame.
                assertTrue(total < 64, "only a TLS alert came back (" + total + " bytes)");
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (sites.datacenter().tunnels().refusedPeers() == refusedBefore && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(sites.datacenter().tunnels().refusedPeers() > refusedBefore, "refusal counted");
            assertTrue(sites.datacenter().peer("branch").up(), "the real branch's tunnel is unaffected");
        }
    }

    @Test
    void plaintextTunnelsOnlyWhenTheConfigSaysSo() throws Exception {
        try (StreamServers.Server sink = StreamServers.sink();
                Sites sites = new Sites(dir, "tls.insecure-plaintext = true").branch("branch", sink.address()).start()) {
            String[] digests = StreamServers.sendToSink(sites.entry(0), TestStreams.mixed(51), 8 << 20);
            assertEquals(digests[0], digests[1]);
        }
    }

    private static int readOrReset(InputStream in) throws IOException {
        return readOrReset(in, new byte[1]);
    }

    /** A read that treats a reset as end of stream (both mean: refused). */
    private static int readOrReset(InputStream in, byte[] buffer) throws IOException {
        try {
            return in.read(buffer);
        } catch (java.net.SocketException e) {
            return -1;
        }
    }
}
