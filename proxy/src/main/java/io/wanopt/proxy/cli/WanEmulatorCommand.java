package io.wanopt.proxy.cli;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.wanopt.proxy.wan.LinkProfile;
import io.wanopt.proxy.wan.WanEmulator;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code wanopt wan-emulator --listen ADDR:PORT --to HOST:PORT --rate 10mbit --rtt 140ms [--queue 1MiB]}:
 * runs a {@link WanEmulator} until the process is killed, relaying each listen address to the
 * target at the same place in {@code --to} (both may list several, comma-separated, e.g. NFSv3's
 * NFS and MOUNT ports; they share one link), printing what it does and, every
 * {@value #REPORT_INTERVAL_SECONDS} s, the bytes forwarded each way. Durations and sizes are
 * written as in the configuration file; without {@code --queue}, {@link LinkProfile#of} sizes it.
 */
public final class WanEmulatorCommand {

    private static final long REPORT_INTERVAL_SECONDS = 10;
    private static final String USAGE =
            "usage: wanopt wan-emulator --listen ADDR:PORT[,ADDR:PORT...] --to HOST:PORT[,HOST:PORT...] --rate 10mbit --rtt 140ms [--queue 1MiB]";
    private static final Set<String> OPTIONS = Set.of("--listen", "--to", "--rate", "--rtt", "--queue");

    private WanEmulatorCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the emulator until the process ends; returns 2 on bad arguments, 1 when it cannot listen. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<InetSocketAddress> listens;
        List<InetSocketAddress> targets;
        LinkProfile profile;
        try {
            CommandOptions options = CommandOptions.parse(args, OPTIONS);
            listens = options.addresses("--listen");
            targets = options.addresses("--to");
            if (listens.size() != targets.size()) {
                throw new IllegalArgumentException("--listen has " + listens.size() + " addresses but --to has "
                        + targets.size() + "; each listen address needs its target");
            }
            options.required("--rate");
            options.required("--rtt");
            long rate = options.rate("--rate", 0);
            Duration rtt = options.duration("--rtt", null);
            profile = options.has("--queue")
                    ? new LinkProfile(rate, rtt, options.bytes("--queue", 0))
                    : LinkProfile.of(rate, rtt);
        } catch (IllegalArgumentException e) {
            err.println("wan-emulator: " + e.getMessage() + " (" + USAGE + ")");
            return 2;
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (WanEmulator emulator = new WanEmulator(group, profile)) {
            for (int i = 0; i < listens.size(); i++) {
                InetSocketAddress bound;
                try {
                    bound = emulator.relay(listens.get(i), targets.get(i));
                } catch (RuntimeException e) {
                    err.println("wan-emulator: cannot listen on " + listens.get(i) + ": " + e);
                    return 1;
                }
                out.printf("wan-emulator: relaying %s -> %s%n", bound, targets.get(i));
            }
            out.printf("wan-emulator: link %d bit/s, rtt %d ms, queue %d bytes per direction and connection%n",
                    profile.rateBitsPerSecond(), profile.rtt().toMillis(), profile.queueBytes());
            group.scheduleAtFixedRate(() -> out.printf("wan-emulator: %d bytes client->target, %d bytes target->client%n",
                    emulator.bytesForwarded(WanEmulator.Direction.CLIENT_TO_TARGET),
                    emulator.bytesForwarded(WanEmulator.Direction.TARGET_TO_CLIENT)),
                    REPORT_INTERVAL_SECONDS, REPORT_INTERVAL_SECONDS, TimeUnit.SECONDS);
            Runtime.getRuntime().addShutdownHook(new Thread(group::shutdownGracefully));
            group.terminationFuture().sync();
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            group.shutdownGracefully();
        }
    }
}
