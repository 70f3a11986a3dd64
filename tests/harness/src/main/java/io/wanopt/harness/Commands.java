package io.wanopt.harness;

import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command to completion with a timeout. Output goes through a temporary file rather than a
 * pipe, so a command that leaves a daemon holding its stdout cannot make the caller hang.
 */
public final class Commands {

    private static final int TAIL_LINES = 20;
    private static final Duration KILL_GRACE = Duration.ofSeconds(2);

    private Commands() {
    }

    /** Runs {@code command}; returns its stdout+stderr. Throws IOException naming the command, exit status and output tail. */
    public static String run(Duration timeout, List<String> command) throws IOException {
        return run(timeout, null, command, null);
    }

    /** As {@link #run(Duration, List)}, in {@code workDir} (null: the JVM's). */
    public static String run(Duration timeout, Path workDir, List<String> command) throws IOException {
        return run(timeout, workDir, command, null);
    }

    /** As {@link #run(Duration, Path, List)} with {@code input} (null: none) as the command's stdin. */
    public static String run(Duration timeout, Path workDir, List<String> command, String input) throws IOException {
        Path output = Files.createTempFile("wanopt-command", ".out");
        Path inputFile = input == null ? null : Files.createTempFile("wanopt-command", ".in");
        try {
            if (inputFile != null) {
                Files.writeString(inputFile, input);
            }
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(inputFile == null ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                            : ProcessBuilder.Redirect.from(inputFile.toFile()));
            if (workDir != null) {
                builder.directory(workDir.toFile());
            }
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new IOException("cannot run " + describe(command) + ": " + e.getMessage(), e);
            }
            boolean finished;
            try {
                finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                ChildProcess.terminate(List.of(process.toHandle()), KILL_GRACE);
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while running " + describe(command));
            }
            if (!finished) {
                ChildProcess.terminate(List.of(process.toHandle()), KILL_GRACE);
                throw new IOException(describe(command) + " timed out after " + timeout.toMillis() + " ms"
                        + lastLines(output));
            }
            int status = process.exitValue();
            if (status != 0) {
                throw new IOException(describe(command) + " exited with status " + status + lastLines(output));
            }
            return Files.readString(output, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(output);
            if (inputFile != null) {
                Files.deleteIfExists(inputFile);
            }
        }
    }

    /** The command line as one string, for messages. */
    static String describe(List<String> command) {
        return "'" + String.join(" ", command) + "'";
    }

    /** The output tail of a failed command, for exception messages. */
    static String tailOf(String output) {
        String[] lines = output.strip().split("\n");
        int from = Math.max(0, lines.length - TAIL_LINES);
        return output.isBlank() ? "; no output"
                : "; last output lines:\n" + String.join("\n", List.of(lines).subList(from, lines.length));
    }

    private static String lastLines(Path output) {
        return tailOf(ChildProcess.tail(output, TAIL_LINES));
    }
}
