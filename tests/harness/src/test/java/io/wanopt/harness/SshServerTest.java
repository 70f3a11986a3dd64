package io.wanopt.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real sshd: scp -C copies 20 MiB exactly, and rsync -z turns an older local copy into the new
 * version by delta transfer, sending only the changed regions.
 */
class SshServerTest {

    private static final Duration COPY_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @BeforeEach
    void requireOpenSsh() {
        HostTools.unavailableReason(SshServer.TOOLS).ifPresent(reason -> Assumptions.assumeTrue(false, reason));
    }

    @Test
    void scpCopiesExactlyAndRsyncSendsOnlyTheChangedRegions() throws Exception {
        Path previous = RandomFiles.create(dir.resolve("server/previous.bin"), 20 * RandomFiles.MIB, 6);
        Path current = dir.resolve("server/current.bin");
        Files.copy(previous, current);
        overwriteRegions(current, 8, 4096, 7);
        String expected = FileDigest.sha256(current);
        long sshdPid;
        SshServer[] started = new SshServer[1];
        Timed.step("sshd start", () -> started[0] = SshServer.start(dir.resolve("sshd"), HostTools.freeLoopbackPort()));
        try (SshServer server = started[0]) {
            sshdPid = server.pid();
            Path scpCopy = dir.resolve("client/scp.bin");
            Timed.step("scp -C get 20 MiB",
                    () -> SshCopy.scpCompressed(server, server.address(), current, scpCopy, COPY_TIMEOUT));
            assertEquals(expected, FileDigest.sha256(scpCopy));

            Path localVersion = dir.resolve("client/disk.bin");
            Files.copy(previous, localVersion);
            SshCopy.RsyncStats[] stats = new SshCopy.RsyncStats[1];
            Timed.step("rsync -z get 20 MiB over the previous version",
                    () -> stats[0] = SshCopy.rsyncCompressed(server, server.address(), current, localVersion, COPY_TIMEOUT));
            assertEquals(expected, FileDigest.sha256(localVersion));
            assertTrue(stats[0].matchedBytes() > 19 * RandomFiles.MIB, "most data reused: " + stats[0]);
            assertTrue(stats[0].literalBytes() < RandomFiles.MIB, "only changed regions sent: " + stats[0]);
        }
        ProcessAssertions.assertNotRunning(sshdPid, "sshd");
    }

    /** Overwrites {@code count} regions of {@code length} bytes at random offsets with random bytes. */
    private static void overwriteRegions(Path file, int count, int length, long seed) throws Exception {
        Random random = new Random(seed);
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] region = new byte[length];
            for (int i = 0; i < count; i++) {
                random.nextBytes(region);
                out.seek((long) (random.nextDouble() * (out.length() - length)));
                out.write(region);
            }
        }
    }
}
