package io.wanopt.proxy.cli;

import io.wanopt.config.ConfigError;
import io.wanopt.config.InPathSettings;
import io.wanopt.config.WanoptSettings;
import io.wanopt.proxy.Daemon;
import io.wanopt.proxy.demo.Demo;
import io.wanopt.proxy.inpath.SteeringRules;
import io.wanopt.proxy.pki.Pki;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code wanopt} command: dispatches to the appliance, the demo, the WAN emulator, and the
 * administration commands (configuration check, certificates) implemented here.
 *
 * <p>Exit status: 0 on success, 2 for a mistake the user can fix (usage, configuration, files),
 * 1 for a failure at run time. Every error is one line on stderr, never a stack trace.
 */
public final class Main {

    static final int OK = 0;
    static final int RUNTIME_FAILURE = 1;
    static final int USER_ERROR = 2;

    static final String USAGE = """
            usage: wanopt <command> [arguments]
              run --config FILE                    run the appliance described by FILE
              status | peers | flows | cache [--json]   ask the running appliance (its admin socket): overview,
                                                   peers with round trip, open flows (flows --watch refreshes),
                                                   the dictionary; --socket PATH or --config FILE name it
              logs [N]                             the running appliance's last N log lines (50)
              reload                               make the running appliance re-read its site file: a bad
                                                   file is refused and the running configuration stays
              seed PATH | seed --status            learn a file or folder at this site into the dictionary and
                                                   tell the peers, so the first move of a similar VM is warm
              cache clear --yes | --status         drop every chunk the running appliance holds (progress shown)
              config check FILE                    validate FILE and print a one-line summary
              pki ca --out DIR [--name NAME]       create a CA (DIR/ca.key, DIR/ca.crt); NAME defaults to "wanopt CA"
              pki issue --ca DIR --out DIR --id ID issue DIR/ID.key and DIR/ID.crt for appliance ID
              demo [--size S --rate R --rtt T]     copy a file through two appliances over an emulated WAN
              wan-emulator --listen ADDR:PORT --to HOST:PORT --rate R --rtt T [--queue SIZE]
                                                   relay TCP through an emulated slow, long link
              inspect FILE [--json]                what a VMDK or raw disk holds and what a move would send
              nft-rules --config FILE [--remove]   print the shell commands (nft, ip) that install (or remove)
                                                   FILE's in-path steering, for admins who manage nftables
                [--if-managed]                     only where the appliance manages it (in-path.enabled and
                                                   manage-rules); otherwise print a comment, for clean-up hooks
              version                              print the version
              help                                 print this text
            """;
    private static final String DEFAULT_CA_NAME = "wanopt CA";

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command; returns the process exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(USAGE);
            return USER_ERROR;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            switch (args[0]) {
                case "help", "--help", "-h" -> {
                    out.print(USAGE);
                    return OK;
                }
                case "version", "--version" -> {
                    out.println("wanopt " + version());
                    return OK;
                }
                case "config" -> {
                    return config(rest, out);
                }
                case "pki" -> {
                    return pki(rest, out);
                }
                case "wan-emulator" -> {
                    return WanEmulatorCommand.run(rest, out, err);
                }
                case "inspect" -> {
                    return InspectCommand.run(rest, out, err);
                }
                case "run" -> {
                    return Daemon.run(rest, err);
                }
                case "status", "peers", "flows", "cache", "logs", "reload", "seed" -> {
                    return AdminClient.run(args[0], rest, out, err);
                }
                case "nft-rules" -> {
                    return nftRules(rest, out);
                }
                case "demo" -> {
                    CommandOptions options = CommandOptions.parse(rest, Set.of("--size", "--rate", "--rtt"));
                    return Demo.run(new Demo.DemoOptions(options.bytes("--size", -1), options.rate("--rate", 0),
                            options.duration("--rtt", null)), out, err);
                }
                default -> {
                    err.println("wanopt: unknown command \"" + args[0] + "\"");
                    err.print(USAGE);
                    return USER_ERROR;
                }
            }
        } catch (UsageError e) {
            err.println("wanopt " + args[0] + ": " + e.getMessage() + " (see wanopt help)");
            return USER_ERROR;
        } catch (ConfigError e) {
            err.println(e.getMessage());
            return USER_ERROR;
        } catch (IllegalArgumentException e) {
            err.println("wanopt " + args[0] + ": " + e.getMessage());
            return USER_ERROR;
        } catch (IOException e) {
            err.println("wanopt " + args[0] + ": " + describe(e));
            return USER_ERROR;
        } catch (RuntimeException e) {
            err.println("wanopt " + args[0] + ": failed: " + e);
            return RUNTIME_FAILURE;
        }
    }

    /** The version in the jar manifest; "dev" when run from classes (IDE, tests). */
    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }

    private static int config(String[] args, PrintStream out) throws UsageError, ConfigError {
        if (args.length != 2 || !args[0].equals("check")) {
            throw new UsageError("expected: config check FILE");
        }
        WanoptSettings settings = WanoptSettings.load(Path.of(args[1]));
        InPathSettings inPath = settings.inPath();
        out.println(args[1] + ": ok (appliance " + settings.applianceId() + ", " + settings.peers().size() + " peers, "
                + settings.listeners().size() + " listeners" + (inPath.enabled() ? ", in-path on "
                + String.join(", ", inPath.lanInterfaces()) + " with " + inPath.rules().size() + " rules" : "") + ")");
        return OK;
    }

    private static int nftRules(String[] args, PrintStream out) throws UsageError, ConfigError {
        List<String> rest = new ArrayList<>(List.of(args));
        boolean remove = rest.remove("--remove");
        boolean ifManaged = rest.remove("--if-managed");
        String file = required(options(rest.toArray(String[]::new), Set.of("--config")), "--config");
        WanoptSettings settings = WanoptSettings.load(Path.of(file));
        InPathSettings inPath = settings.inPath();
        if (ifManaged && !(inPath.enabled() && inPath.manageRules() && !inPath.rules().isEmpty())) {
            // A clean-up hook (the appliance unit's ExecStopPost) must leave an admin's own rules alone.
            out.println("# " + file + ": the appliance manages no in-path steering (in-path.enabled = "
                    + inPath.enabled() + ", manage-rules = " + inPath.manageRules() + ", " + inPath.rules().size()
                    + " rules): nothing to do");
            return OK;
        }
        if (inPath.rules().isEmpty()) {
            throw new UsageError(file + " has no in-path rules (wanopt.in-path.rules): nothing to steer");
        }
        SteeringRules steering = new SteeringRules(inPath);
        out.print(remove ? steering.removeScript() : steering.installScript());
        return OK;
    }

    private static int pki(String[] args, PrintStream out) throws UsageError, IOException {
        String action = args.length > 0 ? args[0] : "";
        String[] rest = args.length > 0 ? Arrays.copyOfRange(args, 1, args.length) : args;
        switch (action) {
            case "ca" -> {
                Map<String, String> options = options(rest, Set.of("--out", "--name"));
                Path dir = Path.of(required(options, "--out"));
                Pki.createCa(dir, options.getOrDefault("--name", DEFAULT_CA_NAME));
                out.println("wrote " + dir.resolve(Pki.CA_KEY) + " (keep it offline) and " + dir.resolve(Pki.CA_CERTIFICATE));
                return OK;
            }
            case "issue" -> {
                Map<String, String> options = options(rest, Set.of("--ca", "--out", "--id"));
                Path outDir = Path.of(required(options, "--out"));
                String id = required(options, "--id");
                Pki.issue(Path.of(required(options, "--ca")), outDir, id);
                out.println("wrote " + outDir.resolve(id + ".key") + " and " + outDir.resolve(id + ".crt"));
                return OK;
            }
            default -> throw new UsageError("expected: pki ca --out DIR [--name NAME] or pki issue --ca DIR --out DIR --id ID");
        }
    }

    /** Parses {@code --name value} pairs; every option at most once, none outside {@code allowed}. */
    private static Map<String, String> options(String[] args, Set<String> allowed) throws UsageError {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i];
            if (!allowed.contains(name)) {
                throw new UsageError("unknown option \"" + name + "\" (options: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
            if (i + 1 >= args.length) {
                throw new UsageError(name + " needs a value");
            }
            if (options.put(name, args[i + 1]) != null) {
                throw new UsageError(name + " given twice");
            }
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) throws UsageError {
        String value = options.get(name);
        if (value == null || value.isEmpty()) {
            throw new UsageError(name + " is required");
        }
        return value;
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException missing) {
            return missing.getFile() + ": no such file or directory";
        }
        if (e instanceof FileAlreadyExistsException exists) {
            return exists.getFile() + ": " + (exists.getReason() != null ? exists.getReason() : "already exists");
        }
        if (e instanceof AccessDeniedException denied) {
            return denied.getFile() + ": permission denied";
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /** A command line that does not match the command's usage. */
    private static final class UsageError extends Exception {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }
}
