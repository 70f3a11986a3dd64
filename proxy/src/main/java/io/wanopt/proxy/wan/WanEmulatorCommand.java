package io.wanopt.proxy.wan;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.wanopt.config.Rates;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code wanopt wan-emulator --listen ADDR:PORT --to HOST:PORT --rate 10mbit --rtt 140ms [--queue 1MiB]}:
 * runs a {@link WanEmulator} until the process is killed, printing what it does and, every
 * {@value #REPORT_INTERVAL_SECONDS} s, the bytes forwarded each way. Durations and sizes are
 * written as in the configuration file; without {@code --queue}, {@link LinkProfile#of} sizes it.
 */
public final class WanEmulatorCommand {

    private static final long REPORT_INTERVAL_SECONDS = 10;
    private static final String USAGE =
            "usage: wanopt wan-emulator --listen ADDR:PORT --to HOST:PORT --rate 10mbit --rtt 140ms [--queue 1MiB]";
    private static final Set<String> OPTIONS = Set.of("--listen", "--to", "--rate", "--rtt", "--queue");

    private WanEmulatorCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the emulator until the process ends; returns 2 on bad arguments, 1 when it cannot listen. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        InetSocketAddress listen;
        InetSocketAddress target;
        LinkProfile profile;
        try {
            Map<String, String> options = parseOptions(args);
            listen = parseAddress("--listen", required(options, "--listen"));
            target = parseAddress("--to", required(options, "--to"));
            long rate = parseRate(required(options, "--rate"));
            Duration rtt = parseDuration(required(options, "--rtt"));
            profile = options.containsKey("--queue")
                    ? new LinkProfile(rate, rtt, parseSize(options.get("--queue")))
                    : LinkProfile.of(rate, rtt);
        } catch (IllegalArgumentException e) {
            err.println("wan-emulator: " + e.getMessage() + " (" + USAGE + ")");
            return 2;
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (WanEmulator emulator = new WanEmulator(group, listen, target, profile)) {
            try {
                emulator.start();
            } catch (RuntimeException e) {
                err.println("wan-emulator: cannot listen on " + listen + ": " + e);
                return 1;
            }
            out.printf("wan-emulator: relaying %s -> %s at %d bit/s, rtt %d ms, queue %d bytes per direction%n",
                    emulator.localAddress(), target, profile.rateBitsPerSecond(), profile.rtt().toMillis(),
                    profile.queueBytes());
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

    private static Map<String, String> parseOptions(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String option = args[i];
            if (!OPTIONS.contains(option)) {
                throw new IllegalArgumentException("unknown option '" + option + "'");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + option + " needs a value");
            }
            if (options.put(option, args[i + 1]) != null) {
                throw new IllegalArgumentException("option " + option + " given twice");
            }
        }
        return options;
    }

    private static String required(Map<String, String> options, String option) {
        String value = options.get(option);
        if (value == null) {
            throw new IllegalArgumentException("missing " + option);
        }
        return value;
    }

    /** HOST:PORT, with an IPv6 host in brackets; an empty host means every local address. */
    private static InetSocketAddress parseAddress(String option, String value) {
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(option + " must be HOST:PORT, got '" + value + "'");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " has a bad port in '" + value + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(option + " port must be 0..65535, got " + port + " in '" + value + "'");
        }
        InetSocketAddress address = host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException(option + " host '" + host + "' does not resolve");
        }
        return address;
    }

    private static long parseRate(String value) {
        try {
            return Rates.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--rate: " + e.getMessage());
        }
    }

    private static Duration parseDuration(String value) {
        try {
            Duration rtt = asConfigValue(value).getDuration("v");
            if (rtt.isNegative()) {
                throw new IllegalArgumentException("--rtt must not be negative, got '" + value + "'");
            }
            return rtt;
        } catch (ConfigException e) {
            throw new IllegalArgumentException("--rtt must be a duration such as 140ms, got '" + value + "'");
        }
    }

    private static long parseSize(String value) {
        try {
            long size = asConfigValue(value).getBytes("v");
            if (size <= 0) {
                throw new IllegalArgumentException("--queue must be positive, got '" + value + "'");
            }
            return size;
        } catch (ConfigException e) {
            throw new IllegalArgumentException("--queue must be a size such as 1MiB, got '" + value + "'");
        }
    }

    /** Parses {@code value} with the configuration file's unit rules. */
    private static Config asConfigValue(String value) {
        return ConfigFactory.parseString("v = " + ConfigUtil.quoteString(value));
    }
}
