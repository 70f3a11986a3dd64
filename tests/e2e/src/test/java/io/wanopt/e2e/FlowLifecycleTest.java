package io.wanopt.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.harness.Sites;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Open, data, half-close and reset reach the far side in order; a lost tunnel resets, never truncates. */
class FlowLifecycleTest {

    @TempDir
    Path dir;

    @Test
    void requestAndResponseKeepTheirOrderAcrossHalfCloses() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
                Sites sites = new Sites(dir, "").branch("branch", (InetSocketAddress) server.getLocalSocketAddress())
                        .start()) {
            CompletableFuture<byte[]> seenByServer = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = server.accept()) {
                    byte[] request = socket.getInputStream().readAllBytes();
                    // Answer only after the client's FIN arrived: half-close crossed in order.
                    OutputStream out = socket.getOutputStream();
                    for (int i = 0; i < 100; i++) {
                        out.write(("line " + i + "\n").getBytes());
                    }
                    socket.shutdownOutput();
                    return request;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Socket client = new Socket(sites.entry(0).getAddress(), sites.entry(0).getPort())) {
                client.getOutputStream().write("small request".getBytes());
                client.shutdownOutput();
                byte[] response = client.getInputStream().readAllBytes();
                StringBuilder expected = new StringBuilder();
                for (int i = 0; i < 100; i++) {
                    expected.append("line ").append(i).append('\n');
                }
                assertArrayEquals(expected.toString().getBytes(), response);
            }
            assertArrayEquals("small request".getBytes(), seenByServer.get(10, TimeUnit.SECONDS));
        }
    }

    /**
     * The server's reply goes out on an idle moment (tail flush) and is credited before the server
     * closes; the far flow then ends at once, and its FIN, queued just before, must still leave.
     */
    @Test
    void aFinQueuedJustBeforeTheFlowEndsStillReachesTheClient() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                Sites sites = new Sites(dir, "").branch("branch", (InetSocketAddress) server.getLocalSocketAddress())
                        .start()) {
            Thread replier = new Thread(() -> {
                for (int i = 0; i < 20; i++) {
                    try (Socket socket = server.accept()) {
                        socket.getInputStream().readAllBytes();
                        socket.getOutputStream().write(("reply " + i).getBytes());
                        Thread.sleep(20);
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            }, "replier");
            replier.setDaemon(true);
            replier.start();
            for (int i = 0; i < 20; i++) {
                try (Socket client = new Socket(sites.entry(0).getAddress(), sites.entry(0).getPort())) {
                    client.setSoTimeout(10_000);
                    client.getOutputStream().write("request".getBytes());
                    client.shutdownOutput();
                    assertArrayEquals(("reply " + i).getBytes(), client.getInputStream().readAllBytes(), "flow " + i);
                }
            }
        }
    }

    @Test
    void theBranchRedialsARestartedDatacenterAndCarriesFlowsAgain() throws Exception {
        try (StreamServers.Server sink = StreamServers.sink();
                Sites sites = new Sites(dir, "tunnel.reconnect-max-backoff = 500ms")
                        .branch("branch", sink.address()).start()) {
            StreamServers.StreamSource stream = TestStreams.mixed(21);
            String[] before = StreamServers.sendToSink(sites.entry(0), stream, 8 << 20);
            assertArrayEquals(before[0].getBytes(), before[1].getBytes());
            sites.restartDatacenter();
            assertTrue(sites.branch(0).tunnels().awaitUp("dc", Duration.ofSeconds(20)), "tunnel back up");
            String[] after = StreamServers.sendToSink(sites.entry(0), stream, 8 << 20);
            assertArrayEquals(after[0].getBytes(), after[1].getBytes());
        }
    }

    @Test
    void aListenerPortInUseFailsTheStartAndLeavesTheStoreUsable() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                StreamServers.Server sink = StreamServers.sink();
                Sites sites = new Sites(dir, "").branch("branch", sink.address()).start()) {
            String conf = "wanopt {\n appliance-id = branch\n tls.insecure-plaintext = true\n"
                    + " peers = [ { id = dc, address = \"127.0.0.1:" + sites.datacenter().tunnelAddress().getPort() + "\" } ]\n"
                    + " listeners = [ { listen = \"127.0.0.1:" + taken.getLocalPort() + "\", target = \"127.0.0.1:1\", peer = dc } ]\n"
                    + " store.path = \"" + dir.resolve("second-store") + "\"\n}\n";
            io.wanopt.config.WanoptSettings settings = io.wanopt.config.WanoptSettings.parse(conf, "test");
            assertThrows(java.net.BindException.class, () -> io.wanopt.proxy.Appliance.start(settings));
            String free = conf.replace("127.0.0.1:" + taken.getLocalPort(), "127.0.0.1:0");
            try (io.wanopt.proxy.Appliance again = io.wanopt.proxy.Appliance.start(
                    io.wanopt.config.WanoptSettings.parse(free, "test"))) {
                assertTrue(again.store().stats().chunks() >= 0, "the store opened again: its lock was released");
            }
        }
    }

    @Test
    void aTargetThatRefusesTheConnectionResetsTheClient() throws Exception {
        InetSocketAddress closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = (InetSocketAddress) probe.getLocalSocketAddress();
        }
        try (Sites sites = new Sites(dir, "").branch("branch", closedPort).start();
                Socket client = new Socket(sites.entry(0).getAddress(), sites.entry(0).getPort())) {
            client.setSoTimeout(10_000);
            assertThrows(IOException.class, () -> readToEnd(client.getInputStream()), "the client's connection is reset");
        }
    }

    @Test
    void aTunnelLostUnderAFlowResetsBothLanSides() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
                Sites sites = new Sites(dir, "").branch("branch", (InetSocketAddress) server.getLocalSocketAddress())
                        .start()) {
            Socket client = new Socket(sites.entry(0).getAddress(), sites.entry(0).getPort());
            client.setSoTimeout(15_000);
            Socket atServer = server.accept();
            atServer.setSoTimeout(15_000);
            client.getOutputStream().write(new byte[100_000]);
            atServer.getInputStream().readNBytes(100_000);
            // The datacenter appliance goes away: its tunnel and its LAN connection with it.
            sites.stopDatacenter();
            assertThrows(IOException.class, () -> readToEnd(atServer.getInputStream()), "server side reset");
            assertThrows(IOException.class, () -> readToEnd(client.getInputStream()), "client side reset");
            client.close();
            atServer.close();
        }
    }

    /** Reads to the end; a clean end of stream here would be a silent truncation, so it fails the test. */
    private static void readToEnd(InputStream in) throws IOException {
        while (in.read() >= 0) {
            // drain
        }
        throw new AssertionError("clean end of stream instead of a reset");
    }
}
