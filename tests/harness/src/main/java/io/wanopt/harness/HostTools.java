package io.wanopt.harness;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Host facts: which commands exist, root or not, a free loopback port. */
public final class HostTools {

    /** Daemons live in the sbin directories, which a non-login PATH may lack. */
    private static final List<Path> EXTRA_DIRECTORIES = List.of(Path.of("/usr/sbin"), Path.of("/sbin"));

    private HostTools() {
    }

    /** The commands among {@code commands} not found in PATH, /usr/sbin or /sbin. */
    public static List<String> missing(String... commands) {
        List<String> missing = new ArrayList<>();
        for (String command : commands) {
            if (find(command).isEmpty()) {
                missing.add(command);
            }
        }
        return missing;
    }

    /** The commands among {@code commands} not found in PATH, /usr/sbin or /sbin. */
    public static List<String> missing(List<String> commands) {
        return missing(commands.toArray(String[]::new));
    }

    /** Whether this JVM runs with effective user id 0. */
    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] ids = line.substring(4).trim().split("\\s+");
                    return ids.length > 1 && ids[1].equals("0");
                }
            }
        } catch (IOException e) {
            // no procfs: fall through to the account name
        }
        return "root".equals(System.getProperty("user.name"));
    }

    /**
     * Why servers needing {@code commands} (and root) cannot run here, e.g. "missing smbd, smbclient
     * (./wanopt test installs them as root)"; empty when they can. Tests skip with this message.
     */
    public static Optional<String> unavailableReason(List<String> commands) {
        List<String> problems = new ArrayList<>();
        List<String> missing = missing(commands);
        if (!missing.isEmpty()) {
            problems.add("missing " + String.join(", ", missing));
        }
        if (!isRoot()) {
            problems.add("not running as root");
        }
        if (problems.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(String.join("; ", problems) + " (./wanopt test installs them as root)");
    }

    /** The absolute path of {@code command}; throws when it is in none of PATH, /usr/sbin, /sbin. */
    public static String executable(String command) throws IOException {
        return find(command).map(Path::toString).orElseThrow(() -> new IOException(
                "command not found: " + command + " (looked in PATH, /usr/sbin and /sbin)"));
    }

    /** A TCP port on 127.0.0.1 that was free a moment ago (bound with port 0, then closed). */
    public static int freeLoopbackPort() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind a probe socket on 127.0.0.1", e);
        }
    }

    /** The absolute path of {@code command} in PATH, /usr/sbin or /sbin, if any. */
    static Optional<Path> find(String command) {
        if (command.contains("/")) {
            Path path = Path.of(command);
            return Files.isExecutable(path) ? Optional.of(path.toAbsolutePath()) : Optional.empty();
        }
        Set<Path> directories = new LinkedHashSet<>();
        String pathVariable = System.getenv("PATH");
        if (pathVariable != null) {
            for (String entry : pathVariable.split(File.pathSeparator)) {
                if (!entry.isEmpty()) {
                    directories.add(Path.of(entry));
                }
            }
        }
        directories.addAll(EXTRA_DIRECTORIES);
        for (Path directory : directories) {
            Path candidate = directory.resolve(command);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }
}
