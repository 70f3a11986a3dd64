package io.wanopt.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real smbd: smbclient put and get of 20 MiB keep every byte; close leaves no Samba process behind. */
class SambaServerTest {

    private static final Duration COPY_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @BeforeEach
    void requireSamba() {
        HostTools.unavailableReason(SambaServer.TOOLS).ifPresent(reason -> Assumptions.assumeTrue(false, reason));
    }

    @Test
    void putThenGetKeepsEveryByteAndCloseStopsSmbdAndItsRpcHelpers() throws Exception {
        Path source = RandomFiles.create(dir.resolve("source.bin"), 20 * RandomFiles.MIB, 1);
        String expected = FileDigest.sha256(source);
        Path downloaded = dir.resolve("downloaded.bin");
        long smbdPid;
        long dcerpcdPid;
        SambaServer[] started = new SambaServer[1];
        Timed.step("smbd start", () -> started[0] = SambaServer.start(dir.resolve("smb"), HostTools.freeLoopbackPort()));
        try (SambaServer server = started[0]) {
            smbdPid = server.pid();
            Timed.step("smbclient put 20 MiB", () -> SmbClient.put(server.address(), source, "up.bin", COPY_TIMEOUT));
            assertEquals(expected, FileDigest.sha256(server.shareDirectory().resolve("up.bin")));
            Timed.step("smbclient get 20 MiB", () -> SmbClient.get(server.address(), "up.bin", downloaded, COPY_TIMEOUT));
            assertEquals(expected, FileDigest.sha256(downloaded));

            // a share listing goes through srvsvc, which makes smbd start samba-dcerpcd
            Commands.run(COPY_TIMEOUT, List.of(HostTools.executable("smbclient"), "-L", "127.0.0.1",
                    "-p", Integer.toString(server.address().getPort()),
                    "-U", SambaServer.USER + "%" + SambaServer.PASSWORD));
            Path dcerpcdPidFile = server.configFile().resolveSibling("run/samba-dcerpcd.pid");
            assertTrue(Files.exists(dcerpcdPidFile), "smbclient -L started samba-dcerpcd");
            dcerpcdPid = Long.parseLong(Files.readString(dcerpcdPidFile).strip());
        }
        ProcessAssertions.assertNotRunning(smbdPid, "smbd");
        ProcessAssertions.assertNotRunning(dcerpcdPid, "samba-dcerpcd");
    }

    @Test
    void extraGlobalLinesApplyAndSignedSessionsStillCopy() throws Exception {
        Path shareFile = RandomFiles.create(dir.resolve("smb/share/signed.bin"), 4 * RandomFiles.MIB, 2);
        try (SambaServer server = SambaServer.start(dir.resolve("smb"), HostTools.freeLoopbackPort(),
                List.of("server signing = mandatory"))) {
            assertTrue(Files.readString(server.configFile()).contains("server signing = mandatory"));
            Path downloaded = dir.resolve("signed-downloaded.bin");
            SmbClient.get(server.address(), "signed.bin", downloaded, COPY_TIMEOUT);
            assertEquals(FileDigest.sha256(shareFile), FileDigest.sha256(downloaded));
        }
    }
}
