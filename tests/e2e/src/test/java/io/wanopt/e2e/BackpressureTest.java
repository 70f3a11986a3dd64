package io.wanopt.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.harness.Sites;
import io.wanopt.proxy.Appliance;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fast LAN sender towards a slow LAN receiver is held back; the appliances never buffer past their cap. */
class BackpressureTest {

    private static final long CAP = 16L << 20;
    private static final long SLOW_READER_BYTES_PER_SECOND = 1_000_000;

    @TempDir
    Path dir;

    @Test
    void bufferedBytesStayUnderTheCapForTwentySeconds() throws Exception {
        AtomicLong received = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        try (ServerSocket slowServer = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread reader = new Thread(() -> readSlowly(slowServer, received, stop), "slow-reader");
            reader.setDaemon(true);
            reader.start();
            String limits = "memory.max-buffered = 16MiB\ntunnel.flow-max-window = 8MiB\n";
            try (Sites sites = new Sites(dir, limits)
                    .branch("branch", (java.net.InetSocketAddress) slowServer.getLocalSocketAddress()).start()) {
                AtomicLong sent = new AtomicLong();
                Thread writer = new Thread(() -> writeFast(sites, sent, stop), "fast-writer");
                writer.setDaemon(true);
                writer.start();
                long peakBranch = 0;
                long peakDatacenter = 0;
                long end = System.nanoTime() + 20_000_000_000L;
                while (System.nanoTime() < end) {
                    peakBranch = Math.max(peakBranch, buffered(sites.branch(0)));
                    peakDatacenter = Math.max(peakDatacenter, buffered(sites.datacenter()));
                    Thread.sleep(20);
                }
                stop.set(true);
                writer.join(5_000);
                long accepted = sent.get();
                assertTrue(received.get() > 10_000_000, "the slow reader got " + received.get() + " bytes");
                assertTrue(peakBranch <= CAP, "branch buffered " + peakBranch + " bytes (cap " + CAP + ')');
                assertTrue(peakDatacenter <= CAP, "datacenter buffered " + peakDatacenter + " bytes (cap " + CAP + ')');
                for (Appliance appliance : new Appliance[] {sites.branch(0), sites.datacenter()}) {
                    assertTrue(appliance.sendBudget().peak() + appliance.receiveBudget().peak() <= CAP,
                            appliance.settings().applianceId() + " peak reservations");
                }
                // The sender was held back: what it got into the system is what the reader took plus
                // the buffers along the path (capped appliances and the sockets' own buffers).
                assertTrue(accepted <= received.get() + 2 * CAP + (32L << 20),
                        "sender wrote " + accepted + " bytes, reader took " + received.get());
            }
        }
    }

    @Test
    void aReceiverThatStopsReadingStallsOnlyItsOwnFlowOnTheSharedTunnel() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
                Sites sites = new Sites(dir, "")
                        .branch("branch", (java.net.InetSocketAddress) server.getLocalSocketAddress()).start()) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong sent = new AtomicLong();
            Thread writer = new Thread(() -> writeFast(sites, sent, stop), "writer-to-stalled");
            writer.setDaemon(true);
            writer.start();
            // The first connection is accepted and never read.
            try (Socket neverRead = server.accept()) {
                long deadline = System.nanoTime() + 10_000_000_000L;
                long last = -1;
                while (System.nanoTime() < deadline && sent.get() != last) {
                    last = sent.get();
                    Thread.sleep(500);
                }
                // A second flow through the same branch and tunnel goes through all the same.
                java.util.concurrent.CompletableFuture<String> atServer = java.util.concurrent.CompletableFuture
                        .supplyAsync(() -> hashAndAnswer(server));
                String[] digests = StreamServers.sendToSink(sites.entry(0), TestStreams.mixed(41), 64L << 20);
                assertTrue(digests[0].equals(digests[1]), "the other flow went through intact");
                assertTrue(atServer.get(2, java.util.concurrent.TimeUnit.MINUTES).equals(digests[0]));
                stop.set(true);
            }
            writer.join(5_000);
        }
    }

    /** Accepts one connection, reads it to the end and answers with its SHA-256 (hex). */
    private static String hashAndAnswer(ServerSocket server) {
        try (Socket socket = server.accept()) {
            socket.setSoTimeout(StreamServers.SOCKET_TIMEOUT_MILLIS);
            java.security.MessageDigest sha = StreamServers.sha256();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[256 << 10];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                sha.update(buffer, 0, n);
            }
            String hex = java.util.HexFormat.of().formatHex(sha.digest());
            socket.getOutputStream().write(hex.getBytes());
            socket.shutdownOutput();
            return hex;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long buffered(Appliance appliance) {
        return appliance.bufferedBytes();
    }

    private static void readSlowly(ServerSocket server, AtomicLong received, AtomicBoolean stop) {
        try (Socket socket = server.accept()) {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[16 << 10];
            long start = System.nanoTime();
            while (!stop.get()) {
                int n = in.read(buffer);
                if (n < 0) {
                    return;
                }
                long total = received.addAndGet(n);
                long due = start + total * 1_000_000_000L / SLOW_READER_BYTES_PER_SECOND;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        } catch (IOException | InterruptedException e) {
            // The test ends the connection; nothing to check here.
        }
    }

    private static void writeFast(Sites sites, AtomicLong sent, AtomicBoolean stop) {
        try (Socket socket = new Socket(sites.entry(0).getAddress(), sites.entry(0).getPort())) {
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[64 << 10];
            SplittableRandom random = new SplittableRandom(5);
            while (!stop.get()) {
                for (int i = 0; i < buffer.length; i++) {
                    buffer[i] = (byte) random.nextInt(256);
                }
                out.write(buffer);
                sent.addAndGet(buffer.length);
            }
        } catch (SocketException e) {
            // Closed at the end of the test while blocked in write: expected.
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
