package io.wanopt.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.harness.NfsClient.Version;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The five-namespace in-path network with real servers in the server namespace and real clients in the
 * client namespace: SMB, NFSv3 through the portmapper, NFSv4 and HTTP copies keep every byte, all of
 * it crosses the wan namespace, tbf there really limits the rate, and nothing is left behind.
 */
class InPathNetworkTest {

    private static final Duration COPY_TIMEOUT = Duration.ofSeconds(120);
    private static final long LARGE = 20 * RandomFiles.MIB;
    private static final long SHAPED = 5 * RandomFiles.MIB;
    private static final String SHAPED_RATE = "20mbit";
    /** 5 MiB at 20 Mbit/s takes 2.1 s; anything near that shows the tbf is in the path. */
    private static final Duration SHAPED_AT_LEAST = Duration.ofMillis(1500);
    private static final Duration SHAPED_AT_MOST = Duration.ofSeconds(60);
    private static final int SMB_PORT = 445;
    private static final int HTTP_PORT = 8080;
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);
    private static final System.Logger LOG = System.getLogger(InPathNetworkTest.class.getName());

    @TempDir
    Path dir;

    private final List<String> timings = new ArrayList<>();

    @BeforeEach
    void requireNamespaces() {
        InPathNetwork.unavailableReason().ifPresent(reason -> Assumptions.assumeTrue(false, reason));
    }

    interface Copy {
        void run() throws Exception;
    }

    @Test
    void realServersAndClientsTalkOnlyAcrossTheWan() throws Exception {
        Path smbDir = dir.resolve("smb");
        Path nfsDir = dir.resolve("nfs");
        Path httpDir = dir.resolve("http");
        Path source = RandomFiles.create(dir.resolve("source.bin"), LARGE, 11);
        Path small = RandomFiles.create(dir.resolve("small.bin"), SHAPED, 12);
        String expected = FileDigest.sha256(source);
        // ganesha caches directories: everything it serves is in place before it starts
        for (Path served : List.of(smbDir.resolve(SambaServer.SHARE), NfsServer.exportDirectory(nfsDir),
                HttpFileServer.filesDirectory(httpDir))) {
            Files.createDirectories(served);
            Files.copy(source, served.resolve("file.bin"));
            Files.copy(small, served.resolve("small.bin"));
        }
        List<String> names;
        List<Long> serverPids = new ArrayList<>();
        long begin = System.nanoTime();
        try (InPathNetwork network = InPathNetwork.create(dir.resolve("network"))) {
            timings.add("network create: " + millisSince(begin) + " ms");
            names = network.namespaces().stream().map(NetworkNamespace::name).toList();
            assertTrue(namespaceList().containsAll(names), "namespaces exist: " + names);
            NetworkNamespace client = network.client();
            NetworkNamespace serverSide = network.server();
            long serversBegin = System.nanoTime();
            try (SambaServer smb = SambaServer.start(smbDir, serverSide, InPathNetwork.SERVER_ADDRESS, SMB_PORT);
                    NfsServer nfs = NfsServer.start(nfsDir, serverSide, InPathNetwork.SERVER_ADDRESS);
                    HttpFileServer http = HttpFileServer.start(httpDir, serverSide, InPathNetwork.SERVER_ADDRESS,
                            HTTP_PORT)) {
                timings.add("smbd + rpcbind/ganesha + http server start: " + millisSince(serversBegin) + " ms");
                serverPids.addAll(List.of(smb.pid(), nfs.pid(), http.pid()));
                assertPrivateRunNotVisibleOnHost(nfs.pid());
                String server = InPathNetwork.SERVER_ADDRESS;

                Path smbCopy = dir.resolve("smb-get.bin");
                acrossWan(network, "smbclient get 20 MiB", LARGE,
                        () -> SmbClient.get(smb.address(), "file.bin", smbCopy, COPY_TIMEOUT, client));
                assertEquals(expected, FileDigest.sha256(smbCopy), "smbclient get");

                Path v3Copy = dir.resolve("nfs3-get.bin");
                acrossWan(network, "nfs-cp v3 (portmapper) get 20 MiB", LARGE,
                        () -> NfsClient.get(Version.V3, server, "file.bin", v3Copy, COPY_TIMEOUT, client));
                assertEquals(expected, FileDigest.sha256(v3Copy), "nfs-cp v3 get");

                Path v4Copy = dir.resolve("nfs4-get.bin");
                acrossWan(network, "nfs-cp v4 get 20 MiB", LARGE,
                        () -> NfsClient.get(Version.V4, server, "file.bin", v4Copy, COPY_TIMEOUT, client));
                assertEquals(expected, FileDigest.sha256(v4Copy), "nfs-cp v4 get");

                Path httpCopy = dir.resolve("http-get.bin");
                acrossWan(network, "curl get 20 MiB", LARGE,
                        () -> CurlClient.get(http.address(), "file.bin", httpCopy, COPY_TIMEOUT, client));
                assertEquals(expected, FileDigest.sha256(httpCopy), "curl get");

                Path upload = RandomFiles.create(dir.resolve("upload.bin"), LARGE, 13);
                String uploaded = FileDigest.sha256(upload);
                acrossWan(network, "smbclient put 20 MiB", LARGE,
                        () -> SmbClient.put(smb.address(), upload, "smb-put.bin", COPY_TIMEOUT, client));
                assertEquals(uploaded, FileDigest.sha256(smb.shareDirectory().resolve("smb-put.bin")), "smbclient put");
                acrossWan(network, "nfs-cp v3 (portmapper) put 20 MiB", LARGE,
                        () -> NfsClient.put(Version.V3, server, upload, "nfs3-put.bin", COPY_TIMEOUT, client));
                assertEquals(uploaded, FileDigest.sha256(nfs.exportDirectory().resolve("nfs3-put.bin")), "nfs-cp v3 put");
                acrossWan(network, "curl put 20 MiB", LARGE,
                        () -> CurlClient.put(http.address(), upload, "http-put.bin", COPY_TIMEOUT, client));
                assertEquals(uploaded, FileDigest.sha256(http.filesDirectory().resolve("http-put.bin")), "curl put");

                network.shapeWan(SHAPED_RATE);
                Path shapedCopy = dir.resolve("shaped.bin");
                long shapedMillis = acrossWan(network, "curl get 5 MiB at " + SHAPED_RATE, SHAPED,
                        () -> CurlClient.get(http.address(), "small.bin", shapedCopy, COPY_TIMEOUT, client));
                assertEquals(FileDigest.sha256(small), FileDigest.sha256(shapedCopy), "shaped curl get");
                assertTrue(shapedMillis >= SHAPED_AT_LEAST.toMillis() && shapedMillis <= SHAPED_AT_MOST.toMillis(),
                        "5 MiB at " + SHAPED_RATE + " took " + shapedMillis + " ms");
                Path shapedSmbCopy = dir.resolve("shaped-smb.bin");
                acrossWan(network, "smbclient get 5 MiB at " + SHAPED_RATE, SHAPED,
                        () -> SmbClient.get(smb.address(), "small.bin", shapedSmbCopy, COPY_TIMEOUT, client));
                assertEquals(FileDigest.sha256(small), FileDigest.sha256(shapedSmbCopy), "shaped smbclient get");
                network.unshapeWan();
                Path unshapedCopy = dir.resolve("unshaped.bin");
                acrossWan(network, "curl get 5 MiB unshaped again", SHAPED,
                        () -> CurlClient.get(http.address(), "small.bin", unshapedCopy, COPY_TIMEOUT, client));
                assertEquals(FileDigest.sha256(small), FileDigest.sha256(unshapedCopy), "unshaped curl get");
            }
            for (NetworkNamespace namespace : network.namespaces()) {
                assertEquals("", Commands.run(COMMAND_TIMEOUT, List.of(NetworkNamespace.ip(), "netns", "pids",
                        namespace.name())).strip(), "no process left in " + namespace);
            }
        } finally {
            LOG.log(System.Logger.Level.INFO, () -> "in-path timings:\n  " + String.join("\n  ", timings));
        }
        for (long pid : serverPids) {
            ProcessAssertions.assertNotRunning(pid, "server");
        }
        List<String> left = namespaceList();
        for (String name : names) {
            assertFalse(left.contains(name), name + " deleted");
        }
    }

    @Test
    void networksSideBySideHaveTheirOwnNamespaces() throws Exception {
        List<String> names = new ArrayList<>();
        try (InPathNetwork first = InPathNetwork.create(dir.resolve("first"));
                InPathNetwork second = InPathNetwork.create(dir.resolve("second"))) {
            assertNotEquals(first.client(), second.client());
            first.namespaces().forEach(namespace -> names.add(namespace.name()));
            second.namespaces().forEach(namespace -> names.add(namespace.name()));
            assertTrue(namespaceList().containsAll(names));
            // client to server over the routers, and only there: the JVM's namespace has no such route
            String route = first.client().run(COMMAND_TIMEOUT, List.of(NetworkNamespace.ip(), "route", "get",
                    InPathNetwork.SERVER_ADDRESS));
            assertTrue(route.contains("via " + InPathNetwork.BRANCH_LAN_ADDRESS), route);
            String wanRoute = first.wan().run(COMMAND_TIMEOUT, List.of(NetworkNamespace.ip(), "route", "get",
                    InPathNetwork.SERVER_ADDRESS));
            assertTrue(wanRoute.contains("via " + InPathNetwork.DATACENTER_WAN_ADDRESS), wanRoute);
            assertEquals(0, first.wanBytes() - first.wanBytesTowardsBranch() - first.wanBytesTowardsDatacenter());
        }
        List<String> left = namespaceList();
        for (String name : names) {
            assertFalse(left.contains(name), name + " deleted");
        }
    }

    /** Runs {@code copy}, checks that at least {@code size} bytes crossed the WAN meanwhile; returns its ms. */
    private long acrossWan(InPathNetwork network, String what, long size, Copy copy) throws Exception {
        long before = network.wanBytes();
        long begin = System.nanoTime();
        copy.run();
        long millis = millisSince(begin);
        long crossed = network.wanBytes() - before;
        timings.add(what + ": " + millis + " ms, WAN bytes " + crossed);
        assertTrue(crossed >= size, what + ": only " + crossed + " bytes crossed the WAN for " + size);
        return millis;
    }

    /** The tmpfs over /run that rpcbind and ganesha share exists in their mount namespace only. */
    private static void assertPrivateRunNotVisibleOnHost(long ganeshaPid) throws Exception {
        String theirs = Files.readString(Path.of("/proc", Long.toString(ganeshaPid), "mountinfo"));
        String ours = Files.readString(Path.of("/proc/self/mountinfo"));
        assertTrue(theirs.contains("wanopt-rpcbind-run"), "ganesha sees the private /run");
        assertFalse(ours.contains("wanopt-rpcbind-run"), "the host does not");
    }

    private static List<String> namespaceList() throws Exception {
        // lines look like "NAME" or "NAME (id: 3)"
        return Commands.run(COMMAND_TIMEOUT, List.of(NetworkNamespace.ip(), "netns", "list")).lines()
                .map(line -> line.split("\\s+")[0]).toList();
    }

    private static long millisSince(long begin) {
        return (System.nanoTime() - begin) / 1_000_000;
    }
}
