package io.wanopt.proxy.wan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.wanopt.proxy.wan.WanEmulator.Direction;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The emulator over real sockets on 127.0.0.1: rate, latency, bounded queue and connection ends. */
class WanEmulatorTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int MAX_READ_BYTES = 16 * 1024;

    private static EventLoopGroup group;
    private static ExecutorService threads;

    @BeforeAll
    static void startGroup() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        threads = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stopGroup() {
        threads.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void defaultQueueIsOneAndAHalfBandwidthDelayProductsButAtLeast64KiB() {
        assertEquals(262_500, LinkProfile.of(10_000_000, Duration.ofMillis(140)).queueBytes());
        assertEquals(64 * 1024, LinkProfile.of(1_000_000, Duration.ofMillis(10)).queueBytes());
    }

    /** What a sink saw: the first read's time and size, the last read's time, and the total. */
    private record Arrival(long firstNanos, int firstReadBytes, long lastNanos, long totalBytes) {
    }

    @Test
    void bulkTransferRunsAtTheLinkRate() throws Exception {
        long rate = 10_000_000;
        int size = 6 * 1024 * 1024;
        try (ServerSocket sinkServer = listen();
                Link link = emulator(sinkServer, LinkProfile.of(rate, Duration.ofMillis(40)))) {
            Future<Arrival> arrival = accept(sinkServer, WanEmulatorTest::drain);
            try (Socket client = connect(link)) {
                send(client, size);
                Arrival seen = arrival.get(20, TimeUnit.SECONDS);
                assertEquals(size, seen.totalBytes());
                // The first read arrived at firstNanos, so only the bytes after it count towards the interval.
                double bitsPerSecond = (seen.totalBytes() - seen.firstReadBytes()) * 8e9 / (seen.lastNanos() - seen.firstNanos());
                assertTrue(bitsPerSecond >= 9.0e6 && bitsPerSecond <= 10.0e6, "throughput " + bitsPerSecond + " bit/s");
                assertEquals(size, link.emulator().bytesForwarded(Direction.CLIENT_TO_TARGET));
            }
        }
    }

    @Test
    void connectionsOfTwoRelaysShareTheLinkRate() throws Exception {
        long rate = 10_000_000;
        int size = 3 * 1024 * 1024;
        try (ServerSocket first = listen(); ServerSocket second = listen();
                WanEmulator emulator = new WanEmulator(group, LinkProfile.of(rate, Duration.ofMillis(40)))) {
            InetSocketAddress firstEntry = emulator.relay(new InetSocketAddress(LOOPBACK, 0), address(first));
            InetSocketAddress secondEntry = emulator.relay(new InetSocketAddress(LOOPBACK, 0), address(second));
            Future<Arrival> firstArrival = accept(first, WanEmulatorTest::drain);
            Future<Arrival> secondArrival = accept(second, WanEmulatorTest::drain);
            try (Socket firstClient = new Socket(LOOPBACK, firstEntry.getPort());
                    Socket secondClient = new Socket(LOOPBACK, secondEntry.getPort())) {
                Future<?> secondSent = threads.submit(() -> {
                    send(secondClient, size);
                    return null;
                });
                send(firstClient, size);
                secondSent.get(20, TimeUnit.SECONDS);
                Arrival a = firstArrival.get(20, TimeUnit.SECONDS);
                Arrival b = secondArrival.get(20, TimeUnit.SECONDS);
                assertEquals(size, a.totalBytes());
                assertEquals(size, b.totalBytes());
                long start = Math.min(a.firstNanos(), b.firstNanos());
                long end = Math.max(a.lastNanos(), b.lastNanos());
                double bitsPerSecond = (2.0 * size - a.firstReadBytes() - b.firstReadBytes()) * 8e9 / (end - start);
                assertTrue(bitsPerSecond >= 9.0e6 && bitsPerSecond <= 10.0e6, "both together " + bitsPerSecond + " bit/s");
                assertEquals(2L * size, emulator.bytesForwarded());
            }
        }
    }

    @Test
    void aRelayCarriesOneConnectionAfterAnother() throws Exception {
        try (ServerSocket echoServer = listen();
                Link link = emulator(echoServer, LinkProfile.of(100_000_000, Duration.ofMillis(2)))) {
            for (int i = 0; i < 3; i++) {
                Future<Long> echoed = accept(echoServer, WanEmulatorTest::echo);
                try (Socket client = connect(link)) {
                    byte[] request = new byte[] {(byte) i, 1, 2, 3};
                    assertArrayEquals(request, roundTrip(client, request));
                    client.shutdownOutput();
                    assertEquals(request.length, echoed.get(5, TimeUnit.SECONDS));
                }
            }
        }
    }

    @Test
    void requestResponseTakesOneRoundTrip() throws Exception {
        try (ServerSocket echoServer = listen();
                Link link = emulator(echoServer, LinkProfile.of(10_000_000, Duration.ofMillis(140)))) {
            Future<Long> echoed = accept(echoServer, WanEmulatorTest::echo);
            try (Socket client = connect(link)) {
                client.setTcpNoDelay(true);
                byte[] request = new byte[100];
                roundTrip(client, request);
                // Collect now, so a pause for the garbage of earlier tests does not land inside a timed round trip.
                System.gc();
                for (int i = 0; i < 5; i++) {
                    request[0] = (byte) i;
                    long start = System.nanoTime();
                    byte[] response = roundTrip(client, request);
                    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    assertArrayEquals(request, response);
                    assertTrue(millis >= 135 && millis <= 145, "round trip " + i + " took " + millis + " ms");
                }
                client.shutdownOutput();
                assertEquals(600, echoed.get(5, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void aSenderToAReceiverThatReadsNothingIsHeldBackByTheBoundedQueue() throws Exception {
        LinkProfile profile = LinkProfile.of(100_000_000, Duration.ofMillis(10));
        try (ServerSocket sinkServer = listen();
                Link link = emulator(sinkServer, profile)) {
            Future<Socket> idleSink = threads.submit(() -> sinkServer.accept());
            AtomicLong sent = new AtomicLong();
            try (Socket client = connect(link)) {
                Future<?> sender = threads.submit(() -> {
                    byte[] chunk = new byte[64 * 1024];
                    OutputStream out = client.getOutputStream();
                    while (true) {
                        out.write(chunk);
                        sent.addAndGet(chunk.length);
                    }
                });
                try (Socket sink = idleSink.get(5, TimeUnit.SECONDS)) {
                    Thread.sleep(2000);
                    long sentAfterTwoSeconds = sent.get();
                    Thread.sleep(1000);
                    assertEquals(sentAfterTwoSeconds, sent.get(), "the sender kept writing");
                    assertTrue(!sender.isDone(), "the sender's write is blocked");
                    assertTrue(link.emulator().queuedBytes(Direction.CLIENT_TO_TARGET) > profile.queueBytes() / 2,
                            "queued " + link.emulator().queuedBytes(Direction.CLIENT_TO_TARGET));
                    long maxQueued = link.emulator().maxQueuedBytes(Direction.CLIENT_TO_TARGET);
                    assertTrue(maxQueued <= profile.queueBytes() + MAX_READ_BYTES,
                            "max queued " + maxQueued + " > " + profile.queueBytes() + " + " + MAX_READ_BYTES);
                    assertTrue(sent.get() < 3 * profile.rateBitsPerSecond() / 8, "sent " + sent.get());
                }
            }
        }
    }

    @Test
    void halfCloseReachesTheServerAfterAllBytes() throws Exception {
        byte[] payload = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(payload);
        try (ServerSocket server = listen();
                Link link = emulator(server, LinkProfile.of(100_000_000, Duration.ofMillis(20)))) {
            Future<Long> received = accept(server, accepted -> {
                MessageDigest digest = sha256();
                byte[] buffer = new byte[64 * 1024];
                InputStream in = accepted.getInputStream();
                long total = 0;
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    digest.update(buffer, 0, n);
                    total += n;
                }
                accepted.getOutputStream().write(digest.digest());
                return total;
            });
            try (Socket client = connect(link)) {
                client.getOutputStream().write(payload);
                client.shutdownOutput();
                byte[] serverDigest = client.getInputStream().readAllBytes();
                assertEquals(payload.length, received.get(10, TimeUnit.SECONDS));
                assertArrayEquals(sha256().digest(payload), serverDigest);
            }
        }
    }

    @Test
    void closeReachesTheServerAfterTheQueuedBytes() throws Exception {
        byte[] payload = new byte[256 * 1024];
        new Random(3).nextBytes(payload);
        try (ServerSocket server = listen();
                Link link = emulator(server, LinkProfile.of(10_000_000, Duration.ofMillis(40)))) {
            Future<byte[]> received = accept(server, accepted -> accepted.getInputStream().readAllBytes());
            try (Socket client = connect(link)) {
                client.getOutputStream().write(payload);
            }
            assertArrayEquals(payload, received.get(10, TimeUnit.SECONDS));
        }
    }

    private interface SocketTask<T> {
        T run(Socket socket) throws Exception;
    }

    private static <T> Future<T> accept(ServerSocket server, SocketTask<T> task) {
        Callable<T> acceptAndRun = () -> {
            try (Socket socket = server.accept()) {
                socket.setTcpNoDelay(true);
                return task.run(socket);
            }
        };
        return threads.submit(acceptAndRun);
    }

    /** Reads until the end of stream, noting when data arrived. */
    private static Arrival drain(Socket sink) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        InputStream in = sink.getInputStream();
        long first = 0;
        long last = 0;
        int firstRead = 0;
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            last = System.nanoTime();
            if (total == 0) {
                first = last;
                firstRead = n;
            }
            total += n;
        }
        return new Arrival(first, firstRead, last, total);
    }

    /** Writes {@code size} random bytes and half-closes. */
    private static void send(Socket client, int size) throws IOException {
        OutputStream out = client.getOutputStream();
        byte[] chunk = new byte[64 * 1024];
        new Random(1).nextBytes(chunk);
        for (int sent = 0; sent < size; sent += chunk.length) {
            out.write(chunk);
        }
        client.shutdownOutput();
    }

    private static long echo(Socket socket) throws IOException {
        byte[] buffer = new byte[4096];
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
            total += n;
        }
        return total;
    }

    private static byte[] roundTrip(Socket client, byte[] request) throws IOException {
        client.getOutputStream().write(request);
        byte[] response = client.getInputStream().readNBytes(request.length);
        assertEquals(request.length, response.length, "connection ended early");
        return response;
    }

    private static ServerSocket listen() throws IOException {
        return new ServerSocket(0, 50, LOOPBACK);
    }

    /** An emulator with one relay to a test server. */
    private record Link(WanEmulator emulator, InetSocketAddress entry) implements AutoCloseable {
        @Override
        public void close() {
            emulator.close();
        }
    }

    private static Link emulator(ServerSocket target, LinkProfile profile) throws InterruptedException {
        WanEmulator emulator = new WanEmulator(group, profile);
        return new Link(emulator, emulator.relay(new InetSocketAddress(LOOPBACK, 0), address(target)));
    }

    private static InetSocketAddress address(ServerSocket server) {
        return new InetSocketAddress(LOOPBACK, server.getLocalPort());
    }

    private static Socket connect(Link link) throws IOException {
        return new Socket(LOOPBACK, link.entry().getPort());
    }

    private static MessageDigest sha256() throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256");
    }
}
