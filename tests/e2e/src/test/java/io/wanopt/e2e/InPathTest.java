package io.wanopt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wanopt.harness.ChildProcess;
import io.wanopt.harness.CurlClient;
import io.wanopt.harness.HttpFileServer;
import io.wanopt.harness.InPathNetwork;
import io.wanopt.harness.NetworkNamespace;
import io.wanopt.harness.NfsClient;
import io.wanopt.harness.NfsServer;
import io.wanopt.harness.SambaServer;
import io.wanopt.harness.SmbClient;
import io.wanopt.harness.VmImages;
import io.wanopt.proxy.pki.Pki;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * In-path deployment in five network namespaces (client | branch | wan | datacenter | server): both
 * appliances run as {@code wanopt run} processes in the router namespaces, the branch one intercepting
 * with the nftables TPROXY steering it installs itself; Samba, nfs-ganesha (with its portmapper) and
 * an HTTP server in the server namespace; smbclient, nfs-cp and curl in the client namespace address
 * the server's real address. WAN bytes are the wan namespace's veth counters. The methods run in
 * order: each starts from the state the one before left.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InPathTest {

    private static final Duration COPY_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** WAN rate of the tests; the in-flight copy of the datacenter test runs slower, see there. */
    private static final String WAN_RATE = "100mbit";
    private static final int TUNNEL_PORT = 7800;
    private static final int HTTP_PORT = 8080;
    /** Where {@link HalfClosingPeers} answers in the server namespace. */
    private static final int HALF_CLOSE_PORT = 9000;
    /** The server ports the branch intercepts: portmapper, SMB, NFS, MOUNT, and the half-closing exchange. */
    private static final String INTERCEPTED_PORTS = "111, 445, 2049, 20048, " + HALF_CLOSE_PORT;
    /** How long after a SIGKILL a new connection may still fail. */
    private static final Duration FAIL_OPEN_BOUND = Duration.ofSeconds(5);
    /** A table of the admin's own in the branch router, which the appliance must leave alone. */
    private static final String ADMIN_TABLE = """
            table inet admin {
            	chain forward {
            		type filter hook forward priority filter; policy accept;
            		counter
            	}
            }
            """;
    private static final System.Logger LOG = System.getLogger(InPathTest.class.getName());
    private static final Pattern INTERCEPTED = Pattern.compile("in-path: (\\d+) intercepted, (\\d+) passed through");

    @TempDir
    static Path dir;

    private InPathNetwork network;
    private SambaServer samba;
    private NfsServer nfs;
    private HttpFileServer http;
    private ChildProcess halfClosingServer;
    private ChildProcess branch;
    private ChildProcess datacenter;
    private final List<Path> daemonLogs = new ArrayList<>();
    private String vmdk;
    private Path vmdkSource;
    private long vmdkSize;
    private String branchSteeringBefore;
    private String datacenterSteeringBefore;
    /** The branch's ruleset and routing while its appliance runs and manages its steering. */
    private String branchSteeringInstalled;
    private int copies;

    @BeforeAll
    void startSitesAndServers() throws Exception {
        Optional<String> unavailable = InPathNetwork.unavailableReason();
        assumeTrue(unavailable.isEmpty(), () -> unavailable.orElseThrow());
        RealServerSetup.assumeInstalled(List.of());
        VmImages images = RealServerSetup.images();
        vmdk = RealServerSetup.FIRST_VERSION;
        vmdkSource = images.file(vmdk);
        vmdkSize = Files.size(vmdkSource);

        network = InPathNetwork.create(dir.resolve("net"));
        network.shapeWan(WAN_RATE);
        // The admin's own table and rule, which the appliance must leave alone.
        network.branch().run(Duration.ofSeconds(10), List.of("nft", "-f", "-"), ADMIN_TABLE);
        network.branch().run(Duration.ofSeconds(10), List.of("ip", "rule", "add", "from", InPathNetwork.BRANCH_LAN_SUBNET,
                "lookup", "main", "priority", "1000"));
        branchSteeringBefore = steeringState(network.branch());
        datacenterSteeringBefore = steeringState(network.datacenter());

        Path nfsDir = dir.resolve("nfs");
        Files.createDirectories(NfsServer.exportDirectory(nfsDir));
        Files.copy(vmdkSource, NfsServer.exportDirectory(nfsDir).resolve(vmdk));
        nfs = NfsServer.start(nfsDir, network.server(), InPathNetwork.SERVER_ADDRESS);
        samba = SambaServer.start(dir.resolve("smb"), network.server(), InPathNetwork.SERVER_ADDRESS, 445);
        Files.copy(vmdkSource, samba.shareDirectory().resolve(vmdk));
        byte[] random = new byte[16 << 20];
        new Random(7).nextBytes(random);
        Files.write(samba.shareDirectory().resolve("random.bin"), random);
        Path httpDir = dir.resolve("http");
        Files.createDirectories(HttpFileServer.filesDirectory(httpDir));
        Files.copy(vmdkSource, HttpFileServer.filesDirectory(httpDir).resolve(vmdk));
        http = HttpFileServer.start(httpDir, network.server(), InPathNetwork.SERVER_ADDRESS, HTTP_PORT);
        halfClosingServer = network.server().start("half-closing server", javaCommand(HalfClosingPeers.class, "server",
                InPathNetwork.SERVER_ADDRESS, Integer.toString(HALF_CLOSE_PORT)), dir.resolve("half-closing-server.log"));

        Path pki = dir.resolve("pki");
        Pki.createCa(pki, "in-path test CA");
        Pki.issue(pki, pki, "dc");
        Pki.issue(pki, pki, "branch");
        datacenter = startDaemon(network.datacenter(), "dc", datacenterConfig(false));
        branch = startDaemon(network.branch(), "branch", branchConfig());
        awaitLog(branch, "tunnel to dc up");
        awaitLog(branch, "in-path: installed nftables table");
    }

    @AfterAll
    void stopEverything() throws IOException {
        for (AutoCloseable part : new AutoCloseable[] {branch, datacenter, halfClosingServer, http, samba, nfs}) {
            if (part != null) {
                try {
                    part.close();
                } catch (Exception e) {
                    // keep closing the rest; the namespaces go last
                }
            }
        }
        if (network != null) {
            network.close();
        }
        for (Path log : daemonLogs) {
            String text = Files.readString(log);
            assertFalse(text.contains("LEAK:"), "Netty reported a leak in " + log + ":\n" + text);
        }
    }

    @Test
    @Order(1)
    void smbNfs3AndNfs4CopiesAreInterceptedByteExactAndTheRepeatCostsUnderOnePercent() throws Exception {
        for (String protocol : List.of("smb", "nfs3", "nfs4")) {
            long interceptedBefore = intercepted(branch);
            long cold = wanBytesOf(() -> copyAndCheck(protocol));
            long repeat = wanBytesOf(() -> copyAndCheck(protocol));
            assertTrue(repeat < vmdkSize / 100, protocol + ": the repeat copy put " + repeat + " bytes on the WAN, "
                    + "not under 1 % of " + vmdkSize + " (cold: " + cold + ")");
            LOG.log(System.Logger.Level.INFO, "{0}: {1} bytes, cold copy {2} bytes on the WAN, repeat {3}", protocol,
                    vmdkSize, cold, repeat);
            // NFSv3 through its portmapper: GETPORT (111), MNT (20048), GETPORT again and NFS (2049), twice.
            long expected = protocol.equals("nfs3") ? 8 : 2;
            long intercepted = awaitIntercepted(branch, interceptedBefore + expected) - interceptedBefore;
            assertTrue(intercepted >= expected, protocol + ": " + intercepted + " connections intercepted");
        }
        String flows = Files.readString(branch.log());
        for (int port : new int[] {111, 20048, 2049, 445}) {
            // libnfs ends its connections with a reset: such flows log "reset after", the rest "ended after".
            assertTrue(flows.contains(" -> " + InPathNetwork.SERVER_ADDRESS + ":" + port + " via dc "),
                    "a flow to port " + port + " was carried through dc:\n" + branch.logTail(40));
        }
    }

    /**
     * A client that half-closes and then reads a long answer slowly (the appliance's LAN socket has
     * its input shut and must wait to write): the answer arrives whole.
     */
    @Test
    @Order(2)
    void aHalfClosedClientGetsTheWholeLongAnswer() throws Exception {
        String output = network.client().run(COPY_TIMEOUT, javaCommand(HalfClosingPeers.class, "client",
                InPathNetwork.SERVER_ADDRESS, Integer.toString(HALF_CLOSE_PORT)));
        List<String> lines = output.strip().lines().toList();
        assertEquals(HalfClosingPeers.expectedAnswerDigest(), lines.get(lines.size() - 1), output);
        assertTrue(Files.readString(branch.log()).contains(":" + HALF_CLOSE_PORT + " via dc ended"),
                "the exchange was carried through dc and ended normally:\n" + branch.logTail(20));
    }

    @Test
    @Order(3)
    void trafficNoRuleMatchesIsRoutedUntouched() throws Exception {
        long interceptedBefore = intercepted(branch);
        long wan = wanBytesOf(() -> copyAndCheck("http"));
        assertTrue(wan >= vmdkSize, "HTTP crossed unoptimized: " + wan + " bytes for a file of " + vmdkSize);
        Thread.sleep(1500);
        assertEquals(interceptedBefore, intercepted(branch), "no HTTP connection reached the appliance");
    }

    @Test
    @Order(4)
    void aKilledBranchFailsOpenWithinSecondsAndOptimizesAgainAfterRestart() throws Exception {
        ProcessHandle.of(branch.pid()).ifPresent(ProcessHandle::destroyForcibly);
        assertTrue(branch.awaitExit(Duration.ofSeconds(10)), "the branch appliance died of SIGKILL");
        long killedAt = System.nanoTime();
        long wan = -1;
        int attempts = 0;
        IOException lastFailure = null;
        while (System.nanoTime() - killedAt < FAIL_OPEN_BOUND.toNanos() && wan < 0) {
            attempts++;
            try {
                wan = wanBytesOf(() -> copyAndCheck("smb"));
            } catch (IOException e) {
                lastFailure = e;
                Thread.sleep(200);
            }
        }
        if (wan < 0) {
            fail("no SMB copy succeeded within " + FAIL_OPEN_BOUND + " of the SIGKILL", lastFailure);
        }
        long failOpenMillis = Duration.ofNanos(System.nanoTime() - killedAt).toMillis();
        LOG.log(System.Logger.Level.INFO, "after SIGKILL a copy succeeded at attempt {0}, {1} ms later, {2} bytes on the WAN",
                attempts, failOpenMillis, wan);
        assertTrue(wan >= vmdkSize, "with the branch appliance dead the copy crossed unoptimized: " + wan + " bytes");

        branch = startDaemon(network.branch(), "branch", branchConfig());
        awaitLog(branch, "tunnel to dc up");
        awaitLog(branch, "in-path: installed nftables table");
        String rules = network.branch().run(Duration.ofSeconds(10), List.of("ip", "rule", "show"));
        assertEquals(1, Pattern.compile("fwmark 0x5741 lookup 7810").matcher(rules).results().count(),
                "the restart replaced the killed run's steering instead of adding to it:\n" + rules);
        long repeat = wanBytesOf(() -> copyAndCheck("smb"));
        assertTrue(repeat < vmdkSize / 100, "optimized again after the restart: " + repeat + " bytes on the WAN");
        branchSteeringInstalled = steeringState(network.branch());
    }

    @Test
    @Order(5)
    void aStoppedDatacenterMeansPassThroughNeverCorruptionAndClientAddressesWhenTransparent() throws Exception {
        // A copy in flight when the datacenter appliance stops either completes byte-exact or fails.
        network.shapeWan("20mbit");
        Path inFlight = dir.resolve("in-flight.bin");
        CompletableFuture<IOException> copy = CompletableFuture.supplyAsync(() -> {
            try {
                SmbClient.get(server(445), "random.bin", inFlight, COPY_TIMEOUT, network.client());
                return null;
            } catch (IOException e) {
                return e;
            }
        });
        Thread.sleep(2000);
        datacenter.stop(Duration.ofSeconds(20));
        IOException inFlightFailure = copy.get();
        if (inFlightFailure == null) {
            RealServerSetup.assertSameContent(samba.shareDirectory().resolve("random.bin"), inFlight);
        }
        LOG.log(System.Logger.Level.INFO, "copy in flight when the datacenter stopped: {0}",
                inFlightFailure == null ? "completed byte-exact" : "failed: " + inFlightFailure.getMessage());
        network.shapeWan(WAN_RATE);
        awaitLog(branch, "tunnel to dc down");

        long wan = wanBytesOf(() -> copyAndCheck("nfs3"));
        assertTrue(wan >= vmdkSize, "with the datacenter appliance down the copy crossed unoptimized: " + wan);
        awaitLog(branch, "through unoptimized: no peer up (dc-backup, dc)");

        // Back, now in-path itself and connecting to servers from the clients' addresses.
        int branchLogBefore = Files.readString(branch.log()).length();
        datacenter = startDaemon(network.datacenter(), "dc", datacenterConfig(true));
        awaitLog(branch, "tunnel to dc up", branchLogBefore);
        awaitLog(datacenter, "in-path: installed nftables table");
        countSynsFrom(InPathNetwork.CLIENT_ADDRESS);
        long repeat = wanBytesOf(() -> copyAndCheck("smb"));
        assertTrue(repeat < vmdkSize / 100, "optimized with the datacenter back: " + repeat + " bytes on the WAN");
        assertTrue(synsCounted() > 0, "the server saw the client's own address");
    }

    @Test
    @Order(6)
    void aCleanStopRemovesAllTheApplianceInstalled() throws Exception {
        branch.stop(Duration.ofSeconds(20));
        datacenter.stop(Duration.ofSeconds(20));
        // SIGTERM ends the JVM with 143 after its shutdown hook ran; the hook's last line says it finished.
        assertTrue(branch.logTail(5).contains("appliance branch stopped"), branch.logTail(20));
        assertTrue(datacenter.logTail(5).contains("appliance dc stopped"), datacenter.logTail(20));
        assertEquals(branchSteeringBefore, steeringState(network.branch()));
        assertEquals(datacenterSteeringBefore, steeringState(network.datacenter()));
        // Nothing steers any more: the client reaches the server straight through both routers.
        copyAndCheck("smb");

        // An admin who manages nftables runs what `wanopt nft-rules` prints: the same steering, and its removal.
        Path config = dir.resolve("branch").resolve("wanopt.conf");
        network.branch().run(Duration.ofSeconds(20), List.of("sh", "-c", nftRules(config, false)));
        assertEquals(branchSteeringInstalled, steeringState(network.branch()));
        network.branch().run(Duration.ofSeconds(20), List.of("sh", "-c", nftRules(config, true)));
        assertEquals(branchSteeringBefore, steeringState(network.branch()));
    }

    /** The script {@code wanopt nft-rules} prints for {@code config}. */
    private static String nftRules(Path config, boolean remove) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("nft-rules", "--config", config.toString()));
        if (remove) {
            args.add("--remove");
        }
        int status = io.wanopt.proxy.cli.Main.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    // ---- sites ----

    private String branchConfig() {
        return "wanopt {\n appliance-id = branch\n"
                + " tls { key = ../pki/branch.key, certificate = ../pki/branch.crt, trusted-ca = ../pki/ca.crt }\n"
                // dc-backup is preferred but never up (nothing listens there): flows go to dc, the next one.
                + " peers = [ { id = dc-backup, address = \"" + InPathNetwork.DATACENTER_WAN_ADDRESS + ":" + (TUNNEL_PORT + 1)
                + "\" }, { id = dc, address = \"" + InPathNetwork.DATACENTER_WAN_ADDRESS + ":" + TUNNEL_PORT
                + "\", link-rate = " + WAN_RATE + " } ]\n"
                + " in-path {\n  enabled = true\n  lan-interfaces = [" + InPathNetwork.LAN_INTERFACE + "]\n"
                + "  rules = [ { destinations = [\"" + InPathNetwork.DATACENTER_LAN_SUBNET + "\"], ports = ["
                + INTERCEPTED_PORTS + "], peers = [dc-backup, dc] } ]\n }\n"
                + common();
    }

    private String datacenterConfig(boolean transparent) {
        String inPath = transparent
                ? " in-path {\n  enabled = true\n  lan-interfaces = [" + InPathNetwork.LAN_INTERFACE + "]\n"
                        + "  server-source = client\n"
                        + "  rules = [ { destinations = [\"" + InPathNetwork.BRANCH_LAN_SUBNET + "\"], ports = [445], "
                        + "peers = [branch] } ]\n }\n"
                : "";
        return "wanopt {\n appliance-id = dc\n"
                + " tls { key = ../pki/dc.key, certificate = ../pki/dc.crt, trusted-ca = ../pki/ca.crt }\n"
                + " tunnel.listen = \"" + InPathNetwork.DATACENTER_WAN_ADDRESS + ":" + TUNNEL_PORT + "\"\n"
                + " peers = [ { id = branch, link-rate = " + WAN_RATE + " } ]\n"
                + inPath
                + common();
    }

    private static String common() {
        return " store { path = store, memory-cache = 32MiB }\n memory.max-buffered = 64MiB\n"
                + " stats.summary-interval = 500ms\n}\n";
    }

    /** Starts {@code wanopt run} in {@code namespace} with {@code config} (its directory: dir/id). */
    private ChildProcess startDaemon(NetworkNamespace namespace, String id, String config) throws IOException {
        Path site = dir.resolve(id);
        Files.createDirectories(site);
        Path file = site.resolve("wanopt.conf");
        // Both routers share this file system: each site's admin socket lives in its own directory.
        Files.writeString(file, config + "wanopt.management { admin-socket = \"" + site.resolve("admin.sock")
                + "\", metrics-listen = \"\" }\n");
        Path log = site.resolve("wanopt-" + daemonLogs.size() + ".log");
        daemonLogs.add(log);
        List<String> command = javaCommand(List.of("-Xmx512m", "-Dio.netty.leakDetection.level=advanced"),
                io.wanopt.proxy.cli.Main.class, "run", "--config", file.toString());
        return namespace.start("wanopt " + id, command, log);
    }

    /** {@code java -cp CLASSPATH MAIN ARGS} with this JVM's java and class path. */
    private static List<String> javaCommand(Class<?> main, String... args) {
        return javaCommand(List.of(), main, args);
    }

    private static List<String> javaCommand(List<String> jvmOptions, Class<?> main, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return command;
    }

    private static void awaitLog(ChildProcess daemon, String text) throws IOException, InterruptedException {
        awaitLog(daemon, text, 0);
    }

    /** Waits for {@code text} in the daemon's log after its first {@code from} characters. */
    private static void awaitLog(ChildProcess daemon, String text, int from) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.readString(daemon.log()).indexOf(text, from) >= 0) {
                return;
            }
            Thread.sleep(100);
        }
        fail("\"" + text + "\" not in the log of " + daemon + " within " + START_TIMEOUT + ":\n" + daemon.logTail(40));
    }

    /** Connections the daemon intercepted, from its latest summary line (0 before the first). */
    private static long intercepted(ChildProcess daemon) throws IOException {
        Matcher matcher = INTERCEPTED.matcher(Files.readString(daemon.log()));
        long last = 0;
        while (matcher.find()) {
            last = Long.parseLong(matcher.group(1));
        }
        return last;
    }

    private static long awaitIntercepted(ChildProcess daemon, long atLeast) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (intercepted(daemon) < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return intercepted(daemon);
    }

    /** The router's nftables ruleset (without counter values), policy-routing rules and IPv4 routes of every table. */
    private static String steeringState(NetworkNamespace router) throws IOException {
        Duration timeout = Duration.ofSeconds(10);
        return router.run(timeout, List.of("nft", "-s", "list", "ruleset")) + "\n--\n"
                + router.run(timeout, List.of("ip", "rule", "show")) + "\n--\n"
                + router.run(timeout, List.of("ip", "-4", "route", "show", "table", "all"));
    }

    // ---- copies ----

    private InetSocketAddress server(int port) {
        return new InetSocketAddress(InPathNetwork.SERVER_ADDRESS, port);
    }

    /** Copies the VMDK to the client with {@code protocol}, addressing the server's real address, and checks it. */
    private void copyAndCheck(String protocol) throws IOException {
        Path local = dir.resolve("copy-" + copies++ + "-" + protocol + ".vmdk");
        Path expected;
        switch (protocol) {
            case "smb" -> {
                SmbClient.get(server(445), vmdk, local, COPY_TIMEOUT, network.client());
                expected = samba.shareDirectory().resolve(vmdk);
            }
            case "nfs3", "nfs4" -> {
                NfsClient.get(protocol.equals("nfs3") ? NfsClient.Version.V3 : NfsClient.Version.V4,
                        InPathNetwork.SERVER_ADDRESS, vmdk, local, COPY_TIMEOUT, network.client());
                expected = vmdkSource;
            }
            case "http" -> {
                CurlClient.get(server(HTTP_PORT), vmdk, local, COPY_TIMEOUT, network.client());
                expected = vmdkSource;
            }
            default -> throw new IllegalArgumentException(protocol);
        }
        RealServerSetup.assertSameContent(expected, local);
        Files.delete(local);
    }

    private long wanBytesOf(RealServerSetup.Copy copy) throws IOException {
        long before = network.wanBytes();
        copy.run();
        return network.wanBytes() - before;
    }

    /** Counts, in the server namespace, SYNs to the SMB port from {@code address}. */
    private void countSynsFrom(String address) throws IOException {
        network.server().run(Duration.ofSeconds(10), List.of("nft", "add", "table", "ip", "probe"));
        network.server().run(Duration.ofSeconds(10), List.of("nft", "add", "chain", "ip", "probe", "input",
                "{ type filter hook input priority 0; policy accept; }"));
        network.server().run(Duration.ofSeconds(10), List.of("nft", "add", "rule", "ip", "probe", "input",
                "ip", "saddr", address, "tcp", "dport", "445", "tcp", "flags", "syn", "counter"));
    }

    private long synsCounted() throws IOException {
        String listing = network.server().run(Duration.ofSeconds(10), List.of("nft", "list", "table", "ip", "probe"));
        Matcher packets = Pattern.compile("counter packets (\\d+)").matcher(listing);
        return packets.find() ? Long.parseLong(packets.group(1)) : 0;
    }
}
