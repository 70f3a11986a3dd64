package io.wanopt.harness;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** A process started by the harness, with its output (stdout and stderr) in a log file. */
public final class ChildProcess implements AutoCloseable {

    private static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);
    /** After SIGKILL the kernel needs a moment; beyond this we give up waiting and say so. */
    private static final Duration AFTER_KILL = Duration.ofSeconds(5);

    private final String name;
    private final List<String> command;
    private final Process process;
    private final Path log;

    private ChildProcess(String name, List<String> command, Process process, Path log) {
        this.name = name;
        this.command = List.copyOf(command);
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command}, appending its stdout and stderr to {@code log}; stdin is /dev/null. */
    public static ChildProcess start(String name, List<String> command, Path log) throws IOException {
        Path absoluteLog = log.toAbsolutePath();
        Files.createDirectories(absoluteLog.getParent());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(absoluteLog.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            return new ChildProcess(name, command, builder.start(), absoluteLog);
        } catch (IOException e) {
            throw new IOException("cannot start " + name + " (" + String.join(" ", command) + "): " + e.getMessage(), e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    public String name() {
        return name;
    }

    public List<String> command() {
        return command;
    }

    public Path log() {
        return log;
    }

    /** Waits up to {@code timeout} for the process to exit; true when it did. */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
    }

    /** The process's exit status; only meaningful once {@link #isAlive()} is false. */
    public int exitValue() {
        return process.exitValue();
    }

    /** The last {@code lines} lines of the log, for error messages. */
    public String logTail(int lines) {
        return tail(log, lines);
    }

    /** SIGTERM to this process and the descendants it spawned, SIGKILL after 5 s. */
    @Override
    public void close() {
        stop(DEFAULT_GRACE);
    }

    /** SIGTERM to this process and the descendants it spawned, SIGKILL to those left after {@code grace}. */
    public void stop(Duration grace) {
        terminate(List.of(process.toHandle()), grace);
    }

    /**
     * SIGTERM to {@code roots} and all their descendants (collected before any signal, since killed
     * parents orphan their children), waits up to {@code grace}, then SIGKILLs what is left and waits
     * for that too. Zombies count as gone: PID 1 on some hosts never reaps orphans.
     */
    static void terminate(List<ProcessHandle> roots, Duration grace) {
        Set<ProcessHandle> all = new LinkedHashSet<>();
        for (ProcessHandle root : roots) {
            all.add(root);
            root.descendants().forEach(all::add);
        }
        all.removeIf(handle -> !isRunning(handle));
        all.forEach(ProcessHandle::destroy);
        List<ProcessHandle> left = awaitGone(all, grace);
        left.forEach(ProcessHandle::destroyForcibly);
        List<ProcessHandle> unkillable = awaitGone(left, AFTER_KILL);
        if (!unkillable.isEmpty()) {
            System.getLogger(ChildProcess.class.getName()).log(System.Logger.Level.WARNING,
                    () -> "processes still running after SIGKILL: "
                            + unkillable.stream().map(h -> String.valueOf(h.pid())).collect(Collectors.joining(", ")));
        }
    }

    /** Alive and not a zombie (Java counts zombies as alive). */
    static boolean isRunning(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "stat"));
            int afterName = stat.lastIndexOf(')');
            char state = afterName >= 0 && afterName + 2 < stat.length() ? stat.charAt(afterName + 2) : '?';
            return state != 'Z' && state != 'X';
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return handle.isAlive();
        }
    }

    private static List<ProcessHandle> awaitGone(Collection<ProcessHandle> handles, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        List<ProcessHandle> running = new ArrayList<>(handles);
        while (true) {
            running.removeIf(handle -> !isRunning(handle));
            if (running.isEmpty() || System.nanoTime() >= deadline) {
                return running;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return running;
            }
        }
    }

    /** The last {@code lines} lines of a text file (reads at most its last 64 KiB); empty when absent. */
    static String tail(Path file, int lines) {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            int size = (int) Math.min(length, 64 * 1024);
            byte[] bytes = new byte[size];
            in.seek(length - size);
            in.readFully(bytes);
            String[] all = new String(bytes, StandardCharsets.UTF_8).split("\n");
            return String.join("\n", Arrays.asList(all).subList(Math.max(0, all.length - lines), all.length));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ")";
    }
}
