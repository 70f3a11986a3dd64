package io.wanopt.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The host's one rpcbind (it always binds *:111; {@code -h} aborts on Debian 12). ganesha needs it
 * when it starts with NFSv3 (it exits if it cannot register), not afterwards. NfsServers in this JVM
 * share it: the first starts it when none runs, the last to release it stops it again. An rpcbind
 * that was already running is used and left alone.
 *
 * <p>Inside a network namespace a server gets a private rpcbind instead ({@link #startPrivate}).
 */
final class Rpcbind {

    private static final Path SOCKET = Path.of("/run/rpcbind.sock");
    /**
     * Run by {@code sh} inside the namespace ($0 = the rpcbind binary): a tmpfs over /run in the private
     * mount namespace {@code ip netns exec} made, the state directory {@code -w} needs, then exec, so the
     * shell's PID becomes rpcbind's.
     */
    private static final String PRIVATE_RUN_SCRIPT =
            "mount -t tmpfs -o mode=0755,size=4m wanopt-rpcbind-run /run && mkdir /run/rpcbind && exec \"$0\" -f -w";
    private static final Path STATE_DIRECTORY = Path.of("/run/rpcbind");
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final System.Logger LOG = System.getLogger(Rpcbind.class.getName());

    private static ChildProcess ours;
    private static int leases;

    private Rpcbind() {
    }

    /** Makes sure an rpcbind runs; pair with {@link #release()}. {@code logDirectory} gets our rpcbind's log. */
    static synchronized void acquire(Path logDirectory) throws IOException {
        ensureRunning(logDirectory);
        leases++;
    }

    /** Starts an rpcbind when none answers (e.g. another process stopped the one in use). */
    static synchronized void ensureRunning(Path logDirectory) throws IOException {
        if (ours != null && !ours.isAlive()) {
            ours = null;
        }
        if (ours == null && !running()) {
            start(logDirectory);
        }
    }

    /** Drops one lease; the last one stops the rpcbind this JVM started, if any. */
    static synchronized void release() {
        if (leases > 0) {
            leases--;
        }
        if (leases == 0 && ours != null) {
            ours.close();
            ours = null;
            try {
                // rpcbind leaves its socket behind on SIGTERM
                Files.deleteIfExists(SOCKET);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot remove stale " + SOCKET, e);
            }
        }
    }

    /** Whether some rpcbind answers on 127.0.0.1. */
    static boolean running() throws IOException {
        try {
            Commands.run(PROBE_TIMEOUT, List.of(HostTools.executable("rpcinfo"), "-p", "127.0.0.1"));
            return true;
        } catch (IOException e) {
            if (e.getMessage().contains("exited with status")) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Starts an rpcbind of its own inside {@code namespace} (it binds *:111 there) with a private /run:
     * a tmpfs mounted in the mount namespace that {@code ip netns exec} gives it, so its socket, lock and
     * registrations never touch the host's /run or another rpcbind, and vanish with it. A daemon that
     * registers through its socket (ganesha) must run in the same mount namespace: {@link #joinCommand}.
     * Returns once it answers on {@code address}:111 inside the namespace; stop it with close().
     */
    static ChildProcess startPrivate(NetworkNamespace namespace, String address, Path logDirectory) throws IOException {
        long begin = System.nanoTime();
        ChildProcess rpcbind = namespace.start("rpcbind", List.of(HostTools.executable("sh"), "-c",
                PRIVATE_RUN_SCRIPT, HostTools.executable("rpcbind")), logDirectory.resolve("rpcbind.log"));
        try {
            List<String> probe = List.of(HostTools.executable("rpcinfo"), "-p", address);
            Readiness.await(rpcbind, "answering on " + address + ":111", START_TIMEOUT, () -> {
                namespace.run(PROBE_TIMEOUT, probe);
                return true;
            });
        } catch (IOException | RuntimeException e) {
            rpcbind.close();
            throw e;
        }
        long elapsedMillis = (System.nanoTime() - begin) / 1_000_000;
        LOG.log(System.Logger.Level.INFO, () -> "rpcbind pid " + rpcbind.pid() + " in " + namespace.name()
                + " started in " + elapsedMillis + " ms");
        return rpcbind;
    }

    /**
     * {@code command} run in the network and mount namespaces of {@code privateRpcbind} (nsenter execs
     * it, so the PID stays the command's own), where it sees that rpcbind's /run.
     */
    static List<String> joinCommand(ChildProcess privateRpcbind, List<String> command) throws IOException {
        List<String> joined = new ArrayList<>(List.of(HostTools.executable("nsenter"),
                "--target", Long.toString(privateRpcbind.pid()), "--mount", "--net", "--"));
        joined.addAll(command);
        return joined;
    }

    private static void start(Path logDirectory) throws IOException {
        long begin = System.nanoTime();
        Files.createDirectories(STATE_DIRECTORY);
        ChildProcess rpcbind = ChildProcess.start("rpcbind", List.of(HostTools.executable("rpcbind"), "-f", "-w"),
                logDirectory.resolve("rpcbind.log"));
        try {
            Readiness.await(rpcbind, "answering on 127.0.0.1:111", START_TIMEOUT, Rpcbind::running);
        } catch (IOException e) {
            rpcbind.close();
            // another process may have won the race for port 111: use that one
            if (running()) {
                return;
            }
            throw e;
        }
        ours = rpcbind;
        long elapsedMillis = (System.nanoTime() - begin) / 1_000_000;
        LOG.log(System.Logger.Level.INFO, () -> "rpcbind pid " + rpcbind.pid() + " started in " + elapsedMillis + " ms");
    }
}
