package io.wanopt.protocols.disk;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the disk tools tests build fixtures with (qemu-img, mkfs.ext4, debugfs, ...), with a timeout. */
public final class ExternalCommand {

    private static final long TIMEOUT_SECONDS = 60;
    private static final List<String> SEARCH_PATH = List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
            "/usr/bin", "/sbin", "/bin");

    private ExternalCommand() {
    }

    /** Skips the calling test when {@code command} is not installed. */
    public static void assumeInstalled(String... commands) {
        for (String command : commands) {
            assumeTrue(SEARCH_PATH.stream().anyMatch(dir -> Files.isExecutable(Path.of(dir, command))),
                    command + " is not installed");
        }
    }

    /** Runs {@code command} and returns its stdout and stderr; a non-zero exit or a timeout throws. */
    public static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        // Read while the tool runs, so a chatty tool cannot block on a full pipe.
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                output.append(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                output.append("(output unreadable: ").append(e).append(')');
            }
        });
        reader.start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            reader.join(5000);
            throw new IOException(String.join(" ", command) + " timed out after " + TIMEOUT_SECONDS + " s: "
                    + tail(output.toString()));
        }
        reader.join(5000);
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + process.exitValue() + ": "
                    + tail(output.toString()));
        }
        return output.toString();
    }

    private static String tail(String output) {
        String[] lines = output.strip().split("\n");
        return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 10), lines.length));
    }
}
