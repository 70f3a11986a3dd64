package io.wanopt.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Five network namespaces in a row, joined by veth pairs, for testing appliances that sit in the path:
 *
 * <pre>
 * client [lan0 10.77.1.2] — [lan0 10.77.1.1] branch [wan0 10.77.2.1] — [br0 10.77.2.2] wan
 *     wan [dc0 10.77.3.2] — [wan0 10.77.3.1] datacenter [lan0 10.77.4.1] — [lan0 10.77.4.2] server
 * </pre>
 *
 * All prefixes are /24. client routes everything via branch, server via datacenter; branch and
 * datacenter route everything towards wan, which knows both LANs; branch, wan and datacenter
 * forward. So client-to-server traffic crosses the wan namespace, and only there can be shaped
 * ({@link #shapeWan(String)}) and counted ({@link #wanBytes()}). Nothing is routed to or from the
 * host: the 10.77 addresses exist only inside these namespaces, and the JVM (in the host's
 * namespace) reaches them only through commands run in a namespace.
 *
 * <p>Namespace names are {@code wo<pid>-<n>-<role>}, unique per JVM and instance, so parallel JVMs do not
 * collide; interface names repeat across namespaces. Every command used to build the network is
 * appended to {@code in-path-network.log} in the caller's directory. Processes go into a namespace with
 * {@link NetworkNamespace#start} (e.g. an appliance in {@link #branch()}); their starter stops them, by
 * PID, before {@link #close()}.
 */
public final class InPathNetwork implements AutoCloseable {

    public static final String CLIENT_ADDRESS = "10.77.1.2";
    public static final String BRANCH_LAN_ADDRESS = "10.77.1.1";
    public static final String BRANCH_WAN_ADDRESS = "10.77.2.1";
    /** The wan namespace's address on the link to branch (interface {@value #WAN_BRANCH_FACING_INTERFACE}). */
    public static final String WAN_BRANCH_FACING_ADDRESS = "10.77.2.2";
    /** The wan namespace's address on the link to datacenter (interface {@value #WAN_DATACENTER_FACING_INTERFACE}). */
    public static final String WAN_DATACENTER_FACING_ADDRESS = "10.77.3.2";
    public static final String DATACENTER_WAN_ADDRESS = "10.77.3.1";
    public static final String DATACENTER_LAN_ADDRESS = "10.77.4.1";
    public static final String SERVER_ADDRESS = "10.77.4.2";
    public static final int PREFIX_LENGTH = 24;
    /** The branch LAN, where the client lives. */
    public static final String BRANCH_LAN_SUBNET = "10.77.1.0/24";
    /** The datacenter LAN, where the server lives. */
    public static final String DATACENTER_LAN_SUBNET = "10.77.4.0/24";
    /** client's interface, and branch's and datacenter's interface towards their LAN; server's interface. */
    public static final String LAN_INTERFACE = "lan0";
    /** branch's and datacenter's interface towards the wan namespace. */
    public static final String WAN_INTERFACE = "wan0";
    public static final String WAN_BRANCH_FACING_INTERFACE = "br0";
    public static final String WAN_DATACENTER_FACING_INTERFACE = "dc0";

    /** The commands this network, its servers ({@link SambaServer}, {@link NfsServer}, {@link HttpFileServer}) and their clients need. */
    public static final List<String> TOOLS = Stream.of(
                    List.of("ip", "nft", "tc", "sysctl", "cat", "sh", "mount", "nsenter", "curl"),
                    SambaServer.TOOLS, NfsServer.TOOLS)
            .flatMap(List::stream).distinct().toList();

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);
    /** tbf queue bound; enough for the bursts of a TCP window at the rates tests use. */
    private static final String SHAPING_LATENCY = "200ms";
    private static final long MIN_BURST_BYTES = 64 * 1024;
    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)([kmgt]?)(bit|bps)");
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final System.Logger LOG = System.getLogger(InPathNetwork.class.getName());

    private final Path commandLog;
    private final NetworkNamespace client;
    private final NetworkNamespace branch;
    private final NetworkNamespace wan;
    private final NetworkNamespace datacenter;
    private final NetworkNamespace server;
    /** The namespaces created so far, in creation order; close() deletes exactly these. */
    private final List<NetworkNamespace> created = new ArrayList<>();
    private boolean shaped;
    private boolean closed;

    private InPathNetwork(Path commandLog, String prefix) {
        this.commandLog = commandLog;
        this.client = new NetworkNamespace(prefix + "-client");
        this.branch = new NetworkNamespace(prefix + "-branch");
        this.wan = new NetworkNamespace(prefix + "-wan");
        this.datacenter = new NetworkNamespace(prefix + "-datacenter");
        this.server = new NetworkNamespace(prefix + "-server");
    }

    /**
     * Why the network (with its servers and clients) cannot be built here: not root, or commands missing;
     * empty when it can. Tests skip with this sentence.
     */
    public static Optional<String> unavailableReason() {
        return HostTools.unavailableReason(TOOLS);
    }

    /**
     * Builds the five namespaces, links, addresses and routes. On any failure removes what it made and
     * throws with the failing command, its exit status and output. {@code dir} gets the command log.
     */
    public static InPathNetwork create(Path dir) throws IOException {
        long begin = System.nanoTime();
        Files.createDirectories(dir);
        String prefix = "wo" + ProcessHandle.current().pid() + "-" + INSTANCES.incrementAndGet();
        InPathNetwork network = new InPathNetwork(dir.toAbsolutePath().resolve("in-path-network.log"), prefix);
        try {
            network.build();
        } catch (IOException | RuntimeException e) {
            network.close();
            throw e;
        }
        long elapsedMillis = (System.nanoTime() - begin) / 1_000_000;
        LOG.log(System.Logger.Level.INFO, () -> "in-path network " + prefix + "-* built in " + elapsedMillis + " ms");
        return network;
    }

    private void build() throws IOException {
        for (NetworkNamespace namespace : namespaces()) {
            ip("netns", "add", namespace.name());
            created.add(namespace);
            ip("-n", namespace.name(), "link", "set", "lo", "up");
        }
        link(client, LAN_INTERFACE, CLIENT_ADDRESS, branch, LAN_INTERFACE, BRANCH_LAN_ADDRESS);
        link(branch, WAN_INTERFACE, BRANCH_WAN_ADDRESS, wan, WAN_BRANCH_FACING_INTERFACE, WAN_BRANCH_FACING_ADDRESS);
        link(wan, WAN_DATACENTER_FACING_INTERFACE, WAN_DATACENTER_FACING_ADDRESS, datacenter, WAN_INTERFACE,
                DATACENTER_WAN_ADDRESS);
        link(datacenter, LAN_INTERFACE, DATACENTER_LAN_ADDRESS, server, LAN_INTERFACE, SERVER_ADDRESS);
        ip("-n", client.name(), "route", "add", "default", "via", BRANCH_LAN_ADDRESS);
        ip("-n", branch.name(), "route", "add", "default", "via", WAN_BRANCH_FACING_ADDRESS);
        ip("-n", wan.name(), "route", "add", BRANCH_LAN_SUBNET, "via", BRANCH_WAN_ADDRESS);
        ip("-n", wan.name(), "route", "add", DATACENTER_LAN_SUBNET, "via", DATACENTER_WAN_ADDRESS);
        ip("-n", datacenter.name(), "route", "add", "default", "via", WAN_DATACENTER_FACING_ADDRESS);
        ip("-n", server.name(), "route", "add", "default", "via", DATACENTER_LAN_ADDRESS);
        for (NetworkNamespace router : List.of(branch, wan, datacenter)) {
            run(router.command(List.of(HostTools.executable("sysctl"), "-q", "-w", "net.ipv4.ip_forward=1")));
        }
    }

    /** A veth pair created directly inside both namespaces (never in the host's, where names could clash). */
    private void link(NetworkNamespace left, String leftInterface, String leftAddress,
            NetworkNamespace right, String rightInterface, String rightAddress) throws IOException {
        ip("link", "add", leftInterface, "netns", left.name(), "type", "veth",
                "peer", "name", rightInterface, "netns", right.name());
        configure(left, leftInterface, leftAddress);
        configure(right, rightInterface, rightAddress);
    }

    private void configure(NetworkNamespace namespace, String device, String address) throws IOException {
        ip("-n", namespace.name(), "address", "add", address + "/" + PREFIX_LENGTH, "dev", device);
        ip("-n", namespace.name(), "link", "set", device, "up");
    }

    public NetworkNamespace client() {
        return client;
    }

    /** The branch site's router, where the branch appliance runs. */
    public NetworkNamespace branch() {
        return branch;
    }

    /** The WAN between the sites: only forwards, shapes and counts. */
    public NetworkNamespace wan() {
        return wan;
    }

    /** The datacenter site's router, where the datacenter appliance runs. */
    public NetworkNamespace datacenter() {
        return datacenter;
    }

    public NetworkNamespace server() {
        return server;
    }

    /** client, branch, wan, datacenter, server. */
    public List<NetworkNamespace> namespaces() {
        return List.of(client, branch, wan, datacenter, server);
    }

    /**
     * Limits the WAN to {@code rate} (tc syntax, e.g. {@code 20mbit}) in each direction: a tbf root qdisc
     * on both wan-namespace interfaces ({@code tc qdisc replace dev br0|dc0 root tbf rate RATE burst B
     * latency 200ms}, B = 64 KiB or 10 ms worth of the rate, whichever is larger). Replaces an earlier shaping.
     */
    public void shapeWan(String rate) throws IOException {
        String burst = Long.toString(burstBytes(rate));
        for (String device : List.of(WAN_BRANCH_FACING_INTERFACE, WAN_DATACENTER_FACING_INTERFACE)) {
            run(wan.command(List.of(HostTools.executable("tc"), "qdisc", "replace", "dev", device, "root", "tbf",
                    "rate", rate, "burst", burst, "latency", SHAPING_LATENCY)));
        }
        shaped = true;
    }

    /** Removes the shaping of {@link #shapeWan(String)}, if any. */
    public void unshapeWan() throws IOException {
        if (!shaped) {
            return;
        }
        for (String device : List.of(WAN_BRANCH_FACING_INTERFACE, WAN_DATACENTER_FACING_INTERFACE)) {
            run(wan.command(List.of(HostTools.executable("tc"), "qdisc", "del", "dev", device, "root")));
        }
        shaped = false;
    }

    /**
     * Bytes that crossed the WAN so far, both directions: the sum of {@link #wanBytesTowardsBranch()} and
     * {@link #wanBytesTowardsDatacenter()}, i.e. of {@code tx_bytes} of the wan namespace's br0 and dc0, read
     * from /sys/class/net/DEV/statistics/tx_bytes with {@code ip netns exec WAN cat ...} (which mounts that
     * namespace's own sysfs). Frame bytes: Ethernet, IP and TCP headers included, so a copy of N bytes
     * adds a little more than N.
     */
    public long wanBytes() throws IOException {
        long[] sent = wanTransmittedBytes();
        return sent[0] + sent[1];
    }

    /** Bytes the wan namespace sent to branch ({@code tx_bytes} of br0). */
    public long wanBytesTowardsBranch() throws IOException {
        return wanTransmittedBytes()[0];
    }

    /** Bytes the wan namespace sent to datacenter ({@code tx_bytes} of dc0). */
    public long wanBytesTowardsDatacenter() throws IOException {
        return wanTransmittedBytes()[1];
    }

    /** tx_bytes of br0 and dc0, read as {@link #wanBytes()} says. */
    private long[] wanTransmittedBytes() throws IOException {
        List<String> command = wan.command(List.of(HostTools.executable("cat"),
                "/sys/class/net/" + WAN_BRANCH_FACING_INTERFACE + "/statistics/tx_bytes",
                "/sys/class/net/" + WAN_DATACENTER_FACING_INTERFACE + "/statistics/tx_bytes"));
        String output = Commands.run(COMMAND_TIMEOUT, command);
        String[] counters = output.strip().split("\\s+");
        try {
            if (counters.length != 2) {
                throw new NumberFormatException("expected 2 numbers");
            }
            return new long[] {Long.parseLong(counters[0]), Long.parseLong(counters[1])};
        } catch (NumberFormatException e) {
            throw new IOException("unexpected output of " + Commands.describe(command) + " (" + e.getMessage() + ")"
                    + Commands.tailOf(output));
        }
    }

    /**
     * Deletes the namespaces (which deletes the veths). Stops no process: it started none. A process still
     * inside a namespace (someone else's, not stopped) keeps that namespace alive after its name is gone;
     * such processes are named in a warning.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> failures = new ArrayList<>();
        for (int i = created.size() - 1; i >= 0; i--) {
            NetworkNamespace namespace = created.get(i);
            try {
                String pids = Commands.run(COMMAND_TIMEOUT, List.of(NetworkNamespace.ip(), "netns", "pids",
                        namespace.name())).strip();
                if (!pids.isEmpty()) {
                    LOG.log(System.Logger.Level.WARNING, () -> "processes still in " + namespace + " at close: "
                            + String.join(", ", pids.split("\\s+")) + " (not stopped: the network did not start them)");
                }
            } catch (IOException e) {
                failures.add(e.getMessage());
            }
            try {
                ip("netns", "del", namespace.name());
            } catch (IOException e) {
                failures.add(e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, () -> "closing the in-path network: " + String.join("\n", failures));
        }
    }

    private void ip(String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(NetworkNamespace.ip());
        command.addAll(List.of(arguments));
        run(command);
    }

    private void run(List<String> command) throws IOException {
        try {
            Files.writeString(commandLog, String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot append to " + commandLog, e);
        }
        Commands.run(COMMAND_TIMEOUT, command);
    }

    /** 64 KiB, or 10 ms worth of {@code rate} when that is more (a smaller burst caps fast rates below the rate). */
    static long burstBytes(String rate) {
        Matcher matcher = RATE.matcher(rate.toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw new IllegalArgumentException("rate must look like 20mbit, 500kbit, 1gbit or 10mbps: " + rate);
        }
        double value = Double.parseDouble(matcher.group(1));
        double multiplier = switch (matcher.group(2)) {
            case "k" -> 1e3;
            case "m" -> 1e6;
            case "g" -> 1e9;
            case "t" -> 1e12;
            default -> 1;
        };
        double bytesPerSecond = value * multiplier / (matcher.group(3).equals("bit") ? 8 : 1);
        return Math.max(MIN_BURST_BYTES, (long) (bytesPerSecond / 100));
    }
}
