package io.wanopt.proxy.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.Future;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PkiTest {

    /** Failed handshakes are expected here; the outcome is read from the handshake futures, not logged. */
    private static final ChannelHandler CLOSE_ON_ERROR = new CloseOnError();

    private static EventLoopGroup group;

    @TempDir
    Path dir;

    @BeforeAll
    static void startEventLoop() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopEventLoop() throws InterruptedException {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void issuedCertificatesCompleteMutualTls13OverBoringSsl() throws Exception {
        assertTrue(OpenSsl.isAvailable(), () -> "netty-tcnative not loaded: " + OpenSsl.unavailabilityCause());
        Path ca = dir.resolve("ca");
        Pki.createCa(ca, "test CA");
        Pki.issue(ca, dir, "alpha");
        Pki.issue(ca, dir, "beta");

        Handshake handshake = handshake(serverContext("alpha", ca), clientContext("beta", ca), "alpha");

        assertTrue(handshake.server().isSuccess(), () -> "server: " + handshake.server().cause());
        assertTrue(handshake.client().isSuccess(), () -> "client: " + handshake.client().cause());
        assertEquals("TLSv1.3", handshake.serverSession().getProtocol());
        X509Certificate clientSeen = (X509Certificate) handshake.serverSession().getPeerCertificates()[0];
        assertEquals("CN=beta", clientSeen.getSubjectX500Principal().getName());
    }

    @Test
    void certificateFromAnotherCaIsRejected() throws Exception {
        Path ca = dir.resolve("ca");
        Path otherCa = dir.resolve("other-ca");
        Pki.createCa(ca, "test CA");
        Pki.createCa(otherCa, "test CA");
        Pki.issue(ca, dir, "alpha");
        Pki.issue(otherCa, dir, "mallory");

        Handshake strangerDialsIn = handshake(serverContext("alpha", ca), clientContext("mallory", ca), "alpha");
        // Under TLS 1.3 the client may finish before the server checks its certificate; the server decides.
        assertFalse(strangerDialsIn.server().isSuccess(), "server accepted a client certificate of another CA");

        Handshake strangerAnswers = handshake(serverContext("mallory", ca), clientContext("alpha", ca), "mallory");
        assertFalse(strangerAnswers.client().isSuccess(), "client accepted a server certificate of another CA");
    }

    @Test
    void peerWithAnotherIdIsRejected() throws Exception {
        Path ca = dir.resolve("ca");
        Pki.createCa(ca, "test CA");
        Pki.issue(ca, dir, "alpha");
        Pki.issue(ca, dir, "beta");

        // beta dials "gamma" but alpha answers: same CA, wrong name.
        Handshake handshake = handshake(serverContext("alpha", ca), clientContext("beta", ca), "gamma");
        assertFalse(handshake.client().isSuccess(), "client accepted a certificate for another appliance id");
    }

    @Test
    void filesHaveTheAgreedShape() throws Exception {
        Path ca = dir.resolve("ca");
        Pki.createCa(ca, "Example Corp WAN CA");
        Path out = dir.resolve("issued");
        Pki.issue(ca, out, "dc-1");

        for (Path key : List.of(ca.resolve("ca.key"), out.resolve("dc-1.key"))) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)), key.toString());
            assertTrue(Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----\n"), key.toString());
        }
        X509Certificate caCertificate = certificate(ca.resolve("ca.crt"));
        X509Certificate certificate = certificate(out.resolve("dc-1.crt"));
        assertEquals("CN=Example Corp WAN CA", caCertificate.getSubjectX500Principal().getName());
        assertTrue(caCertificate.getBasicConstraints() >= 0, "CA certificate is not a CA");
        assertEquals("CN=dc-1", certificate.getSubjectX500Principal().getName());
        assertEquals(caCertificate.getSubjectX500Principal(), certificate.getIssuerX500Principal());
        assertEquals(-1, certificate.getBasicConstraints());
        assertEquals(List.of(List.of(2, "dc-1")), certificate.getSubjectAlternativeNames().stream().map(List::copyOf).toList());
        assertEquals("SHA256withECDSA", certificate.getSigAlgName());
        assertEquals("EC", certificate.getPublicKey().getAlgorithm());
        certificate.verify(caCertificate.getPublicKey());
        Duration validity = Duration.between(Instant.now(), certificate.getNotAfter().toInstant());
        assertTrue(validity.toDays() > 3640 && validity.toDays() < 3660, validity.toString());
        assertTrue(certificate.getNotBefore().toInstant().isBefore(Instant.now()));
    }

    @Test
    void neverOverwritesAndChecksInput() throws Exception {
        Path ca = dir.resolve("ca");
        Pki.createCa(ca, "test CA");
        String caKey = Files.readString(ca.resolve("ca.key"));
        assertThrows(FileAlreadyExistsException.class, () -> Pki.createCa(ca, "again"));
        assertEquals(caKey, Files.readString(ca.resolve("ca.key")));

        Pki.issue(ca, dir, "alpha");
        assertThrows(FileAlreadyExistsException.class, () -> Pki.issue(ca, dir, "alpha"));
        assertThrows(IllegalArgumentException.class, () -> Pki.issue(ca, dir, "not valid"));
        assertThrows(IllegalArgumentException.class, () -> Pki.createCa(dir.resolve("ca2"), " "));
        assertThrows(NoSuchFileException.class, () -> Pki.issue(dir.resolve("nowhere"), dir, "beta"));
        assertFalse(Files.exists(dir.resolve("beta.key")));
    }

    private static X509Certificate certificate(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private SslContext serverContext(String id, Path ca) throws Exception {
        return SslContextBuilder.forServer(dir.resolve(id + ".crt").toFile(), dir.resolve(id + ".key").toFile())
                .trustManager(ca.resolve("ca.crt").toFile())
                .clientAuth(ClientAuth.REQUIRE)
                .sslProvider(SslProvider.OPENSSL)
                .protocols("TLSv1.3")
                .build();
    }

    private SslContext clientContext(String id, Path ca) throws Exception {
        return SslContextBuilder.forClient()
                .keyManager(dir.resolve(id + ".crt").toFile(), dir.resolve(id + ".key").toFile())
                .trustManager(ca.resolve("ca.crt").toFile())
                .endpointIdentificationAlgorithm("HTTPS")
                .sslProvider(SslProvider.OPENSSL)
                .protocols("TLSv1.3")
                .build();
    }

    @ChannelHandler.Sharable
    private static final class CloseOnError extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Both ends' handshake outcomes; {@code serverSession} is the server's view after success. */
    private record Handshake(Future<Channel> server, Future<Channel> client, SSLSession serverSession) {
    }

    private static Handshake handshake(SslContext serverContext, SslContext clientContext, String serverName) throws Exception {
        // Handlers are kept from initChannel: a failed handshake may remove them from the pipeline at once.
        CompletableFuture<SslHandler> serverHandler = new CompletableFuture<>();
        CompletableFuture<SslHandler> clientHandler = new CompletableFuture<>();
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        SslHandler handler = serverContext.newHandler(channel.alloc());
                        channel.pipeline().addLast(handler, CLOSE_ON_ERROR);
                        serverHandler.complete(handler);
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        Channel client = null;
        try {
            client = new Bootstrap()
                    .group(group)
                    .channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            SslHandler handler = clientContext.newHandler(channel.alloc(), serverName, port);
                            channel.pipeline().addLast(handler, CLOSE_ON_ERROR);
                            clientHandler.complete(handler);
                        }
                    })
                    .connect(server.localAddress()).sync().channel();
            Future<Channel> clientDone = clientHandler.get(10, TimeUnit.SECONDS).handshakeFuture();
            SslHandler serverSide = serverHandler.get(10, TimeUnit.SECONDS);
            Future<Channel> serverDone = serverSide.handshakeFuture();
            assertTrue(clientDone.await(10, TimeUnit.SECONDS) && serverDone.await(10, TimeUnit.SECONDS), "handshake hung");
            return new Handshake(serverDone, clientDone, serverSide.engine().getSession());
        } finally {
            if (client != null) {
                client.close().sync();
            }
            server.close().sync();
        }
    }
}
