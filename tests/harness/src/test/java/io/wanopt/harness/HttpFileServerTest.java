package io.wanopt.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP file server on loopback with curl: byte-exact get and put, errors reported, stopped by close(). */
class HttpFileServerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void getAndPutKeepEveryByteAndFailuresAreReported() throws Exception {
        Assumptions.assumeTrue(HostTools.missing("curl").isEmpty(), "curl is not installed");
        Path serverDir = dir.resolve("http");
        Path served = RandomFiles.create(HttpFileServer.filesDirectory(serverDir).resolve("file.bin"),
                3 * RandomFiles.MIB, 21);
        Files.createFile(HttpFileServer.filesDirectory(serverDir).resolve("empty.bin"));
        long pid;
        try (HttpFileServer server = HttpFileServer.start(serverDir, HostTools.freeLoopbackPort())) {
            pid = server.pid();
            Path copy = dir.resolve("copy.bin");
            CurlClient.get(server.address(), "file.bin", copy, TIMEOUT);
            assertEquals(FileDigest.sha256(served), FileDigest.sha256(copy));

            Path emptyCopy = dir.resolve("empty-copy.bin");
            CurlClient.get(server.address(), "empty.bin", emptyCopy, TIMEOUT);
            assertEquals(0, Files.size(emptyCopy));

            Path upload = RandomFiles.create(dir.resolve("upload.bin"), 2 * RandomFiles.MIB, 22);
            CurlClient.put(server.address(), upload, "uploaded.bin", TIMEOUT);
            assertEquals(FileDigest.sha256(upload), FileDigest.sha256(server.filesDirectory().resolve("uploaded.bin")));

            IOException missing = assertThrows(IOException.class,
                    () -> CurlClient.get(server.address(), "missing.bin", dir.resolve("missing.bin"), TIMEOUT));
            assertTrue(missing.getMessage().contains("404"), missing.getMessage());
        }
        ProcessAssertions.assertNotRunning(pid, "http file server");
    }
}
