package io.wanopt.proxy.inpath;

import io.wanopt.config.InPathSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * What steers intercepted connections to the appliance's transparent listener: an nftables table of
 * its own (family ip), a policy-routing rule for its mark and a local route in its routing table.
 * Nothing else in the ruleset or the routing tables is touched.
 *
 * <p>Fail-open is built into the rules: TPROXY only steers a connection to a listening socket that
 * exists and has IP_TRANSPARENT, and the mark is only set on packets of sockets that exist. When the
 * appliance process is gone — even killed with SIGKILL, which runs none of its clean-up — the kernel
 * has closed its sockets, no rule matches, and traffic is routed as if the appliance were not there.
 * Installing replaces what an earlier run left behind; a clean stop removes it all.
 */
public final class SteeringRules {

    private static final long COMMAND_TIMEOUT_SECONDS = 10;
    /** ip rule allows duplicates; a crashed run may have left some, and deleting stops at the first failure. */
    private static final int MAX_STALE_RULES = 64;

    private final InPathSettings settings;

    public SteeringRules(InPathSettings settings) {
        this.settings = settings;
    }

    /** The nftables table, as {@code nft -f} reads it. */
    public String nftTable() {
        String mark = String.format("0x%x", settings.mark());
        String interfaces = settings.lanInterfaces().stream().map(name -> '"' + name + '"')
                .collect(Collectors.joining(", ", "{ ", " }"));
        StringBuilder text = new StringBuilder();
        text.append("table ip ").append(settings.nftTable()).append(" {\n")
                .append("\tchain prerouting {\n")
                .append("\t\ttype filter hook prerouting priority mangle; policy accept;\n")
                .append("\t\t# packets of connections this appliance holds (intercepted, or opened from a client's address);\n")
                .append("\t\t# a new SYN never matches, so after a crash a reused port cannot be caught by a leftover socket\n")
                .append("\t\ttcp flags & (syn | ack) != syn socket transparent 1 meta mark set ").append(mark).append(" accept\n");
        for (int i = 0; i < settings.rules().size(); i++) {
            InPathSettings.Rule rule = settings.rules().get(i);
            text.append("\t\t# in-path.rules[").append(i).append("] via ").append(String.join(", ", rule.peers()))
                    .append(": new connections to the transparent listener (only while it is open)\n")
                    .append("\t\tiifname ").append(interfaces)
                    .append(" ip daddr ").append(set(rule.destinations()))
                    .append(" tcp dport ").append(set(rule.ports()))
                    .append(" tcp flags & (fin | syn | rst | ack) == syn tproxy to :").append(settings.listenPort())
                    .append(" meta mark set ").append(mark).append(" accept\n");
        }
        return text.append("\t}\n}\n").toString();
    }

    private static String set(List<?> values) {
        return values.stream().map(Object::toString).collect(Collectors.joining(", ", "{ ", " }"));
    }

    /** A shell script that installs the steering, for admins who manage nftables themselves. */
    public String installScript() {
        return "#!/bin/sh\n"
                + "# wanopt in-path steering: nftables table " + settings.nftTable() + ", fwmark "
                + String.format("0x%x", settings.mark()) + " -> routing table " + settings.routeTable() + ".\n"
                + "# Forwarding must be on (sysctl net.ipv4.ip_forward=1); remove with `wanopt nft-rules --config FILE --remove | sh`.\n"
                + "set -e\n"
                + "while ip rule del " + ruleSelector() + " 2>/dev/null; do :; done\n"
                + "ip rule add " + ruleSelector() + "\n"
                + "ip route replace local 0.0.0.0/0 dev lo table " + settings.routeTable() + "\n"
                + "nft -f - <<'EOF'\n"
                + "table ip " + settings.nftTable() + " {}\n"
                + "delete table ip " + settings.nftTable() + "\n"
                + nftTable()
                + "EOF\n";
    }

    /** A shell script that removes what {@link #installScript} installs. */
    public String removeScript() {
        return "#!/bin/sh\n"
                + "# removes wanopt's in-path steering (table " + settings.nftTable() + ", its rule and route)\n"
                + "nft delete table ip " + settings.nftTable() + " 2>/dev/null\n"
                + "while ip rule del " + ruleSelector() + " 2>/dev/null; do :; done\n"
                + "ip route flush table " + settings.routeTable() + " 2>/dev/null\n"
                + "exit 0\n";
    }

    private String ruleSelector() {
        return "fwmark " + String.format("0x%x", settings.mark()) + " lookup " + settings.routeTable();
    }

    /**
     * Installs the steering, replacing what an earlier run of this appliance left (one nftables
     * transaction: the table is never half there).
     */
    public void install() throws IOException {
        removeRoutingRules();
        run(List.of("ip", "rule", "add", "fwmark", String.format("0x%x", settings.mark()), "lookup",
                Integer.toString(settings.routeTable())), null, false);
        run(List.of("ip", "route", "replace", "local", "0.0.0.0/0", "dev", "lo", "table",
                Integer.toString(settings.routeTable())), null, false);
        run(List.of("nft", "-f", "-"), "table ip " + settings.nftTable() + " {}\ndelete table ip "
                + settings.nftTable() + "\n" + nftTable(), false);
    }

    /** Removes the table, the rule and the route; what is already gone is no error. */
    public void remove() throws IOException {
        if (run(List.of("nft", "list", "table", "ip", settings.nftTable()), null, true) == 0) {
            run(List.of("nft", "delete", "table", "ip", settings.nftTable()), null, false);
        }
        removeRoutingRules();
        run(List.of("ip", "route", "flush", "table", Integer.toString(settings.routeTable())), null, true);
    }

    private void removeRoutingRules() throws IOException {
        List<String> delete = List.of("ip", "rule", "del", "fwmark", String.format("0x%x", settings.mark()), "lookup",
                Integer.toString(settings.routeTable()));
        int removed = 0;
        while (removed < MAX_STALE_RULES && run(delete, null, true) == 0) {
            removed++;
        }
    }

    /** Runs a command; unless {@code mayFail}, a non-zero exit is an IOException with its output. */
    private static int run(List<String> command, String input, boolean mayFail) throws IOException {
        List<String> argv = new ArrayList<>(command);
        argv.set(0, executable(command.get(0)));
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try (OutputStream stdin = process.getOutputStream()) {
            if (input != null) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
        }
        String output;
        try (InputStream out = process.getInputStream()) {
            output = new String(out.readNBytes(64 << 10), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + COMMAND_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + " interrupted", e);
        }
        int status = process.exitValue();
        if (status != 0 && !mayFail) {
            StringJoiner message = new StringJoiner(": ");
            message.add(String.join(" ", command) + " exited " + status);
            if (!output.isEmpty()) {
                message.add(output.replace('\n', ' '));
            }
            throw new IOException(message.toString());
        }
        return status;
    }

    /** {@code nft} and {@code ip} live in /usr/sbin, which a service's PATH may lack. */
    private static String executable(String name) throws IOException {
        String path = System.getenv().getOrDefault("PATH", "");
        List<String> directories = new ArrayList<>(List.of(path.split(":")));
        directories.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String directory : directories) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, name))) {
                return Path.of(directory, name).toString();
            }
        }
        throw new IOException(name + " not found (in PATH, /usr/sbin or /sbin): install "
                + (name.equals("nft") ? "nftables" : "iproute2"));
    }
}
