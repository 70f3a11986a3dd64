package io.wanopt.harness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.harness.Nfs3BlockClient.Attributes;
import io.wanopt.harness.Nfs3BlockClient.Handle;
import io.wanopt.harness.Nfs3BlockClient.ReadReply;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plain-Java NFSv3 client against a real nfs-ganesha, with nothing in between. */
class Nfs3BlockClientTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String NAME = "blocks.bin";
    private static final String WRITTEN_NAME = "written.bin";
    /** Not a multiple of anything a server or the client might round to. */
    private static final int FILE_SIZE = 3 * RandomFiles.MIB + 12345;

    @TempDir
    static Path dir;
    private static NfsServer server;
    private static byte[] content;

    @BeforeAll
    static void start() throws IOException {
        HostTools.unavailableReason(NfsServer.TOOLS).ifPresent(reason -> Assumptions.assumeTrue(false, reason));
        Path serverDir = dir.resolve("nfs");
        Path file = RandomFiles.create(NfsServer.exportDirectory(serverDir).resolve(NAME), FILE_SIZE, 11);
        content = Files.readAllBytes(file);
        RandomFiles.create(NfsServer.exportDirectory(serverDir).resolve(WRITTEN_NAME), RandomFiles.MIB, 12);
        server = NfsServer.start(serverDir, HostTools.freeLoopbackPort(), HostTools.freeLoopbackPort());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static Nfs3BlockClient connect() throws IOException {
        return Nfs3BlockClient.connect(new InetSocketAddress("127.0.0.1", server.nfsPort()),
                new InetSocketAddress("127.0.0.1", server.mountPort()), Nfs3BlockClient.EXPORT, TIMEOUT);
    }

    @Test
    void lookupAndGetattrGiveTheFileSize() throws IOException {
        try (Nfs3BlockClient client = connect()) {
            Handle file = client.lookup(NAME);
            Attributes attributes = client.getattr(file);
            assertEquals(FILE_SIZE, attributes.size());
            assertEquals(Files.getLastModifiedTime(server.exportDirectory().resolve(NAME)).toInstant().getEpochSecond(),
                    attributes.mtimeSeconds());
        }
    }

    @Test
    void readsAtOddOffsetsAndSizesReturnTheFileBytes() throws IOException {
        long[][] offsetsAndCounts = {{1, 65537}, {4095, 4095}, {65537, 131071}, {1_000_001, 1_000_000},
            {FILE_SIZE - 7, 3}, {0, 1}, {2 * RandomFiles.MIB + 1, 1_048_575}};
        try (Nfs3BlockClient client = connect()) {
            Handle file = client.lookup(NAME);
            for (long[] offsetAndCount : offsetsAndCounts) {
                int offset = (int) offsetAndCount[0];
                int count = (int) offsetAndCount[1];
                ReadReply reply = client.read(file, offset, count);
                assertArrayEquals(Arrays.copyOfRange(content, offset, offset + count), reply.data(),
                        "READ offset " + offset + " count " + count);
                assertFalse(reply.eof(), "eof inside the file at " + offset);
                assertNotNull(reply.attributes(), "ganesha sends post-op attributes");
                assertEquals(FILE_SIZE, reply.attributes().size());
            }
        }
    }

    @Test
    void aReadReachingOrPassingTheEndSaysEof() throws IOException {
        try (Nfs3BlockClient client = connect()) {
            Handle file = client.lookup(NAME);
            ReadReply tail = client.read(file, FILE_SIZE - 100, 4096);
            assertArrayEquals(Arrays.copyOfRange(content, FILE_SIZE - 100, FILE_SIZE), tail.data());
            assertTrue(tail.eof(), "a read through the last byte ends the file");
            ReadReply past = client.read(file, FILE_SIZE + 5000, 4096);
            assertEquals(0, past.data().length);
            assertTrue(past.eof(), "a read past the end ends the file");
        }
    }

    @Test
    void aMissingNameIsAClearError() throws IOException {
        try (Nfs3BlockClient client = connect()) {
            IOException error = assertThrows(IOException.class, () -> client.lookup("no-such-file.bin"));
            assertTrue(error.getMessage().contains("LOOKUP no-such-file.bin"), error.getMessage());
            assertTrue(error.getMessage().contains("NFS3ERR_NOENT"), error.getMessage());
            assertTrue(error.getMessage().contains("xid 0x"), error.getMessage());
            // the connection stays usable after an error status
            assertEquals(FILE_SIZE, client.getattr(client.lookup(NAME)).size());
        }
    }

    @Test
    void writesChangeTheFileAndItsAttributes() throws IOException {
        Path local = server.exportDirectory().resolve(WRITTEN_NAME);
        byte[] expected = Files.readAllBytes(local);
        byte[] middle = new byte[100_001];
        new Random(13).nextBytes(middle);
        byte[] beyond = new byte[4097];
        new Random(14).nextBytes(beyond);
        try (Nfs3BlockClient client = connect()) {
            Handle file = client.lookup(WRITTEN_NAME);
            assertEquals(middle.length, client.write(file, 333_333, middle));
            long extendedSize = expected.length + 50_000 + beyond.length;
            assertEquals(beyond.length, client.write(file, expected.length + 50_000, beyond));
            assertEquals(extendedSize, client.getattr(file).size());

            expected = Arrays.copyOf(expected, (int) extendedSize);
            System.arraycopy(middle, 0, expected, 333_333, middle.length);
            System.arraycopy(beyond, 0, expected, expected.length - beyond.length, beyond.length);
            assertArrayEquals(expected, Files.readAllBytes(local));
            assertArrayEquals(expected, client.read(file, 0, expected.length).data());
        }
    }

    @Test
    void aMissingExportIsAClearError() {
        IOException error = assertThrows(IOException.class, () -> Nfs3BlockClient.connect(
                new InetSocketAddress("127.0.0.1", server.nfsPort()), new InetSocketAddress("127.0.0.1", server.mountPort()),
                "/no-such-export", TIMEOUT));
        assertTrue(error.getMessage().contains("MOUNT3 MNT"), error.getMessage());
        assertTrue(error.getMessage().contains("MNT3ERR_"), error.getMessage());
    }

    @Test
    void aServerThatDoesNotAnswerIsAClearTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread acceptor = answerOnce(silent, new byte[0]);
            IOException error = assertThrows(IOException.class, () -> Nfs3BlockClient.connect(
                    new InetSocketAddress("127.0.0.1", server.nfsPort()), (InetSocketAddress) silent.getLocalSocketAddress(),
                    Nfs3BlockClient.EXPORT, Duration.ofMillis(500)));
            assertTrue(error.getMessage().contains("MOUNT3 MNT (xid 0x"), error.getMessage());
            assertTrue(error.getMessage().contains("no reply within PT0.5S"), error.getMessage());
            acceptor.join(5000);
        }
    }

    @Test
    void aReplyLongerThanItsCapIsRefused() throws Exception {
        try (ServerSocket lying = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // a last fragment claiming 1 GiB
            Thread acceptor = answerOnce(lying, new byte[] {(byte) 0xC0, 0, 0, 0});
            IOException error = assertThrows(IOException.class, () -> Nfs3BlockClient.connect(
                    new InetSocketAddress("127.0.0.1", server.nfsPort()), (InetSocketAddress) lying.getLocalSocketAddress(),
                    Nfs3BlockClient.EXPORT, TIMEOUT));
            assertTrue(error.getMessage().contains("MOUNT3 MNT (xid 0x"), error.getMessage());
            assertTrue(error.getMessage().contains("reply record longer than"), error.getMessage());
            acceptor.join(5000);
        }
    }

    /** Accepts one connection, reads what the client sends until it closes, after sending {@code reply} once. */
    private static Thread answerOnce(ServerSocket listener, byte[] reply) {
        Thread acceptor = new Thread(() -> {
            try (Socket connection = listener.accept(); InputStream in = connection.getInputStream()) {
                connection.getOutputStream().write(reply);
                in.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                // the client closing first is how every such exchange ends
            }
        }, "nfs3-block-client-test-peer");
        acceptor.setDaemon(true);
        acceptor.start();
        return acceptor;
    }
}
