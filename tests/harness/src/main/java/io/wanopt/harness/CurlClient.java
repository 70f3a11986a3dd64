package io.wanopt.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * curl as a user runs it against an {@link HttpFileServer} (or anything in front of it): no proxy from the
 * environment, fails on any HTTP error status. The overloads taking a {@link NetworkNamespace} run curl
 * inside it; local files are the host's either way.
 */
public final class CurlClient {

    private static final Pattern SIMPLE_NAME = Pattern.compile("[A-Za-z0-9._-]+");

    private CurlClient() {
    }

    /** Downloads {@code http://server/remoteName} to {@code local} (replaced if it exists). */
    public static void get(InetSocketAddress server, String remoteName, Path local, Duration timeout) throws IOException {
        download(server, remoteName, local, timeout, null);
    }

    /** As {@link #get(InetSocketAddress, String, Path, Duration)}, curl running inside {@code namespace}. */
    public static void get(InetSocketAddress server, String remoteName, Path local, Duration timeout,
            NetworkNamespace namespace) throws IOException {
        Objects.requireNonNull(namespace, "namespace");
        download(server, remoteName, local, timeout, namespace);
    }

    /** Uploads {@code local} with PUT to {@code http://server/remoteName}. */
    public static void put(InetSocketAddress server, Path local, String remoteName, Duration timeout) throws IOException {
        upload(server, local, remoteName, timeout, null);
    }

    /** As {@link #put(InetSocketAddress, Path, String, Duration)}, curl running inside {@code namespace}. */
    public static void put(InetSocketAddress server, Path local, String remoteName, Duration timeout,
            NetworkNamespace namespace) throws IOException {
        upload(server, local, remoteName, timeout, Objects.requireNonNull(namespace, "namespace"));
    }

    /** {@code http://host:port/remoteName}. */
    public static String url(InetSocketAddress server, String remoteName) {
        if (!SIMPLE_NAME.matcher(remoteName).matches()) {
            throw new IllegalArgumentException("HTTP file name must match " + SIMPLE_NAME + ": " + remoteName);
        }
        return "http://" + server.getHostString() + ":" + server.getPort() + "/" + remoteName;
    }

    /** {@code namespace} null here and below: curl runs in the JVM's own network namespace. */
    private static void download(InetSocketAddress server, String remoteName, Path local, Duration timeout,
            NetworkNamespace namespace) throws IOException {
        Path target = local.toAbsolutePath();
        Files.createDirectories(target.getParent());
        run(List.of("--output", target.toString(), url(server, remoteName)), timeout, namespace);
    }

    private static void upload(InetSocketAddress server, Path local, String remoteName, Duration timeout,
            NetworkNamespace namespace) throws IOException {
        run(List.of("--upload-file", local.toAbsolutePath().toString(), "--output", "/dev/null",
                url(server, remoteName)), timeout, namespace);
    }

    private static void run(List<String> arguments, Duration timeout, NetworkNamespace namespace) throws IOException {
        List<String> command = new ArrayList<>(List.of(HostTools.executable("curl"), "--silent", "--show-error",
                "--fail", "--noproxy", "*", "--max-time", Long.toString(Math.max(1, timeout.toSeconds()))));
        command.addAll(arguments);
        // curl's own --max-time ends a slow transfer with a clear message; the outer timeout is the backstop
        Commands.run(timeout.plusSeconds(5), namespace == null ? command : namespace.command(command));
    }
}
