package io.wanopt.bench.inpath;

import io.wanopt.harness.ChildProcess;
import io.wanopt.harness.CurlClient;
import io.wanopt.harness.FileDigest;
import io.wanopt.harness.HttpFileServer;
import io.wanopt.harness.InPathNetwork;
import io.wanopt.harness.NetworkNamespace;
import io.wanopt.proxy.cli.Main;
import io.wanopt.proxy.pki.Pki;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

/**
 * What in-path interception costs and gives on one machine: a file fetched over HTTP from the server
 * namespace to the client namespace of {@link InPathNetwork}, side by side in one run, (1) routed past
 * the appliances (no rule matches its port), (2) intercepted and carried through the tunnel, cold then
 * repeated, and (3) passed through by the branch appliance while the datacenter appliance is stopped.
 * Every fetch is checked by SHA-256. Both appliances are {@code wanopt run} processes in their router
 * namespaces; with the client, the server and the kernel's forwarding they share this machine's cores.
 *
 * <p>{@code bench/in-path [--size 256MiB] [--runs 3] [--rate 1gbit] [--out FILE]} (root).
 */
public final class InPathThroughput {

    private static final int ROUTED_PORT = 8080;
    private static final int INTERCEPTED_PORT = 8445;
    private static final int TUNNEL_PORT = 7800;
    private static final Duration FETCH_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final String FILE = "random.bin";

    private final Path dir;
    private final Path source;
    private final String sourceDigest;
    private final InPathNetwork network;
    private final List<Row> rows = new ArrayList<>();
    private int fetches;

    private record Row(String path, double seconds, long wanBytes) {
    }

    private InPathThroughput(Path dir, Path source, InPathNetwork network) throws IOException {
        this.dir = dir;
        this.source = source;
        this.sourceDigest = FileDigest.sha256(source);
        this.network = network;
    }

    public static void main(String[] args) throws Exception {
        long size = 256L << 20;
        int runs = 3;
        String rate = null;
        Path out = Path.of("docs", "in-path-throughput.md");
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (value == null) {
                usage("missing value for " + args[i]);
            }
            switch (args[i]) {
                case "--size" -> size = parseSize(value);
                case "--runs" -> runs = Integer.parseInt(value);
                case "--rate" -> rate = value;
                case "--out" -> out = Path.of(value);
                default -> usage("unknown option " + args[i]);
            }
        }
        Optional<String> unavailable = InPathNetwork.unavailableReason();
        if (unavailable.isPresent()) {
            System.err.println("in-path: cannot run: " + unavailable.get());
            System.exit(2);
        }
        Path dir = Files.createTempDirectory("wanopt-in-path-bench");
        Path httpRouted = dir.resolve("http-routed");
        Path httpIntercepted = dir.resolve("http-intercepted");
        Path source = HttpFileServer.filesDirectory(httpRouted).resolve(FILE);
        Files.createDirectories(source.getParent());
        writeRandom(source, size);
        Files.createDirectories(HttpFileServer.filesDirectory(httpIntercepted));
        Files.createLink(HttpFileServer.filesDirectory(httpIntercepted).resolve(FILE), source);

        try (InPathNetwork network = InPathNetwork.create(dir.resolve("net"));
                HttpFileServer routed = HttpFileServer.start(httpRouted, network.server(), InPathNetwork.SERVER_ADDRESS,
                        ROUTED_PORT);
                HttpFileServer intercepted = HttpFileServer.start(httpIntercepted, network.server(),
                        InPathNetwork.SERVER_ADDRESS, INTERCEPTED_PORT)) {
            if (rate != null) {
                network.shapeWan(rate);
            }
            InPathThroughput bench = new InPathThroughput(dir, source, network);
            bench.run(runs);
            String report = bench.report(size, runs, rate);
            System.out.print(report);
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, report);
            System.err.println("in-path: wrote " + out);
        } finally {
            // The file, stores and logs weigh hundreds of MB; keep them only when asked to.
            if (System.getenv("WANOPT_KEEP_BENCH") == null) {
                deleteTree(dir);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private void run(int runs) throws Exception {
        Path pki = dir.resolve("pki");
        Pki.createCa(pki, "in-path bench CA");
        Pki.issue(pki, pki, "dc");
        Pki.issue(pki, pki, "branch");
        try (ChildProcess datacenter = startDaemon(network.datacenter(), "dc", "tunnel.listen = \""
                        + InPathNetwork.DATACENTER_WAN_ADDRESS + ":" + TUNNEL_PORT + "\"\n peers = [ { id = branch } ]\n");
                ChildProcess branch = startDaemon(network.branch(), "branch", "peers = [ { id = dc, address = \""
                        + InPathNetwork.DATACENTER_WAN_ADDRESS + ":" + TUNNEL_PORT + "\" } ]\n"
                        + " in-path { enabled = true, lan-interfaces = [" + InPathNetwork.LAN_INTERFACE + "], rules = [ "
                        + "{ destinations = [\"" + InPathNetwork.DATACENTER_LAN_SUBNET + "\"], ports = [" + INTERCEPTED_PORT
                        + "], peers = [dc] } ] }\n")) {
            awaitLog(branch, "tunnel to dc up");
            awaitLog(branch, "in-path: installed");
            for (int i = 0; i < runs; i++) {
                fetch("routed past the appliances (no rule)", ROUTED_PORT);
            }
            fetch("in-path, cold (every chunk a literal)", INTERCEPTED_PORT);
            for (int i = 0; i < runs; i++) {
                fetch("in-path, repeated (references)", INTERCEPTED_PORT);
            }
            datacenter.stop(Duration.ofSeconds(20));
            awaitLog(branch, "tunnel to dc down");
            for (int i = 0; i < runs; i++) {
                fetch("passed through (datacenter appliance stopped)", INTERCEPTED_PORT);
            }
        }
    }

    private void fetch(String path, int port) throws IOException {
        Path local = dir.resolve("fetch-" + fetches++);
        long wanBefore = network.wanBytes();
        long start = System.nanoTime();
        CurlClient.get(new InetSocketAddress(InPathNetwork.SERVER_ADDRESS, port), FILE, local, FETCH_TIMEOUT,
                network.client());
        double seconds = (System.nanoTime() - start) / 1e9;
        long wan = network.wanBytes() - wanBefore;
        if (Files.size(local) != Files.size(source) || !FileDigest.sha256(local).equals(sourceDigest)) {
            throw new IOException(path + ": the fetched file differs from the source");
        }
        Files.delete(local);
        rows.add(new Row(path, seconds, wan));
        System.err.printf(Locale.ROOT, "in-path: %-48s %7.2f s  %,15d WAN bytes%n", path, seconds, wan);
    }

    private ChildProcess startDaemon(NetworkNamespace namespace, String id, String settings) throws IOException {
        Path site = dir.resolve(id);
        Files.createDirectories(site);
        Path config = site.resolve("wanopt.conf");
        Files.writeString(config, "wanopt {\n appliance-id = " + id + "\n"
                + " tls { key = ../pki/" + id + ".key, certificate = ../pki/" + id + ".crt, trusted-ca = ../pki/ca.crt }\n "
                + settings + " store.path = store\n"
                + " management { admin-socket = \"" + site.resolve("admin.sock") + "\", metrics-listen = \"\" }\n}\n");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", "--config", config.toString());
        return namespace.start("wanopt " + id, command, site.resolve("wanopt.log"));
    }

    private static void awaitLog(ChildProcess daemon, String text) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.readString(daemon.log()).contains(text)) {
            if (System.nanoTime() > deadline || !daemon.isAlive()) {
                throw new IOException("\"" + text + "\" not logged by " + daemon + ":\n" + daemon.logTail(30));
            }
            Thread.sleep(100);
        }
    }

    private String report(long size, int runs, String rate) {
        StringBuilder text = new StringBuilder();
        text.append("# In-path throughput (`bench/in-path`)\n\n")
                .append(String.format(Locale.ROOT, "%s, %d cores, JDK %s. A %d MiB random file fetched with curl over HTTP "
                        + "from the server namespace to the client namespace, %s; %d runs each, side by side in one "
                        + "run. Both appliances, the client, the server and the kernel's forwarding share the machine. "
                        + "Every fetch was checked by SHA-256.\n\n", LocalDate.now(), Runtime.getRuntime().availableProcessors(),
                        Runtime.version().feature(), size >> 20, rate == null ? "veths not shaped" : "tbf " + rate
                        + " on the WAN", runs))
                .append("| path | time (s) | MB/s | WAN bytes |\n|---|---:|---:|---:|\n");
        for (Row row : rows) {
            text.append(String.format(Locale.ROOT, "| %s | %.2f | %.0f | %,d |%n", row.path(), row.seconds(),
                    size / row.seconds() / 1e6, row.wanBytes()));
        }
        return text.toString();
    }

    private static void writeRandom(Path file, long size) throws IOException {
        Random random = new Random(1);
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; written += block.length) {
                random.nextBytes(block);
                out.write(block, 0, (int) Math.min(block.length, size - written));
            }
        }
    }

    private static long parseSize(String text) {
        String upper = text.toUpperCase(Locale.ROOT);
        long unit = upper.endsWith("GIB") ? 1L << 30 : upper.endsWith("MIB") ? 1L << 20 : 1;
        return Long.parseLong(unit == 1 ? text : text.substring(0, text.length() - 3)) * unit;
    }

    private static void usage(String problem) {
        System.err.println("in-path: " + problem + "\nusage: bench/in-path [--size 256MiB] [--runs 3] [--rate 1gbit] [--out FILE]");
        System.exit(2);
    }
}
