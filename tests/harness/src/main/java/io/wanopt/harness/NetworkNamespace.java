package io.wanopt.harness;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A named network namespace ({@code ip netns}); commands run in it through {@code ip netns exec NAME}.
 * That execs the command (no fork), so a {@link ChildProcess} started this way has the command's own
 * PID and stopping it by PID stops the command. Each {@code ip netns exec} also gives the command a
 * private mount namespace with the namespace's own /sys; the file system is otherwise the host's, so
 * paths mean the same inside and out.
 */
public record NetworkNamespace(String name) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    public NetworkNamespace {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("network namespace name must match " + NAME + ": " + name);
        }
    }

    /** {@code command} prefixed with {@code ip netns exec NAME}. */
    public List<String> command(List<String> command) {
        List<String> inNamespace = new ArrayList<>(List.of(ip(), "netns", "exec", name));
        inNamespace.addAll(command);
        return inNamespace;
    }

    /**
     * Runs {@code command} in this namespace to completion; returns its stdout+stderr. Throws IOException
     * naming the command, its exit status and output tail (see {@link Commands#run(Duration, List)}).
     */
    public String run(Duration timeout, List<String> command) throws IOException {
        return Commands.run(timeout, command(command));
    }

    /** As {@link #run(Duration, List)} with {@code input} as the command's stdin. */
    public String run(Duration timeout, List<String> command, String input) throws IOException {
        return Commands.run(timeout, null, command(command), input);
    }

    /** Starts {@code command} in this namespace as a {@link ChildProcess} named {@code processName}. */
    public ChildProcess start(String processName, List<String> command, Path log) throws IOException {
        return ChildProcess.start(processName + " in " + name, command(command), log);
    }

    /** {@code ip} by absolute path when found (it lives in /usr/sbin, which a non-login PATH may lack). */
    static String ip() {
        return HostTools.find("ip").map(Path::toString).orElse("ip");
    }

    @Override
    public String toString() {
        return "network namespace " + name;
    }
}
