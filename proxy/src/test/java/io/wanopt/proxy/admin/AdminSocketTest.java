package io.wanopt.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.config.WanoptSettings;
import io.wanopt.proxy.Appliance;
import io.wanopt.proxy.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin socket in front of a real appliance, asked by the CLI's own code. */
class AdminSocketTest {

    @TempDir
    Path dir;

    private Path configFile;
    private Appliance appliance;
    private Seeder seeder;
    private RecentLogs logs;
    private Path socketPath;
    private AdminSocket socket;

    @BeforeEach
    void start() throws Exception {
        configFile = dir.resolve("site.conf");
        writeSite("");
        appliance = Appliance.start(WanoptSettings.load(configFile));
        logs = new RecentLogs(3, new SimpleFormatter());
        for (int i = 1; i <= 5; i++) {
            logs.publish(new LogRecord(Level.INFO, "line " + i));
        }
        seeder = new Seeder(appliance.store(), appliance.tunnels(), 32 << 10);
        socketPath = dir.resolve("run").resolve("admin.sock");
        socket = AdminSocket.open(socketPath, "", commands());
    }

    private AdminCommands commands() {
        return new AdminCommands(appliance, new TrafficHistory(appliance.counters(), System::nanoTime, Duration.ofHours(1)),
                logs, configFile, seeder);
    }

    /** The site file, with {@code extra} settings inside wanopt { }. */
    private void writeSite(String extra) throws IOException {
        Files.writeString(configFile, "wanopt {\n appliance-id = branch1\n tls.insecure-plaintext = true\n"
                + " peers = [ { id = dc1, address = \"127.0.0.1:9\" } ]\n store.path = store\n" + extra + "\n}\n");
    }

    @AfterEach
    void stop() throws Exception {
        if (socket != null) {
            socket.close();
        }
        seeder.close();
        appliance.close();
    }

    private record Cli(int status, String out, String err) {
    }

    private Cli cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] withSocket = java.util.Arrays.copyOf(args, args.length + 2);
        withSocket[args.length] = "--socket";
        withSocket[args.length + 1] = socketPath.toString();
        int status = Main.run(withSocket, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Cli(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theSocketIsOnlyForItsOwnerAndGroup() throws IOException {
        assertEquals(PosixFilePermissions.fromString("rw-rw----"), Files.getPosixFilePermissions(socketPath));
        IOException missingGroup = assertThrows(IOException.class,
                () -> AdminSocket.open(dir.resolve("other.sock"), "no-such-group-wanopt", commands()));
        assertTrue(missingGroup.getMessage().contains("admin group \"no-such-group-wanopt\" does not exist"),
                missingGroup.getMessage());
        assertFalse(Files.exists(dir.resolve("other.sock")));
    }

    @Test
    void commandsAnswerAsTablesAndJson() {
        Cli status = cli("status");
        assertEquals(0, status.status(), status.err());
        assertTrue(status.out().startsWith("appliance  branch1 (wanopt "), status.out());
        assertTrue(status.out().contains("peers      dc1 down"), status.out());
        assertTrue(status.out().contains("since start"), status.out());

        Cli json = cli("status", "--json");
        assertTrue(json.out().startsWith("{\"appliance\":\"branch1\",\"version\":"), json.out());
        assertTrue(json.out().contains("\"peers\":[{\"id\":\"dc1\",\"up\":false,\"rttMillis\":null,\"flows\":0,"), json.out());
        assertTrue(json.out().contains("\"inPath\":null}"), json.out());

        assertTrue(cli("peers").out().contains("dc1                  down"), cli("peers").out());
        assertEquals("[]\n", cli("flows", "--json").out());
        assertTrue(cli("flows").out().contains("(no open flows)"));
        Cli cache = cli("cache", "--json");
        assertTrue(cache.out().contains("\"chunks\":0,\"epoch\":\""), cache.out());
        assertTrue(cli("cache").out().startsWith("store      0 B of 10.0 GiB on disk, 0 chunks, epoch "), cli("cache").out());

        Cli lines = cli("logs", "2");
        assertEquals(2, lines.out().lines().count(), lines.out());
        assertTrue(lines.out().contains("line 4") && lines.out().contains("line 5"), lines.out());
        assertEquals(3, cli("logs").out().lines().count(), "only 3 lines kept");
    }

    @Test
    void mistakesGetTheDaemonsUsageAndAStatus() {
        Cli unknownOption = cli("status", "--yaml");
        assertEquals(2, unknownOption.status());
        assertTrue(unknownOption.err().contains("status takes only --json"), unknownOption.err());
        Cli badCount = cli("logs", "many");
        assertEquals(2, badCount.status());
        Cli watchElsewhere = cli("status", "--watch");
        assertEquals(2, watchElsewhere.status());
        assertTrue(watchElsewhere.err().contains("--watch is only for flows"), watchElsewhere.err());
    }

    @Test
    void aLongOrUnfinishedRequestIsRefusedWithoutHarm() throws IOException {
        try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            client.connect(UnixDomainSocketAddress.of(socketPath));
            client.write(ByteBuffer.wrap(new byte[AdminSocket.MAX_REQUEST + 10]));
            String answer = readAll(client);
            assertTrue(answer.startsWith("exit 2\nrequest longer than 4096 bytes"), answer);
        }
        try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            client.connect(UnixDomainSocketAddress.of(socketPath));
            client.write(ByteBuffer.wrap("status".getBytes(StandardCharsets.UTF_8)));
            client.shutdownOutput();
            assertTrue(readAll(client).startsWith("exit 2\n"));
        }
        assertEquals(0, cli("status").status(), "still answering");
    }

    @Test
    void aStaleSocketIsReplacedAndALiveOneIsNot() throws IOException {
        IOException live = assertThrows(IOException.class, () -> AdminSocket.open(socketPath, "", commands()));
        assertTrue(live.getMessage().contains("another appliance answers on"), live.getMessage());
        assertEquals(0, cli("status").status(), "the first one still answers");

        // A socket file nobody listens on, as a killed daemon leaves it.
        Path stale = dir.resolve("stale.sock");
        try (var server = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(stale));
        }
        assertTrue(Files.exists(stale));
        try (AdminSocket replaced = AdminSocket.open(stale, "", commands())) {
            assertEquals(stale, replaced.path());
        }
        assertFalse(Files.exists(stale), "removed at close");

        Path regular = dir.resolve("regular.sock");
        Files.writeString(regular, "not a socket");
        IOException notSocket = assertThrows(IOException.class, () -> AdminSocket.open(regular, "", commands()));
        assertTrue(notSocket.getMessage().contains("exists and is not a socket"), notSocket.getMessage());
    }

    @Test
    void reloadAppliesListenersRefusesABadFileAndNamesWhatNeedsARestart() throws Exception {
        Cli unchanged = cli("reload");
        assertEquals(0, unchanged.status(), unchanged.err());
        assertTrue(unchanged.out().contains("applied: nothing changed"), unchanged.out());

        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        writeSite(" listeners = [ { listen = \"127.0.0.1:" + port + "\", target = \"127.0.0.1:9\", peer = dc1 } ]");
        Cli added = cli("reload");
        assertEquals(0, added.status(), added.err());
        assertTrue(added.out().contains("applied: listener /127.0.0.1:" + port + " -> 127.0.0.1:9 added"), added.out());
        try (java.net.Socket client = new java.net.Socket("127.0.0.1", port)) {
            assertTrue(client.isConnected(), "the new listener accepts");
        }

        Files.writeString(configFile, Files.readString(configFile).replace("store.path = store", "store.path = store\n tunnel { "));
        Cli broken = cli("reload");
        assertEquals(1, broken.status());
        assertTrue(broken.err().startsWith("reload refused, the running configuration stays: " + configFile + ":"),
                broken.err());
        assertEquals(1, broken.err().lines().count(), broken.err());
        assertEquals(port, appliance.listenerAddress(0).getPort(), "still listening");

        writeSite(" peers = [ { id = dc1, address = \"127.0.0.1:9\" }, { id = dc2 } ]");
        Cli peersChanged = cli("reload");
        assertEquals(0, peersChanged.status(), peersChanged.err());
        assertTrue(peersChanged.out().contains("applied: listener /127.0.0.1:" + port + " removed"), peersChanged.out());
        assertTrue(peersChanged.out().contains("at the next start: wanopt.peers"), peersChanged.out());
        assertThrows(java.net.ConnectException.class, () -> new java.net.Socket("127.0.0.1", port).close());
        assertEquals(1, appliance.settings().peers().size(), "peers stay as started");
    }

    @Test
    void seedLearnsTheBlocksOfAFolderAndCacheClearDropsThemWithProgress() throws IOException {
        Path folder = dir.resolve("vms");
        Files.createDirectories(folder.resolve("sub"));
        byte[] data = new byte[5 * (32 << 10) + 1000];
        new java.util.Random(3).nextBytes(data);
        java.util.Arrays.fill(data, 32 << 10, 2 * (32 << 10), (byte) 0);
        Files.write(folder.resolve("a.vmdk"), data);
        Files.write(folder.resolve("sub").resolve("b.vmdk"), java.util.Arrays.copyOf(data, 32 << 10));
        assertEquals("no seed since start\n", cli("seed", "--status").out());

        Cli seeded = cli("seed", folder.toString());
        assertEquals(0, seeded.status(), seeded.err());
        String last = seeded.out().lines().reduce((first, second) -> second).orElseThrow();
        // 6 blocks in a.vmdk (one all zero, the last short), 1 in b.vmdk that a.vmdk already had.
        assertEquals("seed " + folder + ": done, 2 of 2 files, 193.0 KiB of 193.0 KiB (100%), 5 chunks new, 1 known, "
                + "1 zero blocks, 0 peers told", last);
        assertEquals(5, appliance.store().stats().chunks(), "the store holds each block once");
        Cli again = cli("seed", folder.toString());
        assertTrue(again.out().contains("0 chunks new, 6 known"), again.out());

        Cli unconfirmed = cli("cache", "clear");
        assertEquals(2, unconfirmed.status());
        assertTrue(unconfirmed.err().contains("confirm with cache clear --yes"), unconfirmed.err());
        Cli cleared = cli("cache", "clear", "--yes");
        assertEquals(0, cleared.status(), cleared.err());
        assertTrue(cleared.out().strip().endsWith("cache clear: done, 5 chunks dropped"), cleared.out());
        assertTrue(cli("cache", "--json").out().contains("\"chunks\":0,"));
        assertEquals("cache clear: done, 5 chunks dropped\n", cli("cache", "clear", "--status").out());
        assertTrue(cli("seed", folder.toString()).out().contains("5 chunks new, 1 known"), "learned again after the clear");

        Cli missing = cli("seed", dir.resolve("nothing").toString());
        assertEquals(1, missing.status());
        assertTrue(missing.err().contains("no such file or folder on the appliance"), missing.err());
    }

    @Test
    void noDaemonGivesAClearLineAndStatusOne() throws IOException {
        socket.close();
        socket = null;
        Cli nobodyThere = cli("status");
        assertEquals(1, nobodyThere.status());
        assertTrue(nobodyThere.err().startsWith("wanopt: cannot reach the appliance at " + socketPath
                + ": no appliance answers there"), nobodyThere.err());
    }

    private static String readAll(SocketChannel client) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (client.read(buffer.clear()) >= 0) {
            received.write(buffer.array(), 0, buffer.position());
        }
        return received.toString(StandardCharsets.UTF_8);
    }
}
