package io.wanopt.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WanoptSettingsTest {

    /** A valid site file; line numbers matter to the bad cases, which edit or insert single lines. */
    static final List<String> GOOD = List.of(
            "wanopt {",                                                                          // 1
            "  appliance-id = \"branch1\"",                                                      // 2
            "  tls { key = \"key.pem\", certificate = \"cert.pem\", trusted-ca = \"ca.pem\" }",  // 3
            "  peers = [",                                                                       // 4
            "    { id = \"dc1\", address = \"203.0.113.7:7800\", link-rate = 10mbit }",          // 5
            "    { id = \"dc2\", link-rate = 1gbit, compression = none }",                       // 6
            "  ]",                                                                               // 7
            "  listeners = [",                                                                   // 8
            "    { listen = \"127.0.0.1:4450\", target = \"files.example:445\", peer = \"dc1\" }", // 9
            "  ]",                                                                               // 10
            "  tunnel.listen = \"0.0.0.0:7800\"",                                                // 11
            "  store.path = \"store\"",                                                          // 12
            "}");                                                                                // 13
    static final int FREE_LINE = 12;

    @TempDir
    Path dir;

    @BeforeEach
    void writePemFiles() throws IOException {
        writePemFiles(dir);
    }

    static void writePemFiles(Path dir) throws IOException {
        Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        Files.writeString(dir.resolve("junk.pem"), "not a key\n");
    }

    private Path write(List<String> lines) throws IOException {
        Path file = dir.resolve("site.conf");
        Files.write(file, lines);
        return file;
    }

    /** GOOD with line {@code line} (1-based) replaced by {@code text}. */
    static List<String> withLine(int line, String text) {
        List<String> lines = new ArrayList<>(GOOD);
        lines.set(line - 1, text);
        return lines;
    }

    /** GOOD with {@code from} replaced by {@code to} in line {@code line}. */
    static List<String> edit(int line, String from, String to) {
        String original = GOOD.get(line - 1);
        if (!original.contains(from)) {
            throw new IllegalArgumentException(from + " is not in line " + line);
        }
        return withLine(line, original.replace(from, to));
    }

    static List<String> extra(String text) {
        return withLine(FREE_LINE, GOOD.get(FREE_LINE - 1) + "\n" + text);
    }

    @Test
    void goodFileLoadsEveryValue() throws Exception {
        Path file = write(GOOD);
        WanoptSettings settings = WanoptSettings.load(file);

        assertEquals("branch1", settings.applianceId());
        assertEquals(file.toString(), settings.origin());
        assertEquals(new TlsSettings(dir.resolve("key.pem"), dir.resolve("cert.pem"), dir.resolve("ca.pem"), false),
                settings.tls());

        PeerSettings dc1 = settings.peer("dc1");
        assertEquals(new InetSocketAddress("203.0.113.7", 7800), dc1.address());
        assertEquals(10_000_000L, dc1.linkRateBitsPerSecond());
        assertEquals(Compression.AUTO, dc1.compression());
        assertEquals(Compression.ZSTD, settings.effectiveCompression(dc1));
        PeerSettings dc2 = settings.peer("dc2");
        assertNull(dc2.address());
        assertEquals(1_000_000_000L, dc2.linkRateBitsPerSecond());
        assertEquals(Compression.NONE, settings.effectiveCompression(dc2));
        assertNull(settings.peer("dc3"));
        assertEquals(List.of(dc1, dc2), settings.peers());

        assertEquals(List.of(new ListenerSettings(new InetSocketAddress("127.0.0.1", 4450), "files.example", 445, "dc1")),
                settings.listeners());

        TunnelSettings tunnel = settings.tunnel();
        assertEquals(new InetSocketAddress("0.0.0.0", 7800), tunnel.listen());
        assertEquals(Duration.ofSeconds(5), tunnel.connectTimeout());
        assertEquals(Duration.ofMillis(200), tunnel.reconnectMinBackoff());
        assertEquals(Duration.ofSeconds(10), tunnel.reconnectMaxBackoff());
        assertEquals(Duration.ofSeconds(2), tunnel.keepaliveInterval());
        assertEquals(Duration.ofSeconds(10), tunnel.keepaliveTimeout());
        assertEquals(4 << 20, tunnel.maxFrameSize());
        assertEquals(1 << 20, tunnel.flowInitialWindow());
        assertEquals(64 << 20, tunnel.flowMaxWindow());
        assertEquals(256 << 10, tunnel.batchSize());
        assertEquals(Duration.ofMillis(1), tunnel.tailFlushDelay());

        assertEquals(new ChunkingSettings(2048, 8192, 65536), settings.chunking());
        assertEquals(new StoreSettings(dir.resolve("store"), 10L << 30, 64L << 20, 256L << 20, 64L << 20), settings.store());
        assertEquals(new CompressionSettings(100_000_000L, 3), settings.compression());
        assertEquals(new ProtocolSettings(32 << 10, 131_072, true, 4 << 20, 4096,
                new ProtocolSettings.ReadAhead(true, 32 << 20, Duration.ofSeconds(5)), true, 9 << 20), settings.protocols());
        assertEquals(new SmartReadSettings(SmartReadSettings.UnusedBlocks.KEEP, List.of(), false, Duration.ofSeconds(30), 64),
                settings.smartRead());
        assertEquals(new InPathSettings(false, List.of(), 7810, List.of(), InPathSettings.ServerSource.APPLIANCE, true,
                0x5741, 7810, "wanopt"), settings.inPath());
        assertEquals(256L << 20, settings.maxBuffered());
        assertEquals(Duration.ofMinutes(1), settings.summaryInterval());
        assertEquals(new ManagementSettings(Path.of("/run/wanopt/admin.sock"), "", new InetSocketAddress("127.0.0.1", 9780),
                1000), settings.management());
    }

    @Test
    void inPathRulesMatchSubnetsAndPortsInOrder() throws Exception {
        WanoptSettings settings = WanoptSettings.load(write(extra("in-path { enabled = true, lan-interfaces = [eth1], "
                + "server-source = client, mark = 22337, route-table = 100, "
                + "rules = [ { destinations = [\"10.20.0.0/16\", \"192.0.2.7\"], ports = [445, 2049, \"20000-20100\"], "
                + "peers = [dc2, dc1] }, { destinations = [\"0.0.0.0/0\"], ports = [111], peers = [dc1] } ] }")));
        InPathSettings inPath = settings.inPath();
        assertTrue(inPath.enabled());
        assertEquals(List.of("eth1"), inPath.lanInterfaces());
        assertEquals(InPathSettings.ServerSource.CLIENT, inPath.serverSource());
        assertEquals(22337, inPath.mark());
        assertEquals(100, inPath.routeTable());
        InPathSettings.Rule first = inPath.rules().get(0);
        assertEquals("[10.20.0.0/16, 192.0.2.7/32]", first.destinations().toString());
        assertEquals("[445, 2049, 20000-20100]", first.ports().toString());
        assertEquals(List.of("dc2", "dc1"), first.peers());
        assertTrue(first.matches(InetAddress.getByName("10.20.255.1"), 445));
        assertTrue(first.matches(InetAddress.getByName("10.20.0.9"), 20100));
        assertFalse(first.matches(InetAddress.getByName("10.21.0.1"), 445));
        assertFalse(first.matches(InetAddress.getByName("192.0.2.8"), 445));
        assertFalse(first.matches(InetAddress.getByName("10.20.0.9"), 80));
        assertFalse(first.matches(InetAddress.getByName("::1"), 445));
        assertTrue(inPath.rules().get(1).matches(InetAddress.getByName("198.51.100.1"), 111));
        assertEquals("10.0.0.0/8", new InPathSettings.Subnet(0x0a0b0c0d, 8).toString());
    }

    @Test
    void smartReadRulesChooseUnusedBlocksPerFile() throws Exception {
        WanoptSettings settings = WanoptSettings.load(write(extra("smartread { unused-blocks = keep, "
                + "skip-storage-reads = on, rules = [ { path = \"vms/**-flat.vmdk\", unused-blocks = zero }, "
                + "{ path = \"*.vmdk\", unused-blocks = ZERO }, { path = \"keep/?.vmdk\", unused-blocks = keep } ] }")));
        SmartReadSettings smartRead = settings.smartRead();
        assertTrue(smartRead.skipStorageReads());
        assertEquals(SmartReadSettings.UnusedBlocks.ZERO, smartRead.unusedBlocksFor("vms/a/b/web-flat.vmdk"));
        assertEquals(SmartReadSettings.UnusedBlocks.KEEP, smartRead.unusedBlocksFor("other/web-flat.img"));
        // A glob without "/" matches the name alone, in any directory.
        assertEquals(SmartReadSettings.UnusedBlocks.ZERO, smartRead.unusedBlocksFor("keep/x.vmdk"));
        assertEquals(SmartReadSettings.UnusedBlocks.ZERO, smartRead.unusedBlocksFor("web.vmdk"));
        assertEquals(SmartReadSettings.UnusedBlocks.KEEP, smartRead.unusedBlocksFor("web.vmdk.txt"));
        assertFalse(new SmartReadSettings.Rule("vms/*.vmdk", SmartReadSettings.UnusedBlocks.ZERO).matches("vms/a/b.vmdk"));
        assertTrue(new SmartReadSettings.Rule("a+b(1).vmdk", SmartReadSettings.UnusedBlocks.ZERO).matches("a+b(1).vmdk"));
    }

    @Test
    void autoCompressionFollowsLinkRate() throws Exception {
        WanoptSettings settings = WanoptSettings.load(write(GOOD));
        assertEquals(Compression.ZSTD, settings.effectiveCompression(new PeerSettings("a", null, 99_999_999L, Compression.AUTO)));
        assertEquals(Compression.LZ4, settings.effectiveCompression(new PeerSettings("a", null, 100_000_000L, Compression.AUTO)));
        assertEquals(Compression.LZ4, settings.effectiveCompression(new PeerSettings("a", null, 155_000_000L, Compression.AUTO)));
        assertEquals(Compression.ZSTD, settings.effectiveCompression(new PeerSettings("a", null, 1_000_000_000L, Compression.ZSTD)));
    }

    @Test
    void peerDefaultsFillMissingPeerKeys() throws Exception {
        WanoptSettings settings = WanoptSettings.load(write(extra("peer-defaults { link-rate = 155mbit, compression = lz4 }")));
        PeerSettings dc1 = settings.peer("dc1");
        assertEquals(10_000_000L, dc1.linkRateBitsPerSecond());
        assertEquals(Compression.LZ4, dc1.compression());
        assertEquals(new PeerSettings("dc2", null, 1_000_000_000L, Compression.NONE), settings.peer("dc2"));
    }

    @Test
    void plaintextNeedsNoTlsFiles() throws Exception {
        WanoptSettings settings = WanoptSettings.parse(String.join("\n",
                withLine(3, "  tls.insecure-plaintext = true")), "lab.conf");
        assertEquals(new TlsSettings(null, null, null, true), settings.tls());
        assertEquals("lab.conf", settings.origin());
    }

    @Test
    void ratesParseWithUnits() {
        assertEquals(10_000_000L, Rates.parse("10mbit"));
        assertEquals(1_500_000L, Rates.parse("1.5mbit"));
        assertEquals(155_000_000L, Rates.parse("155mbit"));
        assertEquals(1_000_000_000L, Rates.parse("1gbit"));
        assertEquals(64_000L, Rates.parse("64kbit"));
        assertEquals(64_000L, Rates.parse("64 Kbit"));
        for (String bad : new String[] {"10", "10mbps", "10MB", "fast", "-1mbit", "0mbit", "1e3mbit"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Rates.parse(bad), bad);
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Rates.parse("10mbps"))
                .getMessage().contains("kbit, mbit, gbit"));
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
                bad("unknown key", extra("tunnel.max-frame-sise = 4MiB"), "wanopt.tunnel.max-frame-sise", 13),
                bad("unknown key at top", withLine(13, "}\nwanop.appliance-id = x"), "wanop", 14),
                bad("unknown peer key", edit(6, "link-rate", "link-rat"), "wanopt.peers[1].link-rat", 6),
                bad("unknown listener key", edit(9, "peer =", "prt = 1, peer ="), "wanopt.listeners[0].prt", 9),
                bad("peer entry not an object", edit(6, "{ id = \"dc2\", link-rate = 1gbit, compression = none }", "\"dc2\""),
                        "wanopt.peers[1]", 6),
                bad("wrong type", extra("tunnel.max-frame-size = \"lots\""), "wanopt.tunnel.max-frame-size", 13),
                bad("object for a scalar", extra("store.path { a = 1 }"), "wanopt.store.path", 13),
                bad("size does not fit int", extra("tunnel.batch-size = 4GiB"), "wanopt.tunnel.batch-size", 13),
                bad("bad duration", extra("tunnel.connect-timeout = soon"), "wanopt.tunnel.connect-timeout", 13),
                bad("empty appliance id", edit(2, "\"branch1\"", "\"\""), "wanopt.appliance-id", 2),
                bad("invalid appliance id", edit(2, "\"branch1\"", "\"branch 1\""), "wanopt.appliance-id", 2),
                bad("missing certificate file", edit(3, "cert.pem", "missing.pem"), "wanopt.tls.certificate", 3),
                bad("key not PEM", edit(3, "key.pem", "junk.pem"), "wanopt.tls.key", 3),
                bad("CA not PEM", edit(3, "\"ca.pem\"", "\"junk.pem\""), "wanopt.tls.trusted-ca", 3),
                bad("TLS paths required", withLine(3, "  tls.key = \"key.pem\""), "wanopt.tls.certificate", -1),
                bad("duplicate peer id", edit(6, "dc2", "dc1"), "wanopt.peers[1].id", 6),
                bad("peer id missing", edit(6, "id = \"dc2\",", ""), "wanopt.peers[1].id", 6),
                bad("peer is own id", edit(6, "dc2", "branch1"), "wanopt.peers[1].id", 6),
                bad("invalid peer id", edit(6, "dc2", "dc/2"), "wanopt.peers[1].id", 6),
                bad("listener names unknown peer", edit(9, "peer = \"dc1\"", "peer = \"dc9\""), "wanopt.listeners[0].peer", 9),
                bad("listener without target", edit(9, "target = \"files.example:445\",", ""), "wanopt.listeners[0].target", 9),
                bad("address without port", edit(5, "203.0.113.7:7800", "203.0.113.7"), "wanopt.peers[0].address", 5),
                bad("address port out of range", edit(5, "7800", "78000"), "wanopt.peers[0].address", 5),
                bad("address bad IPv4", edit(5, "203.0.113.7", "203.0.113.700"), "wanopt.peers[0].address", 5),
                bad("target bad host", edit(9, "files.example", "files example"), "wanopt.listeners[0].target", 9),
                bad("listen port zero is fine but -1 is not", edit(9, "4450", "-1"), "wanopt.listeners[0].listen", 9),
                bad("tunnel listen garbage", edit(11, "0.0.0.0:7800", "everywhere"), "wanopt.tunnel.listen", 11),
                bad("chunk min too small", extra("chunking.min-size = 32"), "wanopt.chunking.min-size", 13),
                bad("chunk average not power of two", extra("chunking.average-size = 3000"), "wanopt.chunking.average-size", 13),
                bad("chunk min above average", extra("chunking.min-size = 16KiB"), "wanopt.chunking.average-size", 13),
                bad("chunk max below average", extra("chunking.max-size = 4KiB"), "wanopt.chunking.max-size", 13),
                bad("initial window above max", extra("tunnel.flow-initial-window = 65MiB"), "wanopt.tunnel.flow-initial-window", 13),
                bad("batch over the format cap", extra("tunnel.batch-size = 5MiB"), "wanopt.tunnel.batch-size", 13),
                bad("chunk over the format cap", extra("chunking.max-size = 2MiB"), "wanopt.chunking.max-size", 13),
                bad("frame too small for batch", extra("tunnel.max-frame-size = 256KiB"), "wanopt.tunnel.max-frame-size", 13),
                bad("keepalive timeout below interval", extra("tunnel.keepalive-timeout = 1s"), "wanopt.tunnel.keepalive-timeout", 13),
                bad("zstd level", extra("compression.zstd-level = 20"), "wanopt.compression.zstd-level", 13),
                bad("file chunk not block aligned", extra("protocols.file-chunk-size = 33KiB"), "wanopt.protocols.file-chunk-size", 13),
                bad("rpc record cap too small", extra("protocols.nfs.max-record-size = 1KiB"), "wanopt.protocols.nfs.max-record-size", 13),
                bad("no pending calls", extra("protocols.nfs.max-pending-calls = 0"), "wanopt.protocols.nfs.max-pending-calls", 13),
                bad("negative file chunk index", extra("protocols.file-chunk-index = -1"), "wanopt.protocols.file-chunk-index", 13),
                bad("read-ahead window under two reads", extra("protocols.nfs.read-ahead.max-window = 1MiB"),
                        "wanopt.protocols.nfs.read-ahead.max-window", 13),
                bad("read-ahead age not a duration", extra("protocols.nfs.read-ahead.max-age = soon"),
                        "wanopt.protocols.nfs.read-ahead.max-age", 13),
                bad("smb frame above the transport's limit", extra("protocols.smb.max-frame-size = 16MiB"),
                        "wanopt.protocols.smb.max-frame-size", 13),
                bad("read-ahead switch not a boolean", extra("protocols.nfs.read-ahead.enabled = maybe"),
                        "wanopt.protocols.nfs.read-ahead.enabled", 13),
                bad("unused-blocks not a choice", extra("smartread.unused-blocks = drop"), "wanopt.smartread.unused-blocks", 13),
                bad("smartread rule without path", extra("smartread.rules = [ { unused-blocks = zero } ]"),
                        "wanopt.smartread.rules[0].path", 13),
                bad("smartread rule without choice", extra("smartread.rules = [ { path = \"*.vmdk\" } ]"),
                        "wanopt.smartread.rules[0].unused-blocks", 13),
                bad("smartread rule unknown key", extra("smartread.rules = [ { path = \"*.vmdk\", unused = zero } ]"),
                        "wanopt.smartread.rules[0].unused", 13),
                bad("skip-storage-reads not a boolean", extra("smartread.skip-storage-reads = sometimes"),
                        "wanopt.smartread.skip-storage-reads", 13),
                bad("no maps", extra("smartread.max-maps = 0"), "wanopt.smartread.max-maps", 13),
                bad("in-path without interfaces", extra("in-path { enabled = true, rules = [ { destinations = [\"10.0.0.0/8\"], "
                        + "ports = [445], peers = [dc1] } ] }"), "wanopt.in-path.lan-interfaces", 13),
                bad("in-path without rules", extra("in-path { enabled = true, lan-interfaces = [eth1] }"), "wanopt.in-path.rules", 13),
                bad("in-path subnet not IPv4", extra("in-path.rules = [ { destinations = [\"fileserver\"], ports = [445], peers = [dc1] } ]"),
                        "wanopt.in-path.rules[0].destinations", 13),
                bad("in-path prefix too long", extra("in-path.rules = [ { destinations = [\"10.0.0.0/33\"], ports = [445], peers = [dc1] } ]"),
                        "wanopt.in-path.rules[0].destinations", 13),
                bad("in-path port range backwards", extra("in-path.rules = [ { destinations = [\"10.0.0.0/8\"], ports = [\"90-80\"], peers = [dc1] } ]"),
                        "wanopt.in-path.rules[0].ports", 13),
                bad("in-path unknown peer", extra("in-path.rules = [ { destinations = [\"10.0.0.0/8\"], ports = [445], peers = [dc9] } ]"),
                        "wanopt.in-path.rules[0].peers", 13),
                bad("in-path rule unknown key", extra("in-path.rules = [ { destination = [\"10.0.0.0/8\"], ports = [445], peers = [dc1] } ]"),
                        "wanopt.in-path.rules[0].destination", 13),
                bad("in-path client source while off", extra("in-path.server-source = client"), "wanopt.in-path.server-source", 13),
                bad("in-path mark zero", extra("in-path.mark = 0"), "wanopt.in-path.mark", 13),
                bad("in-path mark not a number", extra("in-path.mark = red"), "wanopt.in-path.mark", 13),
                bad("in-path main table", extra("in-path.route-table = 254"), "wanopt.in-path.route-table", 13),
                bad("in-path bad interface", extra("in-path.lan-interfaces = [\"eth1; drop\"]"), "wanopt.in-path.lan-interfaces", 13),
                bad("in-path bad table name", extra("in-path.nft-table = \"wan opt\""), "wanopt.in-path.nft-table", 13),
                bad("admin socket relative", extra("management.admin-socket = run/admin.sock"), "wanopt.management.admin-socket", 13),
                bad("admin socket too long", extra("management.admin-socket = \"/" + "x".repeat(120) + "\""),
                        "wanopt.management.admin-socket", 13),
                bad("admin group not a name", extra("management.admin-group = \"wan opt\""), "wanopt.management.admin-group", 13),
                bad("metrics address", extra("management.metrics-listen = \"localhost\""), "wanopt.management.metrics-listen", 13),
                bad("negative log lines", extra("management.log-lines = -1"), "wanopt.management.log-lines", 13),
                bad("bad rate unit", extra("peer-defaults.link-rate = 10mbps"), "wanopt.peer-defaults.link-rate", 13),
                bad("bad peer rate", edit(5, "10mbit", "fast"), "wanopt.peers[0].link-rate", 5),
                bad("bad compression", edit(6, "none", "gzip"), "wanopt.peers[1].compression", 6),
                bad("negative size", extra("memory.max-buffered = -1"), "wanopt.memory.max-buffered", 13),
                bad("syntax error", extra("store.disk-budget = }"), "syntax error", 13),
                bad("unresolved substitution", extra("store.disk-budget = ${nowhere}"), "nowhere", 13));
    }

    private static Arguments bad(String name, List<String> lines, String key, int line) {
        return Arguments.of(name, lines, key, line);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void badFileGivesOneLocatedLine(String name, List<String> lines, String key, int line) throws IOException {
        Path file = write(lines);
        ConfigError error = assertThrows(ConfigError.class, () -> WanoptSettings.load(file));
        String message = error.getMessage();
        assertFalse(message.contains("\n"), message);
        assertTrue(message.contains(key), message);
        String location = line > 0 ? file + ":" + line + ": " : file + ": ";
        assertTrue(message.startsWith(location), () -> "expected " + location + " in: " + message);
    }

    @Test
    void missingFileSaysSo() {
        Path file = dir.resolve("nope.conf");
        ConfigError error = assertThrows(ConfigError.class, () -> WanoptSettings.load(file));
        assertEquals(file + ": cannot read: no such file", error.getMessage());
        ConfigError directory = assertThrows(ConfigError.class, () -> WanoptSettings.load(dir));
        assertEquals(dir + ": cannot read: is a directory", directory.getMessage());
    }

    @Test
    void parsedTextIsLocatedByItsDescription() {
        ConfigError error = assertThrows(ConfigError.class,
                () -> WanoptSettings.parse(String.join("\n", edit(2, "\"branch1\"", "\"\"")), "inline.conf"));
        assertTrue(error.getMessage().startsWith("inline.conf:2: wanopt.appliance-id: "), error.getMessage());
    }

    @Test
    void idRules() {
        assertTrue(WanoptSettings.isValidId("dc-1.paris_2"));
        assertFalse(WanoptSettings.isValidId(""));
        assertFalse(WanoptSettings.isValidId("a b"));
        assertFalse(WanoptSettings.isValidId("x".repeat(65)));
        assertFalse(WanoptSettings.isValidId(null));
    }

    /** The shipped examples must keep loading; only their TLS files are swapped for ones in a temp dir. */
    @Test
    void examplesLoadAndMatchEachOther() throws Exception {
        WanoptSettings branch = loadExample("branch.conf", "branch1");
        WanoptSettings datacenter = loadExample("datacenter.conf", "dc1");

        PeerSettings towardsDatacenter = branch.peer(datacenter.applianceId());
        assertEquals(datacenter.tunnel().listen().getPort(), towardsDatacenter.address().getPort());
        assertNull(datacenter.peer(branch.applianceId()).address());
        assertNull(branch.tunnel().listen());
        assertEquals(List.of(445, 2049), branch.listeners().stream().map(ListenerSettings::targetPort).toList());
        assertTrue(branch.listeners().stream().allMatch(l -> l.peer().equals(datacenter.applianceId())));
        assertSame(Compression.ZSTD, branch.effectiveCompression(towardsDatacenter));
        assertEquals(Path.of("/var/lib/wanopt/store"), branch.store().path());

        WanoptSettings inPath = loadExample("branch-in-path.conf", "branch1");
        assertTrue(inPath.inPath().enabled());
        assertEquals(List.of("dc1", "dc2"), inPath.inPath().rules().get(0).peers());
        assertTrue(inPath.listeners().isEmpty());
    }

    private WanoptSettings loadExample(String name, String id) throws Exception {
        Path example = Path.of("examples", name).toAbsolutePath();
        assertTrue(Files.readString(example).contains("/etc/wanopt/" + id + ".key"), name);
        Path site = dir.resolve(name);
        Files.writeString(site, "include required(file(\"" + example + "\"))\n"
                + "wanopt.tls { key = key.pem, certificate = cert.pem, trusted-ca = ca.pem }\n");
        WanoptSettings settings = WanoptSettings.load(site);
        assertEquals(id, settings.applianceId());
        return settings;
    }
}
