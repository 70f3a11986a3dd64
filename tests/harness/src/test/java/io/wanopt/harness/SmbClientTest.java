package io.wanopt.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.harness.SmbClient.Dialect;
import io.wanopt.harness.SmbClient.Options;
import io.wanopt.harness.SmbClient.Protection;
import io.wanopt.harness.SmbClient.Session;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * smbclient's session variants straight against a real smbd (no appliances): each copies byte-exact,
 * and the session it reports shows the variant took effect (dialect, signed or encrypted requests).
 */
class SmbClientTest {

    private static final Duration COPY_TIMEOUT = Duration.ofSeconds(60);
    /** Several 8 MiB READs and WRITEs (Samba's default maximum), so signing per request shows in the counts. */
    private static final long LARGE = 20 * RandomFiles.MIB;
    private static final int SAMBA_MAX_IO = 8 * RandomFiles.MIB;

    @TempDir
    Path dir;

    private static void requireSamba() {
        HostTools.unavailableReason(SambaServer.TOOLS).ifPresent(reason -> Assumptions.assumeTrue(false, reason));
    }

    /** A server with {@code extraGlobal} whose share holds a one-byte file and a {@link #LARGE} one. */
    private SambaServer server(List<String> extraGlobal) throws IOException {
        requireSamba();
        Path serverDir = dir.resolve("smb");
        RandomFiles.create(serverDir.resolve(SambaServer.SHARE).resolve("tiny.bin"), 1, 1);
        RandomFiles.create(serverDir.resolve(SambaServer.SHARE).resolve("large.bin"), LARGE, 2);
        return SambaServer.start(serverDir, HostTools.freeLoopbackPort(), extraGlobal);
    }

    /** Gets {@code name} and checks it arrived byte-exact. */
    private Session getExact(SambaServer server, Options options, String name) throws IOException {
        Path local = dir.resolve("got-" + name);
        Session session = SmbClient.get(server.address(), options, name, local, COPY_TIMEOUT);
        assertEquals(FileDigest.sha256(server.shareDirectory().resolve(name)), FileDigest.sha256(local), name);
        return session;
    }

    /** Puts a fresh {@link #LARGE} file and checks it arrived byte-exact. */
    private Session putExact(SambaServer server, Options options) throws IOException {
        Path local = RandomFiles.create(dir.resolve("to-put.bin"), LARGE, 3);
        Session session = SmbClient.put(server.address(), options, local, "put.bin", COPY_TIMEOUT);
        assertEquals(FileDigest.sha256(local), FileDigest.sha256(server.shareDirectory().resolve("put.bin")));
        return session;
    }

    private static int dataRequests(long size) {
        return (int) ((size + SAMBA_MAX_IO - 1) / SAMBA_MAX_IO);
    }

    @Test
    void withSigningOffNoReadOrWriteIsSigned() throws IOException {
        try (SambaServer server = server(List.of("server signing = disabled"))) {
            Options off = Options.protection(Protection.OFF);
            Session tiny = getExact(server, off, "tiny.bin");
            Session large = getExact(server, off, "large.bin");
            Session put = putExact(server, off);
            assertEquals(Dialect.SMB3_11, large.dialect());
            // only the session's set-up messages are signed, however much data follows
            assertEquals(tiny.signedRequests(), large.signedRequests(), "get: " + large + " vs " + tiny);
            assertEquals(tiny.signedRequests(), put.signedRequests(), "put: " + put + " vs " + tiny);
            assertTrue(large.signedRequests() < dataRequests(LARGE), large.toString());
            assertEquals(0, large.encryptedRequests() + put.encryptedRequests());
        }
    }

    @Test
    void mandatoryServerSigningSignsEveryRead() throws IOException {
        try (SambaServer server = server(List.of("server signing = mandatory"))) {
            Session tiny = getExact(server, Options.DEFAULT, "tiny.bin");
            Session large = getExact(server, Options.DEFAULT, "large.bin");
            assertTrue(large.signedRequests() >= tiny.signedRequests() + dataRequests(LARGE) - 1,
                    "every READ signed: " + large + " vs " + tiny);
            assertEquals(0, large.encryptedRequests());
            Session put = putExact(server, Options.protection(Protection.OFF));
            assertTrue(put.signedRequests() >= dataRequests(LARGE), "a client asking for no signing still signs: " + put);
        }
    }

    @Test
    void clientSigningSignsEveryRequestOnADefaultServer() throws IOException {
        try (SambaServer server = server(List.of())) {
            Options sign = Options.protection(Protection.SIGN);
            Session tiny = getExact(server, sign, "tiny.bin");
            Session large = getExact(server, sign, "large.bin");
            Session put = putExact(server, sign);
            assertTrue(large.signedRequests() >= tiny.signedRequests() + dataRequests(LARGE) - 1, large + " vs " + tiny);
            assertTrue(put.signedRequests() >= dataRequests(LARGE), put.toString());
        }
    }

    @Test
    void requiredServerEncryptionEncryptsEveryMessageOfAnEncryptingClient() throws IOException {
        try (SambaServer server = server(List.of("server smb encrypt = required"))) {
            Options encrypt = Options.protection(Protection.ENCRYPT);
            Session large = getExact(server, encrypt, "large.bin");
            Session put = putExact(server, encrypt);
            for (Session session : List.of(large, put)) {
                assertTrue(session.encryptedRequests() >= dataRequests(LARGE), session.toString());
                assertEquals(0, session.signedRequests(), "encrypted messages carry no separate signature: " + session);
            }
            // the server's requirement alone makes a default client encrypt too
            Session byServer = getExact(server, Options.DEFAULT, "large.bin");
            assertTrue(byServer.encryptedRequests() >= dataRequests(LARGE), byServer.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void eachDialectIsNegotiatedWhenOfferedAlone(Dialect dialect) throws IOException {
        try (SambaServer server = server(List.of())) {
            Options only = Options.dialect(dialect);
            assertEquals(dialect, getExact(server, only, "large.bin").dialect());
            assertEquals(dialect, putExact(server, only).dialect());
        }
    }

    @Test
    void aDialectTheServerRefusesFailsNamingTheCommand() throws IOException {
        try (SambaServer server = server(List.of("server min protocol = SMB3_00"))) {
            Path local = dir.resolve("refused.bin");
            IOException refused = assertThrows(IOException.class,
                    () -> SmbClient.get(server.address(), Options.dialect(Dialect.SMB2_10), "tiny.bin", local, COPY_TIMEOUT));
            assertTrue(refused.getMessage().contains("smbclient") && refused.getMessage().contains("SMB2_10"),
                    refused.getMessage());
            assertTrue(Files.notExists(local), "nothing copied");
        }
    }

    @Test
    void aMinimumAboveTheMaximumIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Options(Dialect.SMB3_11, Dialect.SMB2_10, Protection.DEFAULT));
        assertThrows(IllegalArgumentException.class, () -> Options.dialect(Dialect.SMB3_11).withMaxProtocol(Dialect.SMB3_00));
    }
}
