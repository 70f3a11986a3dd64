package io.wanopt.proxy.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.wanopt.config.Rates;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * {@code --name value} options of a subcommand, with values read the way the configuration file
 * reads them (sizes like {@code 64MiB}, durations like {@code 140ms}, rates like {@code 10mbit}).
 * Every problem is an {@link IllegalArgumentException} whose message is fit for one line.
 */
final class CommandOptions {

    private final Map<String, String> values;

    private CommandOptions(Map<String, String> values) {
        this.values = values;
    }

    /** Parses {@code args}; only options in {@code allowed} (with their leading dashes) are accepted. */
    static CommandOptions parse(String[] args, Set<String> allowed) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String option = args[i];
            if (!allowed.contains(option)) {
                throw new IllegalArgumentException("unknown option '" + option + "' (expected: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ')');
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + option + " needs a value");
            }
            if (values.put(option, args[i + 1]) != null) {
                throw new IllegalArgumentException("option " + option + " given twice");
            }
        }
        return new CommandOptions(values);
    }

    String string(String option, String fallback) {
        return values.getOrDefault(option, fallback);
    }

    String required(String option) {
        String value = values.get(option);
        if (value == null) {
            throw new IllegalArgumentException("missing " + option);
        }
        return value;
    }

    boolean has(String option) {
        return values.containsKey(option);
    }

    /** A rate in bits/s; {@code fallback} when the option is absent. */
    long rate(String option, long fallback) {
        String value = values.get(option);
        if (value == null) {
            return fallback;
        }
        try {
            return Rates.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
    }

    Duration duration(String option, Duration fallback) {
        return typed(option, fallback, "a duration such as 140ms", Config::getDuration);
    }

    long bytes(String option, long fallback) {
        return typed(option, fallback, "a size such as 64MiB", Config::getBytes);
    }

    /** The option read as the configuration file would read {@code what}; {@code fallback} when absent. */
    private <T> T typed(String option, T fallback, String what, BiFunction<Config, String, T> getter) {
        String value = values.get(option);
        if (value == null) {
            return fallback;
        }
        try {
            return getter.apply(ConfigFactory.empty().withValue("v", ConfigValueFactory.fromAnyRef(value)), "v");
        } catch (ConfigException e) {
            throw new IllegalArgumentException(option + ": expected " + what + ", got \"" + value + '"');
        }
    }

    /** HOST:PORT, with an IPv6 host in brackets; an empty host means every local address. */
    InetSocketAddress address(String option) {
        return parseAddress(option, required(option));
    }

    /** One or more HOST:PORT, separated by commas. */
    List<InetSocketAddress> addresses(String option) {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String value : required(option).split(",", -1)) {
            addresses.add(parseAddress(option, value.strip()));
        }
        return addresses;
    }

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
}
