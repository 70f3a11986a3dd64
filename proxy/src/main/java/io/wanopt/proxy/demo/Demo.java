package io.wanopt.proxy.demo;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.wanopt.config.ConfigError;
import io.wanopt.config.Rates;
import io.wanopt.config.WanoptSettings;
import io.wanopt.proxy.Appliance;
import io.wanopt.proxy.LogFormat;
import io.wanopt.proxy.pki.Pki;
import io.wanopt.proxy.wan.LinkProfile;
import io.wanopt.proxy.wan.WanEmulator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.stream.Stream;

/**
 * {@code wanopt demo}: a branch and a datacenter appliance in this process, an emulated WAN between
 * them, and a generated disk-like file moved three times (cold, the same again, a copy with some
 * blocks changed), each next to the same move over the same link without wanopt. Every move is
 * checked with SHA-256 at both ends.
 */
public final class Demo {

    private final PrintStream out;
    private final long size;
    private final long rate;
    private final Duration rtt;
    private final double changedFraction;
    private final long seed;

    /** One move's figures. */
    private record Move(String name, double seconds, long lanBytes, long wanBytes) {
    }

    private Demo(PrintStream out, long size, long rate, Duration rtt, double changedFraction, long seed) {
        this.out = out;
        this.size = size;
        this.rate = rate;
        this.rtt = rtt;
        this.changedFraction = changedFraction;
        this.seed = seed;
    }

    /** Parses the options, runs the demo; 0 when every move arrived intact, 2 for bad options, 1 on failure. */
    public static int run(DemoOptions options, PrintStream out, PrintStream err) {
        Config defaults = ConfigFactory.defaultReference().getConfig("wanopt-demo");
        Demo demo;
        try {
            demo = new Demo(out,
                    options.size() >= 0 ? options.size() : defaults.getBytes("size"),
                    options.rate() > 0 ? options.rate() : Rates.parse(defaults.getString("rate")),
                    options.rtt() != null ? options.rtt() : defaults.getDuration("rtt"),
                    defaults.getDouble("changed-fraction"),
                    defaults.getLong("seed"));
        } catch (IllegalArgumentException e) {
            err.println("wanopt demo: " + e.getMessage());
            return 2;
        }
        LogFormat.install(Level.WARNING);
        Path work = null;
        try {
            work = Files.createTempDirectory("wanopt-demo");
            return demo.runIn(work) ? 0 : 1;
        } catch (IOException | ConfigError | RuntimeException e) {
            err.println("wanopt demo failed: " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            if (work != null) {
                deleteTree(work);
            }
        }
    }

    /** What {@code wanopt demo} was given; a negative size, zero rate or null rtt means the default. */
    public record DemoOptions(long size, long rate, Duration rtt) {
    }

    private boolean runIn(Path work) throws IOException, ConfigError, InterruptedException {
        out.printf("wanopt demo: a %s disk-like file over an emulated %s, %d ms round-trip WAN%n",
                mib(size), rateText(rate), rtt.toMillis());
        long started = System.nanoTime();
        Path original = work.resolve("disk.img");
        Path changed = work.resolve("disk-next.img");
        DiskImageGenerator.write(original, size, seed);
        DiskImageGenerator.writeModified(original, changed, changedFraction, seed + 1);
        out.printf("generated the file and a copy with %.0f%% of its 4 KiB blocks changed (%.1f s)%n",
                changedFraction * 100, seconds(System.nanoTime() - started));

        Path pki = work.resolve("pki");
        Pki.createCa(pki, "wanopt demo CA");
        Pki.issue(pki, pki, "branch");
        Pki.issue(pki, pki, "datacenter");
        LinkProfile link = LinkProfile.of(rate, rtt);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        List<Move> moves = new ArrayList<>();
        boolean intact = true;
        try (Sink sink = new Sink();
                WanEmulator plainLink = new WanEmulator(group, link);
                Appliance datacenter = Appliance.start(settings(work, pki, "datacenter",
                        "tunnel.listen = \"127.0.0.1:0\"\npeers = [ { id = branch, link-rate = " + rate + "bit } ]"));
                WanEmulator wan = new WanEmulator(group, link);
                Appliance branch = Appliance.start(settings(work, pki, "branch",
                        "peers = [ { id = datacenter, address = \"127.0.0.1:"
                                + wan.relay(loopback(), datacenter.tunnelAddress()).getPort()
                                + "\", link-rate = " + rate + "bit } ]\n"
                                + "listeners = [ { listen = \"127.0.0.1:0\", target = \"127.0.0.1:"
                                + sink.address().getPort() + "\", peer = datacenter } ]"))) {
            if (!branch.tunnels().awaitUp("datacenter", Duration.ofSeconds(30))) {
                throw new IOException("the branch appliance could not reach the datacenter appliance");
            }
            InetSocketAddress viaWanopt = branch.listenerAddress(0);
            intact &= move(moves, "without wanopt", plainLink.relay(loopback(), sink.address()), original, plainLink);
            intact &= move(moves, "wanopt, cold", viaWanopt, original, wan);
            intact &= move(moves, "wanopt, same file again", viaWanopt, original, wan);
            intact &= move(moves, String.format("wanopt, %.0f%% of blocks changed", changedFraction * 100),
                    viaWanopt, changed, wan);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        report(moves);
        out.println(intact ? "every move arrived byte-exact (SHA-256 checked at both ends)"
                : "A MOVE ARRIVED DAMAGED: see above");
        return intact;
    }

    private WanoptSettings settings(Path work, Path pki, String id, String topology) throws ConfigError, IOException {
        String hocon = "wanopt {\n appliance-id = " + id + "\n"
                + " tls { key = \"" + pki.resolve(id + ".key") + "\", certificate = \"" + pki.resolve(id + ".crt")
                + "\", trusted-ca = \"" + pki.resolve(Pki.CA_CERTIFICATE) + "\" }\n"
                + " store { path = \"" + work.resolve("store-" + id) + "\", disk-budget = 4GiB }\n"
                + topology + "\n}\n";
        Path file = work.resolve(id + ".conf");
        Files.writeString(file, hocon);
        return WanoptSettings.load(file);
    }

    /** Sends {@code file} to the sink through {@code entry}, showing progress; false when the digests differ. */
    private boolean move(List<Move> moves, String name, InetSocketAddress entry, Path file, WanEmulator link)
            throws IOException, InterruptedException {
        long wanBefore = link.bytesForwarded();
        AtomicLong sent = new AtomicLong();
        Progress progress = new Progress(name, sent);
        progress.start();
        long start = System.nanoTime();
        String local;
        String remote;
        try (Socket socket = new Socket(entry.getAddress(), entry.getPort());
                InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = sha256();
            OutputStream toServer = socket.getOutputStream();
            byte[] buffer = new byte[256 << 10];
            int n;
            while ((n = in.read(buffer)) > 0) {
                sha.update(buffer, 0, n);
                toServer.write(buffer, 0, n);
                sent.addAndGet(n);
            }
            toServer.flush();
            socket.shutdownOutput();
            local = HexFormat.of().formatHex(sha.digest());
            remote = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        } finally {
            progress.interrupt();
            progress.join();
        }
        double seconds = seconds(System.nanoTime() - start);
        // Let the link's last bytes (credits, FIN) drain into the count.
        Thread.sleep(rtt.toMillis());
        moves.add(new Move(name, seconds, Files.size(file), link.bytesForwarded() - wanBefore));
        boolean intact = local.equals(remote);
        out.printf("%-34s %7.1f s  %s%n", name, seconds, intact ? "SHA-256 ok" : "SHA-256 MISMATCH " + local + " vs " + remote);
        return intact;
    }

    private void report(List<Move> moves) {
        double plain = moves.get(0).seconds();
        out.println();
        out.printf("%-34s %9s %11s %11s %10s %9s%n", "move", "time", "LAN bytes", "WAN bytes", "reduction", "speed-up");
        for (Move move : moves) {
            out.printf("%-34s %7.1f s %11s %11s %9.1fx %8.1fx%n", move.name(), move.seconds(), mib(move.lanBytes()),
                    mib(move.wanBytes()), (double) move.lanBytes() / Math.max(1, move.wanBytes()),
                    plain / move.seconds());
        }
        out.println("WAN bytes are everything both ways on the emulated link, TLS included.");
    }

    /** Prints how far a move is, in place on a terminal, every few seconds otherwise. */
    private final class Progress extends Thread {
        private final String name;
        private final AtomicLong sent;
        private final boolean terminal = System.console() != null;

        Progress(String name, AtomicLong sent) {
            super("demo-progress");
            setDaemon(true);
            this.name = name;
            this.sent = sent;
        }

        @Override
        public void run() {
            long start = System.nanoTime();
            int tick = 0;
            try {
                while (!isInterrupted()) {
                    Thread.sleep(1000);
                    tick++;
                    String line = String.format("  %s: %3d%% of %s, %.0f s", name, sent.get() * 100 / Math.max(1, size),
                            mib(size), seconds(System.nanoTime() - start));
                    if (terminal) {
                        out.print("\r" + line);
                        out.flush();
                    } else if (tick % 10 == 0) {
                        out.println(line);
                    }
                }
            } catch (InterruptedException e) {
                // The move is done.
            }
            if (terminal) {
                out.print("\r" + " ".repeat(70) + "\r");
                out.flush();
            }
        }
    }

    /** Reads each connection to its end and answers with the SHA-256 of what it read. */
    private static final class Sink implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final Thread acceptor = new Thread(this::serve, "demo-sink");

        Sink() throws IOException {
            acceptor.setDaemon(true);
            acceptor.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.getLocalSocketAddress();
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    MessageDigest sha = sha256();
                    InputStream in = socket.getInputStream();
                    byte[] buffer = new byte[256 << 10];
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        sha.update(buffer, 0, n);
                    }
                    socket.getOutputStream().write(HexFormat.of().formatHex(sha.digest())
                            .getBytes(StandardCharsets.US_ASCII));
                    socket.shutdownOutput();
                } catch (IOException e) {
                    // A failed move shows as a digest mismatch on the client side.
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    private static String rateText(long bitsPerSecond) {
        return bitsPerSecond % 1_000_000 == 0 ? bitsPerSecond / 1_000_000 + " Mbit/s"
                : String.format("%.3f Mbit/s", bitsPerSecond / 1e6);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // A temp directory left behind is not worth failing the demo for.
        }
    }
}
