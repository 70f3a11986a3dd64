package io.wanopt.harness;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Waiting for a started server to become usable, failing early when its process exits. */
final class Readiness {

    private static final int LOG_TAIL_LINES = 25;
    private static final List<Path> PROC_NET_TCP = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    /** TCP_LISTEN in the st column of /proc/net/tcp. */
    private static final String LISTEN = "0A";

    /** A readiness probe; may throw, which counts as "not yet". */
    interface Probe {
        boolean ready() throws IOException;
    }

    private Readiness() {
    }

    /**
     * Polls {@code probe} until it succeeds. Throws, with the last lines of the process's log, when the
     * process exits first or {@code timeout} passes.
     */
    static void await(ChildProcess process, String what, Duration timeout, Probe probe) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException lastFailure = null;
        while (true) {
            if (!process.isAlive()) {
                throw new IOException(process + " exited with status " + process.exitValue() + " before " + what
                        + logTail(process));
            }
            try {
                if (probe.ready()) {
                    return;
                }
            } catch (IOException e) {
                lastFailure = e;
            }
            if (System.nanoTime() >= deadline) {
                throw new IOException(process + " not " + what + " after " + timeout.toMillis() + " ms"
                        + (lastFailure == null ? "" : " (last probe: " + lastFailure.getMessage() + ")")
                        + logTail(process));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for " + process + " " + what);
            }
        }
    }

    private static String logTail(ChildProcess process) {
        String tail = process.logTail(LOG_TAIL_LINES);
        return tail.isBlank() ? "; " + process.log() + " is empty"
                : "; last lines of " + process.log() + ":\n" + tail;
    }

    /**
     * Whether {@code process} itself listens on TCP {@code port} and accepts a connection there. Only
     * a connection would also count a foreign listener on a port the process failed to bind.
     */
    static boolean listensAndAccepts(ChildProcess process, String host, int port) throws IOException {
        return holdsListeningSocket(process.pid(), port) && accepts(host, port);
    }

    /** Matches the inodes of listening sockets on {@code port} (/proc/net/tcp*) against the process's fds. */
    private static boolean holdsListeningSocket(long pid, int port) throws IOException {
        if (!Files.exists(PROC_NET_TCP.get(0))) {
            return true;  // not Linux: the connection check alone has to do
        }
        Set<String> inodes = new HashSet<>();
        for (Path table : PROC_NET_TCP) {
            if (!Files.exists(table)) {
                continue;
            }
            for (String line : Files.readAllLines(table)) {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 9 && LISTEN.equals(fields[3]) && fields[1].endsWith(":" + hexPort(port))) {
                    inodes.add("socket:[" + fields[9] + "]");
                }
            }
        }
        if (inodes.isEmpty()) {
            return false;
        }
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    if (inodes.contains(Files.readSymbolicLink(fd).toString())) {
                        return true;
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor went away while we looked
                }
            }
        } catch (NoSuchFileException exited) {
            return false;
        }
        return false;
    }

    private static String hexPort(int port) {
        return String.format("%04X", port);
    }

    /** Whether a TCP connection to {@code host:port} succeeds (closed at once). */
    static boolean accepts(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
