package io.wanopt.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A plain HTTP file server ({@link HttpFileServerMain}, run by this JVM's own {@code java} with the harness
 * classes on its class path) serving {@link #filesDirectory()} on 127.0.0.1:port or on an address inside a
 * {@link NetworkNamespace}. Its log and files live under the caller's directory; close() stops it by PID.
 * {@link CurlClient} is its client.
 */
public final class HttpFileServer implements AutoCloseable {

    private static final String LOOPBACK = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    /** A small JVM: it only copies files between disk and sockets. */
    private static final List<String> JVM_OPTIONS = List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    private static final System.Logger LOG = System.getLogger(HttpFileServer.class.getName());

    private final Path dir;
    private final String host;
    private final int port;
    private final ChildProcess process;

    private HttpFileServer(Path dir, String host, int port, ChildProcess process) {
        this.dir = dir;
        this.host = host;
        this.port = port;
        this.process = process;
    }

    /** Serves {@code dir/files} (created) on 127.0.0.1:{@code port}; waits until curl gets an answer. */
    public static HttpFileServer start(Path dir, int port) throws IOException {
        return launch(dir, null, LOOPBACK, port);
    }

    /**
     * Serves {@code dir/files} (created) on {@code address}:{@code port} inside {@code namespace}; waits until
     * curl run inside the namespace gets an answer.
     */
    public static HttpFileServer start(Path dir, NetworkNamespace namespace, String address, int port)
            throws IOException {
        return launch(dir, Objects.requireNonNull(namespace, "namespace"), address, port);
    }

    /** {@code namespace} null: the JVM's own. */
    private static HttpFileServer launch(Path dir, NetworkNamespace namespace, String host, int port)
            throws IOException {
        long begin = System.nanoTime();
        Path root = dir.toAbsolutePath();
        Files.createDirectories(filesDirectory(root));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.addAll(List.of("-cp", harnessClassPath(), HttpFileServerMain.class.getName(), host,
                Integer.toString(port), filesDirectory(root).toString()));
        Path log = root.resolve("http-server.log");
        ChildProcess process = namespace == null ? ChildProcess.start("http file server", command, log)
                : namespace.start("http file server", command, log);
        HttpFileServer server = new HttpFileServer(root, host, port, process);
        try {
            List<String> probe = List.of(HostTools.executable("curl"), "--silent", "--show-error", "--noproxy", "*",
                    "--max-time", "2", "--output", "/dev/null", server.url(""));
            Readiness.await(process, "answering on " + server.url(""), START_TIMEOUT, () -> {
                Commands.run(PROBE_TIMEOUT, namespace == null ? probe : namespace.command(probe));
                return true;
            });
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        long elapsedMillis = (System.nanoTime() - begin) / 1_000_000;
        String where = namespace == null ? "" : " in " + namespace.name();
        LOG.log(System.Logger.Level.INFO, () -> "http file server pid " + process.pid() + " serving " + server.url("")
                + where + ", ready in " + elapsedMillis + " ms");
        return server;
    }

    /** Where the harness classes are (its jar, or target/classes in a build), enough for the server main. */
    private static String harnessClassPath() throws IOException {
        try {
            return Path.of(HttpFileServerMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IOException("cannot locate the harness classes for " + HttpFileServerMain.class.getName(), e);
        }
    }

    /** The served directory for server directory {@code dir}, so callers can populate it before start. */
    public static Path filesDirectory(Path dir) {
        return dir.toAbsolutePath().resolve("files");
    }

    public Path filesDirectory() {
        return filesDirectory(dir);
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(host, port);
    }

    /** {@code http://host:port/name}. */
    public String url(String name) {
        return "http://" + host + ":" + port + "/" + name;
    }

    /** The server's output: its start line and failed requests. */
    public Path log() {
        return process.log();
    }

    public long pid() {
        return process.pid();
    }

    /** SIGTERM to the server JVM, SIGKILL after 5 s. */
    @Override
    public void close() {
        process.close();
    }
}
