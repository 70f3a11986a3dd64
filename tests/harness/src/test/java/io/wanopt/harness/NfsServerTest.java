package io.wanopt.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.harness.NfsClient.Version;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real nfs-ganesha with libnfs nfs-cp: NFSv3 and NFSv4 reads and an NFSv3 write of 20 MiB keep every
 * byte; servers start one after another and side by side in one JVM, and leave no process behind.
 */
class NfsServerTest {

    private static final Duration COPY_TIMEOUT = Duration.ofSeconds(60);
    private static final String HOST = "127.0.0.1";

    @TempDir
    Path dir;

    @BeforeEach
    void requireGanesha() {
        HostTools.unavailableReason(NfsServer.TOOLS).ifPresent(reason -> Assumptions.assumeTrue(false, reason));
    }

    @Test
    void v3AndV4ReadsAndAV3WriteKeepEveryByte() throws Exception {
        boolean rpcbindRanBefore = Rpcbind.running();
        Path serverDir = dir.resolve("nfs");
        Path exported = RandomFiles.create(NfsServer.exportDirectory(serverDir).resolve("file.bin"), 20 * RandomFiles.MIB, 3);
        String expected = FileDigest.sha256(exported);
        long ganeshaPid;
        NfsServer[] started = new NfsServer[1];
        Timed.step("ganesha start", () -> started[0] = NfsServer.start(serverDir, HostTools.freeLoopbackPort(),
                HostTools.freeLoopbackPort()));
        try (NfsServer server = started[0]) {
            ganeshaPid = server.pid();
            int nfsPort = server.nfsPort();
            int mountPort = server.mountPort();
            Path v3Copy = dir.resolve("v3.bin");
            Timed.step("nfs-cp v3 get 20 MiB",
                    () -> NfsClient.get(Version.V3, HOST, nfsPort, mountPort, "file.bin", v3Copy, COPY_TIMEOUT));
            assertEquals(expected, FileDigest.sha256(v3Copy));

            Path v4Copy = dir.resolve("v4.bin");
            Timed.step("nfs-cp v4 get 20 MiB",
                    () -> NfsClient.get(Version.V4, HOST, nfsPort, mountPort, "file.bin", v4Copy, COPY_TIMEOUT));
            assertEquals(expected, FileDigest.sha256(v4Copy));

            // get replaces an existing local file (nfs-cp alone refuses to)
            NfsClient.get(Version.V3, HOST, nfsPort, mountPort, "file.bin", v3Copy, COPY_TIMEOUT);
            assertEquals(expected, FileDigest.sha256(v3Copy));

            Path upload = RandomFiles.create(dir.resolve("upload.bin"), 20 * RandomFiles.MIB, 4);
            Timed.step("nfs-cp v3 put 20 MiB",
                    () -> NfsClient.put(Version.V3, HOST, nfsPort, mountPort, upload, "uploaded.bin", COPY_TIMEOUT));
            assertEquals(FileDigest.sha256(upload), FileDigest.sha256(server.exportDirectory().resolve("uploaded.bin")));
        }
        ProcessAssertions.assertNotRunning(ganeshaPid, "ganesha.nfsd");
        assertEquals(rpcbindRanBefore, Rpcbind.running(), "rpcbind is left as it was found");
    }

    @Test
    void serversRunSideBySideAndOneAfterAnother() throws Exception {
        boolean rpcbindRanBefore = Rpcbind.running();
        List<Path> serverDirs = List.of(dir.resolve("a"), dir.resolve("b"), dir.resolve("c"));
        for (Path serverDir : serverDirs) {
            RandomFiles.create(NfsServer.exportDirectory(serverDir).resolve("small.bin"), RandomFiles.MIB, 5);
        }
        String expected = FileDigest.sha256(NfsServer.exportDirectory(serverDirs.get(0)).resolve("small.bin"));
        long firstPid;
        long secondPid;
        try (NfsServer first = NfsServer.start(serverDirs.get(0), HostTools.freeLoopbackPort(), HostTools.freeLoopbackPort());
                NfsServer second = NfsServer.start(serverDirs.get(1), HostTools.freeLoopbackPort(),
                        HostTools.freeLoopbackPort())) {
            firstPid = first.pid();
            secondPid = second.pid();
            for (NfsServer server : List.of(first, second)) {
                Path copy = dir.resolve("side-by-side-" + server.nfsPort() + ".bin");
                NfsClient.get(Version.V3, HOST, server.nfsPort(), server.mountPort(), "small.bin", copy, COPY_TIMEOUT);
                assertEquals(expected, FileDigest.sha256(copy));
            }
        }
        ProcessAssertions.assertNotRunning(firstPid, "first ganesha.nfsd");
        ProcessAssertions.assertNotRunning(secondPid, "second ganesha.nfsd");
        try (NfsServer third = NfsServer.start(serverDirs.get(2), HostTools.freeLoopbackPort(), HostTools.freeLoopbackPort())) {
            Path copy = dir.resolve("afterwards.bin");
            NfsClient.get(Version.V3, HOST, third.nfsPort(), third.mountPort(), "small.bin", copy, COPY_TIMEOUT);
            assertEquals(expected, FileDigest.sha256(copy));
            assertTrue(third.log().toFile().exists(), "ganesha writes its log under the server directory");
        }
        assertEquals(rpcbindRanBefore, Rpcbind.running(), "rpcbind is left as it was found");
    }
}
