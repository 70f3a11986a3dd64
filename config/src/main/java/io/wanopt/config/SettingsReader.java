package io.wanopt.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import io.wanopt.config.SmartReadSettings.UnusedBlocks;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Turns a parsed site file into {@link WanoptSettings}: lays it over the reference, refuses keys the
 * reference does not know (a misspelt key would otherwise be ignored in silence), converts every
 * value and checks the rules between values. Every failure names the file, line and key.
 */
final class SettingsReader {

    private static final String ROOT = "wanopt";
    private static final Set<String> PEER_KEYS = Set.of("id", "address", "link-rate", "compression");
    private static final Set<String> LISTENER_KEYS = Set.of("listen", "target", "peer");
    private static final Set<String> SMARTREAD_RULE_KEYS = Set.of("path", "unused-blocks");
    private static final Set<String> IN_PATH_RULE_KEYS = Set.of("destinations", "ports", "peers");
    private static final Pattern INTERFACE_NAME = Pattern.compile("[A-Za-z0-9_.:@-]{1,15}");
    private static final Pattern GROUP_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,31}");
    /** sun_path of struct sockaddr_un holds 108 bytes with the terminating NUL. */
    private static final int MAX_UNIX_SOCKET_PATH = 107;
    private static final Pattern NFT_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,31}");
    private static final Pattern PORT_RANGE = Pattern.compile("(\\d{1,5})(?:-(\\d{1,5}))?");
    private static final Pattern SUBNET = Pattern.compile("([0-9.]+)(?:/(\\d{1,2}))?");
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,252}");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern PORT = Pattern.compile("\\d{1,5}");
    /** Room in a tunnel frame for headers and chunk references beside one batch of literals. */
    private static final int FRAME_OVERHEAD = 64 * 1024;
    /** The tunnel's batch format limits (io.wanopt.cache.codec.BatchFormat; cache depends on config, not back). */
    private static final int MAX_BATCH_SIZE = 4 << 20;
    private static final int MAX_CHUNK_SIZE = 1 << 20;
    private static final int MIN_CHUNK_SIZE = 64;
    private static final int FILE_BLOCK_SIZE = 4096;
    private static final int MAX_FILE_CHUNK_SIZE = 1 << 20;
    /** An RPC record smaller than this could not hold a READ reply with any data worth cutting. */
    private static final int MIN_RPC_RECORD = 64 * 1024;
    /** An SMB frame of 64 KiB data and its headers: SMB 2.0.2's largest READ. */
    private static final int MIN_SMB_FRAME = 64 * 1024 + 512;
    /** What the Direct TCP transport's 3-byte length can say ([MS-SMB2] 2.1). */
    private static final int MAX_SMB_FRAME = 0xFF_FFFF;
    /** Two 1 MiB reads, what libnfs and the Linux client ask for at once. */
    private static final int MIN_READ_AHEAD_WINDOW = 2 << 20;
    private static final int MIN_ZSTD_LEVEL = 1;
    private static final int MAX_ZSTD_LEVEL = 19;
    /** Key, certificate and CA files are small; anything larger is not what the admin meant. */
    private static final long MAX_PEM_FILE_SIZE = 1 << 20;

    private final String origin;
    private final Path baseDir;

    private SettingsReader(String origin, Path baseDir) {
        this.origin = origin;
        this.baseDir = baseDir;
    }

    static WanoptSettings read(Config file, String origin, Path baseDir) throws ConfigError {
        return new SettingsReader(origin, baseDir).read(file);
    }

    /** One line for a parse or resolve failure of the typesafe library, located like all other errors. */
    static ConfigError translate(ConfigException e, String origin) {
        ConfigOrigin at = e.origin();
        String message = e.getMessage();
        if (at != null && message.startsWith(at.description() + ": ")) {
            message = message.substring(at.description().length() + 2);
        }
        boolean syntax = e instanceof ConfigException.Parse && !(e instanceof ConfigException.UnresolvedSubstitution);
        return new ConfigError(where(at, origin) + ": " + (syntax ? "syntax error: " : "") + message);
    }

    /** {@code file:line} for a value written in the site file; just the file for defaults, which have no line there. */
    private static String where(ConfigOrigin at, String origin) {
        if (at == null || at.resource() != null || at.lineNumber() < 0) {
            return origin;
        }
        return (at.filename() != null ? at.filename() : origin) + ":" + at.lineNumber();
    }

    private ConfigError error(ConfigOrigin at, String key, String problem) {
        return new ConfigError(where(at, origin) + ": " + key + ": " + problem);
    }

    private WanoptSettings read(Config file) throws ConfigError {
        for (Map.Entry<String, ConfigValue> top : file.root().entrySet()) {
            if (!top.getKey().equals(ROOT)) {
                throw error(top.getValue().origin(), top.getKey(), "unknown key: settings go inside wanopt { ... }");
            }
        }
        Config reference = ConfigFactory.defaultReference();
        Config config;
        try {
            config = file.withFallback(reference).resolve();
            config.checkValid(reference, ROOT);
        } catch (ConfigException.ValidationFailed e) {
            ConfigException.ValidationProblem first = e.problems().iterator().next();
            throw error(first.origin(), first.path(), first.problem());
        } catch (ConfigException e) {
            throw translate(e, origin);
        }
        checkKnownKeys(config.getObject(ROOT), reference.getObject(ROOT), ROOT);

        Section root = new Section(config.getConfig(ROOT), ROOT + ".", config.getValue(ROOT).origin());
        String applianceId = applianceId(root);
        TlsSettings tls = tls(root.section("tls"));
        ChunkingSettings chunking = chunking(root.section("chunking"));
        TunnelSettings tunnel = tunnel(root.section("tunnel"), chunking);
        StoreSettings store = store(root.section("store"));
        CompressionSettings compression = compression(root.section("compression"));
        ProtocolSettings protocols = protocols(root.section("protocols"));
        SmartReadSettings smartRead = smartRead(root.section("smartread"));
        long maxBuffered = root.bytes("memory.max-buffered", 1);
        Duration summaryInterval = root.duration("stats.summary-interval", Duration.ofMillis(1));
        List<PeerSettings> peers = peers(root, applianceId);
        List<ListenerSettings> listeners = listeners(root, peers);
        InPathSettings inPath = inPath(root.section("in-path"), peers);
        return new WanoptSettings(applianceId, tls, peers, listeners, inPath, tunnel, chunking, store, compression,
                protocols, smartRead, maxBuffered, summaryInterval, management(root.section("management")), origin);
    }

    private void checkKnownKeys(ConfigObject actual, ConfigObject reference, String path) throws ConfigError {
        for (Map.Entry<String, ConfigValue> entry : actual.entrySet()) {
            String key = path + "." + entry.getKey();
            ConfigValue value = entry.getValue();
            ConfigValue expected = reference.get(entry.getKey());
            if (expected == null) {
                throw error(value.origin(), key, "unknown key (known here: " + String.join(", ", new TreeSet<>(reference.keySet())) + ")");
            }
            if (value instanceof ConfigObject object && expected instanceof ConfigObject expectedObject) {
                checkKnownKeys(object, expectedObject, key);
            } else if (value instanceof ConfigList list && key.equals(ROOT + ".peers")) {
                checkEntryKeys(list, key, PEER_KEYS);
            } else if (value instanceof ConfigList list && key.equals(ROOT + ".listeners")) {
                checkEntryKeys(list, key, LISTENER_KEYS);
            } else if (value instanceof ConfigList list && key.equals(ROOT + ".smartread.rules")) {
                checkEntryKeys(list, key, SMARTREAD_RULE_KEYS);
            } else if (value instanceof ConfigList list && key.equals(ROOT + ".in-path.rules")) {
                checkEntryKeys(list, key, IN_PATH_RULE_KEYS);
            }
        }
    }

    private void checkEntryKeys(ConfigList list, String path, Set<String> allowed) throws ConfigError {
        String known = String.join(", ", new TreeSet<>(allowed));
        for (int i = 0; i < list.size(); i++) {
            String at = path + "[" + i + "]";
            if (!(list.get(i) instanceof ConfigObject entry)) {
                throw error(list.get(i).origin(), at, "expected an object { " + known + " }, got "
                        + list.get(i).render(ConfigRenderOptions.concise()));
            }
            for (Map.Entry<String, ConfigValue> field : entry.entrySet()) {
                if (!allowed.contains(field.getKey())) {
                    throw error(field.getValue().origin(), at + "." + field.getKey(), "unknown key (known here: " + known + ")");
                }
            }
        }
    }

    private String applianceId(Section root) throws ConfigError {
        String id = root.string("appliance-id");
        if (id.isEmpty()) {
            throw root.fail("appliance-id", "required: this appliance's name (letters, digits, '.', '_', '-')");
        }
        root.checkId("appliance-id", id);
        return id;
    }

    private TlsSettings tls(Section tls) throws ConfigError {
        boolean plaintext = tls.bool("insecure-plaintext");
        String key = tls.string("key");
        String certificate = tls.string("certificate");
        String trustedCa = tls.string("trusted-ca");
        if (plaintext) {
            return new TlsSettings(null, null, null, true);
        }
        return new TlsSettings(
                pemFile(tls, "key", key, "PRIVATE KEY"),
                pemFile(tls, "certificate", certificate, "CERTIFICATE"),
                pemFile(tls, "trusted-ca", trustedCa, "CERTIFICATE"),
                false);
    }

    private Path pemFile(Section tls, String key, String text, String pemType) throws ConfigError {
        if (text.isEmpty()) {
            throw tls.fail(key, "required unless wanopt.tls.insecure-plaintext = true");
        }
        Path file = baseDir.resolve(text).normalize();
        if (!Files.isRegularFile(file)) {
            throw tls.fail(key, "cannot read " + file + ": " + (Files.exists(file) ? "not a regular file" : "no such file"));
        }
        String content;
        try {
            long size = Files.size(file);
            if (size > MAX_PEM_FILE_SIZE) {
                throw tls.fail(key, file + " is " + size + " bytes, too large for a PEM file (at most " + MAX_PEM_FILE_SIZE + ")");
            }
            content = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (AccessDeniedException e) {
            throw tls.fail(key, "cannot read " + file + ": permission denied");
        } catch (IOException e) {
            throw tls.fail(key, "cannot read " + file + ": " + e.getMessage());
        }
        if (!content.contains("-----BEGIN ") || !content.contains(pemType + "-----")) {
            throw tls.fail(key, file + " is not PEM with a " + pemType + " (no '-----BEGIN ... " + pemType + "-----' line)");
        }
        return file;
    }

    private TunnelSettings tunnel(Section tunnel, ChunkingSettings chunking) throws ConfigError {
        InetSocketAddress listen = tunnel.string("listen").isEmpty() ? null : tunnel.listenAddress("listen");
        Duration connectTimeout = tunnel.duration("connect-timeout", Duration.ofMillis(1));
        Duration minBackoff = tunnel.duration("reconnect-min-backoff", Duration.ofMillis(1));
        Duration maxBackoff = tunnel.duration("reconnect-max-backoff", Duration.ofMillis(1));
        tunnel.requireOrder("reconnect-min-backoff", minBackoff.compareTo(maxBackoff) <= 0, "reconnect-max-backoff", "at most");
        Duration keepaliveInterval = tunnel.duration("keepalive-interval", Duration.ofMillis(1));
        Duration keepaliveTimeout = tunnel.duration("keepalive-timeout", Duration.ofMillis(1));
        tunnel.requireOrder("keepalive-timeout", keepaliveTimeout.compareTo(keepaliveInterval) > 0, "keepalive-interval", "greater than");
        int batchSize = tunnel.intBytes("batch-size", 1);
        if (batchSize > MAX_BATCH_SIZE) {
            throw tunnel.fail("batch-size", tunnel.text("batch-size") + " exceeds the batch format's " + MAX_BATCH_SIZE
                    + " bytes (4MiB)");
        }
        int maxFrameSize = tunnel.intBytes("max-frame-size", 1);
        // A batch closes once it holds batch-size bytes, so one more chunk (up to max-size) and the
        // token list (closed at 32 KiB) can follow: the frame must hold all of it.
        long largestFrame = (long) batchSize + chunking.maxSize() + FRAME_OVERHEAD;
        if (maxFrameSize < largestFrame) {
            throw tunnel.fail("max-frame-size", tunnel.text("max-frame-size") + " must be at least batch-size ("
                    + tunnel.text("batch-size") + ") + chunking.max-size (" + chunking.maxSize() + ") + 64KiB = "
                    + largestFrame + " bytes");
        }
        int flowMaxWindow = tunnel.intBytes("flow-max-window", 1);
        int flowInitialWindow = tunnel.intBytes("flow-initial-window", 1);
        tunnel.requireOrder("flow-initial-window", flowInitialWindow <= flowMaxWindow, "flow-max-window", "at most");
        Duration tailFlushDelay = tunnel.duration("tail-flush-delay", Duration.ZERO);
        return new TunnelSettings(listen, connectTimeout, minBackoff, maxBackoff, keepaliveInterval, keepaliveTimeout,
                maxFrameSize, flowInitialWindow, flowMaxWindow, batchSize, tailFlushDelay);
    }

    private ChunkingSettings chunking(Section chunking) throws ConfigError {
        int min = chunking.intBytes("min-size", MIN_CHUNK_SIZE);
        int average = chunking.intBytes("average-size", 1);
        int max = chunking.intBytes("max-size", 1);
        chunking.requireOrder("average-size", average > min, "min-size", "greater than");
        if (Integer.bitCount(average) != 1) {
            String written = chunking.text("average-size");
            throw chunking.fail("average-size", (written.equals(String.valueOf(average)) ? written : written + " = " + average)
                    + " bytes is not a power of two");
        }
        chunking.requireOrder("max-size", max > average, "average-size", "greater than");
        if (max > MAX_CHUNK_SIZE) {
            throw chunking.fail("max-size", chunking.text("max-size") + " exceeds the batch format's largest chunk, "
                    + MAX_CHUNK_SIZE + " bytes (1MiB)");
        }
        return new ChunkingSettings(min, average, max);
    }

    private StoreSettings store(Section store) throws ConfigError {
        String path = store.string("path");
        if (path.isEmpty()) {
            throw store.fail("path", "required: the chunk store directory");
        }
        long diskBudget = store.bytes("disk-budget", 1);
        long segmentSize = store.bytes("segment-size", 1);
        store.requireOrder("segment-size", segmentSize <= diskBudget, "disk-budget", "at most");
        long memoryCache = store.bytes("memory-cache", 0);
        long writeQueue = store.bytes("write-queue", 1);
        return new StoreSettings(baseDir.resolve(path).normalize(), diskBudget, segmentSize, memoryCache, writeQueue);
    }

    private CompressionSettings compression(Section compression) throws ConfigError {
        long slowLinkBelow = compression.rate("slow-link-below");
        int level = compression.integer("zstd-level");
        if (level < MIN_ZSTD_LEVEL || level > MAX_ZSTD_LEVEL) {
            throw compression.fail("zstd-level", level + " is outside " + MIN_ZSTD_LEVEL + ".." + MAX_ZSTD_LEVEL);
        }
        return new CompressionSettings(slowLinkBelow, level);
    }

    private ProtocolSettings protocols(Section protocols) throws ConfigError {
        int fileChunkSize = protocols.intBytes("file-chunk-size", FILE_BLOCK_SIZE);
        if (fileChunkSize % FILE_BLOCK_SIZE != 0 || fileChunkSize > MAX_FILE_CHUNK_SIZE) {
            throw protocols.fail("file-chunk-size", protocols.text("file-chunk-size")
                    + " is not a multiple of 4KiB of at most 1MiB");
        }
        Section nfs = protocols.section("nfs");
        int maxPendingCalls = nfs.integer("max-pending-calls");
        if (maxPendingCalls < 1) {
            throw nfs.fail("max-pending-calls", maxPendingCalls + " is below the minimum of 1");
        }
        Section readAhead = nfs.section("read-ahead");
        Section smb = protocols.section("smb");
        int smbMaxFrameSize = smb.intBytes("max-frame-size", MIN_SMB_FRAME);
        if (smbMaxFrameSize > MAX_SMB_FRAME) {
            throw smb.fail("max-frame-size", smb.text("max-frame-size") + " is above the SMB transport's limit of "
                    + MAX_SMB_FRAME + " bytes");
        }
        int fileChunkIndex = protocols.integer("file-chunk-index");
        if (fileChunkIndex < 0) {
            throw protocols.fail("file-chunk-index", fileChunkIndex + " is below the minimum of 0");
        }
        return new ProtocolSettings(fileChunkSize, fileChunkIndex, nfs.bool("follow"),
                nfs.intBytes("max-record-size", MIN_RPC_RECORD), maxPendingCalls, new ProtocolSettings.ReadAhead(readAhead.bool("enabled"),
                        readAhead.intBytes("max-window", MIN_READ_AHEAD_WINDOW),
                        readAhead.duration("max-age", Duration.ofMillis(1))),
                smb.bool("follow"), smbMaxFrameSize);
    }

    private SmartReadSettings smartRead(Section smartRead) throws ConfigError {
        UnusedBlocks unusedBlocks = smartRead.choice("unused-blocks", UnusedBlocks.class);
        List<SmartReadSettings.Rule> rules = new ArrayList<>();
        for (Section rule : smartRead.entries("rules")) {
            String glob = rule.requiredString("path");
            if (glob.isBlank()) {
                throw rule.fail("path", "is empty");
            }
            if (!rule.has("unused-blocks")) {
                throw rule.fail("unused-blocks", "required");
            }
            rules.add(new SmartReadSettings.Rule(glob, rule.choice("unused-blocks", UnusedBlocks.class)));
        }
        int maxMaps = smartRead.integer("max-maps");
        if (maxMaps < 1) {
            throw smartRead.fail("max-maps", maxMaps + " is below the minimum of 1");
        }
        return new SmartReadSettings(unusedBlocks, rules, smartRead.bool("skip-storage-reads"),
                smartRead.duration("map-timeout", Duration.ofMillis(100)), maxMaps);
    }

    private List<PeerSettings> peers(Section root, String applianceId) throws ConfigError {
        Section defaults = root.section("peer-defaults");
        long defaultRate = defaults.rate("link-rate");
        Compression defaultCompression = defaults.compression("compression");
        List<PeerSettings> peers = new ArrayList<>();
        Map<String, Integer> indexById = new HashMap<>();
        List<Section> entries = root.entries("peers");
        for (int i = 0; i < entries.size(); i++) {
            Section entry = entries.get(i);
            String id = entry.requiredString("id");
            entry.checkId("id", id);
            if (id.equals(applianceId)) {
                throw entry.fail("id", "\"" + id + "\" is this appliance's own id (wanopt.appliance-id)");
            }
            Integer earlier = indexById.putIfAbsent(id, i);
            if (earlier != null) {
                throw entry.fail("id", "duplicate peer id \"" + id + "\" (also wanopt.peers[" + earlier + "])");
            }
            InetSocketAddress address = entry.has("address") ? entry.dialAddress("address") : null;
            long linkRate = entry.has("link-rate") ? entry.rate("link-rate") : defaultRate;
            Compression compression = entry.has("compression") ? entry.compression("compression") : defaultCompression;
            peers.add(new PeerSettings(id, address, linkRate, compression));
        }
        return peers;
    }

    private List<ListenerSettings> listeners(Section root, List<PeerSettings> peers) throws ConfigError {
        List<String> peerIds = peers.stream().map(PeerSettings::id).toList();
        List<ListenerSettings> listeners = new ArrayList<>();
        Map<InetSocketAddress, Integer> indexByListen = new HashMap<>();
        List<Section> entries = root.entries("listeners");
        for (int i = 0; i < entries.size(); i++) {
            Section entry = entries.get(i);
            InetSocketAddress listen = entry.listenAddress("listen");
            Integer earlier = indexByListen.putIfAbsent(listen, i);
            if (earlier != null && listen.getPort() != 0) {
                throw entry.fail("listen", "address " + entry.text("listen") + " is already used by wanopt.listeners[" + earlier + "]");
            }
            HostPort target = entry.hostPort("target", false);
            String peer = entry.requiredString("peer");
            if (!peerIds.contains(peer)) {
                throw entry.fail("peer", "\"" + peer + "\" is not a configured peer ("
                        + (peerIds.isEmpty() ? "wanopt.peers is empty" : "peers: " + String.join(", ", peerIds)) + ")");
            }
            listeners.add(new ListenerSettings(listen, target.host(), target.port(), peer));
        }
        return listeners;
    }

    private ManagementSettings management(Section management) throws ConfigError {
        String socket = management.string("admin-socket");
        Path adminSocket = null;
        if (!socket.isBlank()) {
            adminSocket = Path.of(socket);
            if (!adminSocket.isAbsolute()) {
                throw management.fail("admin-socket", "\"" + socket + "\" is not an absolute path");
            }
            if (socket.getBytes(StandardCharsets.UTF_8).length > MAX_UNIX_SOCKET_PATH) {
                throw management.fail("admin-socket", "\"" + socket + "\" is longer than a Unix socket path may be ("
                        + MAX_UNIX_SOCKET_PATH + " bytes)");
            }
        }
        String group = management.string("admin-group");
        if (!group.isEmpty() && !GROUP_NAME.matcher(group).matches()) {
            throw management.fail("admin-group", "\"" + group + "\" is not a group name");
        }
        InetSocketAddress metrics = management.string("metrics-listen").isBlank() ? null
                : management.listenAddress("metrics-listen");
        int logLines = management.integer("log-lines");
        if (logLines < 0) {
            throw management.fail("log-lines", logLines + " is below the minimum of 0");
        }
        return new ManagementSettings(adminSocket, group, metrics, logLines);
    }

    private InPathSettings inPath(Section inPath, List<PeerSettings> peers) throws ConfigError {
        boolean enabled = inPath.bool("enabled");
        List<String> lanInterfaces = inPath.strings("lan-interfaces");
        for (String name : lanInterfaces) {
            if (!INTERFACE_NAME.matcher(name).matches()) {
                throw inPath.fail("lan-interfaces", "\"" + name + "\" is not an interface name (1 to 15 letters, digits, '_', '.', ':', '@', '-')");
            }
        }
        if (enabled && lanInterfaces.isEmpty()) {
            throw inPath.failAt("enabled", "lan-interfaces", "required when in-path.enabled = true (the interfaces the LAN's connections arrive on)");
        }
        int listenPort = inPath.integer("listen-port");
        if (listenPort < 1 || listenPort > 65535) {
            throw inPath.fail("listen-port", listenPort + " is outside 1..65535");
        }
        List<String> peerIds = peers.stream().map(PeerSettings::id).toList();
        List<InPathSettings.Rule> rules = new ArrayList<>();
        for (Section rule : inPath.entries("rules")) {
            rules.add(inPathRule(rule, peerIds));
        }
        if (enabled && rules.isEmpty()) {
            throw inPath.failAt("enabled", "rules", "required when in-path.enabled = true (which connections to intercept)");
        }
        InPathSettings.ServerSource serverSource = inPath.choice("server-source", InPathSettings.ServerSource.class);
        if (serverSource == InPathSettings.ServerSource.CLIENT && !enabled) {
            throw inPath.fail("server-source", "client needs in-path.enabled = true (it installs the steering of the servers' replies)");
        }
        long mark = inPath.number("mark");
        if (mark < 1 || mark > 0xffffffffL) {
            throw inPath.fail("mark", inPath.text("mark") + " is outside 1..0xffffffff");
        }
        int routeTable = inPath.integer("route-table");
        if (routeTable < 1 || routeTable >= 253 && routeTable <= 255) {
            throw inPath.fail("route-table", routeTable + " is not a free table number (1..2147483647, but not 253-255: default, main, local)");
        }
        String nftTable = inPath.string("nft-table");
        if (!NFT_NAME.matcher(nftTable).matches()) {
            throw inPath.fail("nft-table", "\"" + nftTable + "\" is not an nftables name (a letter, then up to 31 letters, digits, '_')");
        }
        return new InPathSettings(enabled, lanInterfaces, listenPort, rules, serverSource, inPath.bool("manage-rules"),
                (int) mark, routeTable, nftTable);
    }

    private InPathSettings.Rule inPathRule(Section rule, List<String> peerIds) throws ConfigError {
        List<InPathSettings.Subnet> destinations = new ArrayList<>();
        for (String text : rule.requiredStrings("destinations")) {
            Matcher subnet = SUBNET.matcher(text);
            InetAddress address = null;
            if (subnet.matches() && IPV4.matcher(subnet.group(1)).matches()) {
                try {
                    address = HostPort.literal(subnet.group(1), text);
                } catch (IllegalArgumentException e) {
                    address = null;
                }
            }
            int prefix = subnet.matches() && subnet.group(2) != null ? Integer.parseInt(subnet.group(2)) : 32;
            if (address == null || prefix > 32) {
                throw rule.fail("destinations", "\"" + text + "\" is not an IPv4 subnet such as \"10.20.0.0/16\" or address");
            }
            destinations.add(new InPathSettings.Subnet(InPathSettings.Subnet.toInt(address.getAddress()), prefix));
        }
        List<InPathSettings.PortRange> ports = new ArrayList<>();
        for (String text : rule.requiredStrings("ports")) {
            Matcher range = PORT_RANGE.matcher(text);
            int first = range.matches() ? Integer.parseInt(range.group(1)) : -1;
            int last = range.matches() && range.group(2) != null ? Integer.parseInt(range.group(2)) : first;
            if (first < 1 || last > 65535 || last < first) {
                throw rule.fail("ports", "\"" + text + "\" is not a port (1..65535) or range such as \"8000-8080\"");
            }
            ports.add(new InPathSettings.PortRange(first, last));
        }
        List<String> peers = rule.requiredStrings("peers");
        for (String peer : peers) {
            if (!peerIds.contains(peer)) {
                throw rule.fail("peers", "\"" + peer + "\" is not a configured peer ("
                        + (peerIds.isEmpty() ? "wanopt.peers is empty" : "peers: " + String.join(", ", peerIds)) + ")");
            }
        }
        return new InPathSettings.Rule(destinations, ports, peers);
    }

    /** A parsed {@code host:port}; {@code literal} is the address when the host is an IP literal, else null. */
    record HostPort(String host, int port, InetAddress literal) {

        static HostPort parse(String text, boolean portZeroAllowed) {
            String expected = "expected host:port such as \"203.0.113.7:7800\" or \"[2001:db8::7]:7800\", got \"" + text + "\"";
            String host;
            String port;
            if (text.startsWith("[")) {
                int close = text.indexOf("]:");
                if (close < 0) {
                    throw new IllegalArgumentException(expected);
                }
                host = text.substring(1, close);
                port = text.substring(close + 2);
            } else {
                int colon = text.lastIndexOf(':');
                if (colon <= 0 || text.indexOf(':') != colon) {
                    throw new IllegalArgumentException(expected);
                }
                host = text.substring(0, colon);
                port = text.substring(colon + 1);
            }
            if (!PORT.matcher(port).matches()) {
                throw new IllegalArgumentException(expected);
            }
            int portNumber = Integer.parseInt(port);
            int minPort = portZeroAllowed ? 0 : 1;
            if (portNumber < minPort || portNumber > 65535) {
                throw new IllegalArgumentException("port " + portNumber + " in \"" + text + "\" is outside " + minPort + "..65535");
            }
            InetAddress literal = literal(host, text);
            if (literal == null && !HOST_NAME.matcher(host).matches()) {
                throw new IllegalArgumentException("\"" + host + "\" in \"" + text + "\" is not a host name or IP address");
            }
            return new HostPort(host, portNumber, literal);
        }

        /** The address of an IP literal, parsed without any DNS lookup; null for a host name. */
        static InetAddress literal(String host, String text) {
            Matcher ipv4 = IPV4.matcher(host);
            boolean isIpv4 = ipv4.matches();
            if (isIpv4) {
                for (int group = 1; group <= 4; group++) {
                    if (Integer.parseInt(ipv4.group(group)) > 255) {
                        throw new IllegalArgumentException("\"" + host + "\" in \"" + text + "\" is not a valid IPv4 address");
                    }
                }
            }
            if (!isIpv4 && !host.contains(":")) {
                return null;
            }
            try {
                return InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("\"" + host + "\" in \"" + text + "\" is not a valid IP address");
            }
        }
    }

    /** One object of the settings (a section or a list entry), read with errors located at its keys. */
    private final class Section {
        private final Config config;
        private final String prefix;
        private final ConfigOrigin origin;

        Section(Config config, String prefix, ConfigOrigin origin) {
            this.config = config;
            this.prefix = prefix;
            this.origin = origin;
        }

        Section section(String key) {
            return new Section(config.getConfig(key), prefix + key + ".", config.getValue(key).origin());
        }

        List<Section> entries(String key) {
            List<? extends ConfigObject> objects = config.getObjectList(key);
            List<Section> entries = new ArrayList<>();
            for (int i = 0; i < objects.size(); i++) {
                ConfigObject entry = objects.get(i);
                entries.add(new Section(entry.toConfig(), prefix + key + "[" + i + "].", entry.origin()));
            }
            return entries;
        }

        ConfigError fail(String key, String problem) {
            return error(config.hasPath(key) ? config.getValue(key).origin() : origin, prefix + key, problem);
        }

        /** A problem of {@code key} placed at the line of {@code locatedKey}, which caused it. */
        ConfigError failAt(String locatedKey, String key, String problem) {
            return error(config.getValue(locatedKey).origin(), prefix + key, problem);
        }

        boolean has(String key) {
            return config.hasPath(key);
        }

        /** The value as the admin wrote it, for messages that compare values. */
        String text(String key) {
            return String.valueOf(config.getValue(key).unwrapped());
        }

        private String rendered(String key) {
            return config.hasPath(key) ? config.getValue(key).render(ConfigRenderOptions.concise()) : "null";
        }

        /** Reads {@code key} with {@code getter}; a value of another type fails as "expected {@code what}". */
        private <T> T typed(String key, String what, BiFunction<Config, String, T> getter) throws ConfigError {
            try {
                return getter.apply(config, key);
            } catch (ConfigException e) {
                throw fail(key, "expected " + what + ", got " + rendered(key));
            }
        }

        String string(String key) throws ConfigError {
            return typed(key, "a string", Config::getString);
        }

        String requiredString(String key) throws ConfigError {
            if (!config.hasPath(key)) {
                throw fail(key, "required");
            }
            return string(key);
        }

        /** A list of strings; numbers in it are taken as written (ports). */
        List<String> strings(String key) throws ConfigError {
            List<String> values = new ArrayList<>();
            ConfigValue value = config.getValue(key);
            if (!(value instanceof ConfigList list)) {
                throw fail(key, "expected a list such as [\"a\", \"b\"], got " + rendered(key));
            }
            for (ConfigValue element : list) {
                Object unwrapped = element.unwrapped();
                if (!(unwrapped instanceof String || unwrapped instanceof Number)) {
                    throw fail(key, "expected strings or numbers, got " + element.render(ConfigRenderOptions.concise()));
                }
                values.add(String.valueOf(unwrapped));
            }
            return values;
        }

        /** As {@link #strings} but present and not empty. */
        List<String> requiredStrings(String key) throws ConfigError {
            if (!config.hasPath(key)) {
                throw fail(key, "required");
            }
            List<String> values = strings(key);
            if (values.isEmpty()) {
                throw fail(key, "is empty");
            }
            return values;
        }

        /** A whole number written in decimal or as 0x hex (a number or a string). */
        long number(String key) throws ConfigError {
            try {
                return Long.decode(text(key).strip());
            } catch (NumberFormatException e) {
                throw fail(key, "expected a number such as 22337 or 0x5741, got " + rendered(key));
            }
        }

        boolean bool(String key) throws ConfigError {
            return typed(key, "true or false", Config::getBoolean);
        }

        int integer(String key) throws ConfigError {
            return typed(key, "an integer", Config::getInt);
        }

        long bytes(String key, long min) throws ConfigError {
            long bytes = typed(key, "a size such as 4MiB", Config::getBytes);
            if (bytes < min) {
                throw fail(key, text(key) + " is below the minimum of " + min + " bytes");
            }
            return bytes;
        }

        int intBytes(String key, long min) throws ConfigError {
            long bytes = bytes(key, min);
            if (bytes > Integer.MAX_VALUE) {
                throw fail(key, text(key) + " is above the maximum of " + Integer.MAX_VALUE + " bytes");
            }
            return (int) bytes;
        }

        Duration duration(String key, Duration min) throws ConfigError {
            Duration duration = typed(key, "a duration such as 5s or 200ms", Config::getDuration);
            if (duration.compareTo(min) < 0) {
                throw fail(key, text(key) + " is below the minimum of " + min.toMillis() + "ms");
            }
            return duration;
        }

        long rate(String key) throws ConfigError {
            try {
                return Rates.parse(string(key));
            } catch (IllegalArgumentException e) {
                throw fail(key, e.getMessage());
            }
        }

        Compression compression(String key) throws ConfigError {
            return choice(key, Compression.class);
        }

        /** One of {@code type}'s constants, named in any case. */
        <E extends Enum<E>> E choice(String key, Class<E> type) throws ConfigError {
            String text = string(key);
            for (E choice : type.getEnumConstants()) {
                if (choice.name().equalsIgnoreCase(text)) {
                    return choice;
                }
            }
            throw fail(key, "expected one of " + Stream.of(type.getEnumConstants())
                    .map(choice -> choice.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "))
                    + ", got \"" + text + "\"");
        }

        /**
         * Fails unless {@code holds}, which states "key is {relation} other". The error is placed at
         * whichever of the two the site file sets (key first), since that is the line to edit.
         */
        void requireOrder(String key, boolean holds, String other, String relation) throws ConfigError {
            if (!holds) {
                String at = writtenInFile(key) || !writtenInFile(other) ? key : other;
                throw error(config.getValue(at).origin(), prefix + key,
                        text(key) + " must be " + relation + " " + prefix + other + " (" + text(other) + ")");
            }
        }

        private boolean writtenInFile(String key) {
            ConfigOrigin at = config.getValue(key).origin();
            return at.resource() == null && at.lineNumber() >= 0;
        }

        void checkId(String key, String id) throws ConfigError {
            if (!WanoptSettings.isValidId(id)) {
                throw fail(key, "\"" + id + "\" is not a valid id (1 to 64 letters, digits, '.', '_', '-')");
            }
        }

        HostPort hostPort(String key, boolean portZeroAllowed) throws ConfigError {
            String text = requiredString(key);
            try {
                return HostPort.parse(text, portZeroAllowed);
            } catch (IllegalArgumentException e) {
                throw fail(key, e.getMessage());
            }
        }

        /** A bind address; host names are resolved now, since a listener binds once at start. */
        InetSocketAddress listenAddress(String key) throws ConfigError {
            HostPort hostPort = hostPort(key, true);
            InetSocketAddress address = hostPort.literal() != null
                    ? new InetSocketAddress(hostPort.literal(), hostPort.port())
                    : new InetSocketAddress(hostPort.host(), hostPort.port());
            if (address.isUnresolved()) {
                throw fail(key, "cannot resolve host \"" + hostPort.host() + "\"");
            }
            return address;
        }

        /** A dial address; host names stay unresolved so DNS is asked again at every dial. */
        InetSocketAddress dialAddress(String key) throws ConfigError {
            HostPort hostPort = hostPort(key, false);
            return hostPort.literal() != null
                    ? new InetSocketAddress(hostPort.literal(), hostPort.port())
                    : InetSocketAddress.createUnresolved(hostPort.host(), hostPort.port());
        }
    }
}
