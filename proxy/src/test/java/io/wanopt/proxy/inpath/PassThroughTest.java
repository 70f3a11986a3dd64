package io.wanopt.proxy.inpath;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.channel.Channel;
import io.wanopt.proxy.tunnel.LanTransport;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A passed-through connection on loopback: a relay listener in front of a plain socket server, on
 * both transports (in-path runs on epoll).
 */
class PassThroughTest {

    private final InPathCounters counters = new InPathCounters();
    private LanTransport transport;
    private ServerSocket server;
    private Channel relay;

    static List<String> transports() {
        return List.of("nio", "epoll");
    }

    private void start(String transportName) throws Exception {
        transport = transportName.equals("nio") ? LanTransport.nio(1) : LanTransport.epoll(1, false);
        server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        relayTo((InetSocketAddress) server.getLocalSocketAddress());
    }

    private void relayTo(InetSocketAddress target) throws InterruptedException {
        if (relay != null) {
            relay.close().sync();
        }
        relay = transport.lanListener(false, ch -> PassThrough.relay(ch, transport, target, Duration.ofSeconds(5),
                counters, "test")).bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
    }

    @AfterEach
    void stop() throws Exception {
        if (relay == null) {
            return;
        }
        relay.close().sync();
        server.close();
        transport.group().shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private Socket client() throws IOException {
        Socket client = new Socket();
        client.connect(relay.localAddress(), 5000);
        client.setSoTimeout(20_000);
        return client;
    }

    @ParameterizedTest
    @MethodSource("transports")
    void bytesCrossBothWaysAndEachFinAfterTheBytesBeforeIt(String transportName) throws Exception {
        start(transportName);
        byte[] request = random(1, 8 << 20);
        byte[] response = random(2, 48 << 20);
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
            try (Socket accepted = server.accept()) {
                byte[] all = accepted.getInputStream().readAllBytes();
                // The client's FIN arrived after all its bytes; the answer goes back on the half-open connection.
                accepted.getOutputStream().write(response);
                return all;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        try (Socket client = client()) {
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    client.getOutputStream().write(request);
                    client.shutdownOutput();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            // A slow reader: the server has sent all and closed while the relay still holds writes to the client.
            Thread.sleep(500);
            byte[] answer = client.getInputStream().readAllBytes();
            sending.get(20, TimeUnit.SECONDS);
            assertArrayEquals(sha256(response), sha256(answer));
        }
        assertArrayEquals(sha256(request), sha256(received.get(20, TimeUnit.SECONDS)));
        assertEquals(request.length + response.length, counters.passedBytes.sum());
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aResetByTheServerResetsTheClientInsteadOfEndingItsStream(String transportName) throws Exception {
        start(transportName);
        CompletableFuture<Void> resetting = CompletableFuture.runAsync(() -> {
            try {
                Socket accepted = server.accept();
                accepted.getOutputStream().write(random(3, 1 << 20));
                accepted.setSoLinger(true, 0);
                accepted.close();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        try (Socket client = client()) {
            InputStream in = client.getInputStream();
            resetting.get(20, TimeUnit.SECONDS);
            assertThrows(SocketException.class, () -> drain(in));
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void anUnreachableServerResetsTheClientAndIsCounted(String transportName) throws Exception {
        start(transportName);
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        relayTo(new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort));
        try (Socket client = client()) {
            assertThrows(SocketException.class, () -> drain(client.getInputStream()));
        }
        assertEquals(1, counters.passFailures.sum());
    }

    /** Reads until end of stream; a reset throws. */
    private static void drain(InputStream in) throws IOException {
        byte[] buffer = new byte[64 << 10];
        while (in.read(buffer) >= 0) {
            // discard
        }
    }

    private static byte[] random(long seed, int length) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }
}
