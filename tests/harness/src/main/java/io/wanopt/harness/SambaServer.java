package io.wanopt.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Samba smbd as a standalone server on 127.0.0.1:port (or on an address inside a
 * {@link NetworkNamespace}) with every state directory under the caller's directory; one share
 * {@value #SHARE} backed by {@link #shareDirectory()}, user {@value #USER} with password
 * {@value #PASSWORD}, SMB2 and SMB3 only.
 *
 * <p>smbd runs in the foreground <em>without</em> {@code --no-process-group}: it then leads its own
 * process group, and its SIGTERM handler (which signals its whole group) cannot reach the JVM.
 */
public final class SambaServer implements AutoCloseable {

    public static final String SHARE = "share";
    public static final String USER = "smbtest";
    public static final String PASSWORD = "Wanopt-smb-2024";
    public static final List<String> TOOLS = List.of("smbd", "smbpasswd", "smbclient");

    private static final String LOOPBACK = "127.0.0.1";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final System.Logger LOG = System.getLogger(SambaServer.class.getName());

    private final Path dir;
    private final String host;
    private final int port;
    private final ChildProcess smbd;
    private final Instant startedAt;

    private SambaServer(Path dir, String host, int port, ChildProcess smbd, Instant startedAt) {
        this.dir = dir;
        this.host = host;
        this.port = port;
        this.smbd = smbd;
        this.startedAt = startedAt;
    }

    /** Starts smbd with its state under {@code dir}; waits until it accepts connections. */
    public static SambaServer start(Path dir, int port) throws IOException {
        return start(dir, port, List.of());
    }

    /**
     * As {@link #start(Path, int)} with extra {@code [global]} lines, e.g. {@code server signing = mandatory}
     * or {@code server smb encrypt = required}.
     */
    public static SambaServer start(Path dir, int port, List<String> extraGlobal) throws IOException {
        return launch(dir, null, LOOPBACK, port, extraGlobal);
    }

    /**
     * Starts smbd inside {@code namespace}, bound to {@code address} (an address of that namespace) and
     * {@code port}; waits until an smbclient run inside the namespace lists the share.
     */
    public static SambaServer start(Path dir, NetworkNamespace namespace, String address, int port) throws IOException {
        return start(dir, namespace, address, port, List.of());
    }

    /** As {@link #start(Path, NetworkNamespace, String, int)} with extra {@code [global]} lines. */
    public static SambaServer start(Path dir, NetworkNamespace namespace, String address, int port,
            List<String> extraGlobal) throws IOException {
        return launch(dir, Objects.requireNonNull(namespace, "namespace"), address, port, extraGlobal);
    }

    /** {@code namespace} null: the JVM's own, where readiness is also checked by socket ownership. */
    private static SambaServer launch(Path dir, NetworkNamespace namespace, String host, int port,
            List<String> extraGlobal) throws IOException {
        for (String line : extraGlobal) {
            if (line.contains("\n") || line.strip().startsWith("[")) {
                throw new IllegalArgumentException("not a single [global] parameter line: " + line);
            }
        }
        long begin = System.nanoTime();
        Path root = dir.toAbsolutePath();
        for (String sub : List.of("run", "lock", "state", "cache", "private", "log", "ncalrpc", SHARE)) {
            Files.createDirectories(root.resolve(sub));
        }
        // force user = root writes the files, but guests and smbtest must be able to traverse the share
        Files.setPosixFilePermissions(root.resolve(SHARE), PosixFilePermissions.fromString("rwxrwxrwx"));
        Path conf = root.resolve("smb.conf");
        Files.writeString(conf, config(root, host, port, extraGlobal));
        ensureUnixUser();
        Commands.run(COMMAND_TIMEOUT, root, List.of(HostTools.executable("smbpasswd"), "-c", conf.toString(),
                "-a", "-s", USER), PASSWORD + "\n" + PASSWORD + "\n");
        Instant startedAt = Instant.now();
        List<String> smbdCommand = List.of(HostTools.executable("smbd"), "--foreground", "--debug-stdout",
                "-s", conf.toString());
        Path smbdLog = root.resolve("log/smbd.log");
        ChildProcess smbd = namespace == null ? ChildProcess.start("smbd", smbdCommand, smbdLog)
                : namespace.start("smbd", smbdCommand, smbdLog);
        SambaServer server = new SambaServer(root, host, port, smbd, startedAt);
        try {
            if (namespace == null) {
                Readiness.await(smbd, "accepting connections on " + host + ":" + port, START_TIMEOUT,
                        () -> Readiness.listensAndAccepts(smbd, host, port));
            } else {
                // the JVM cannot reach a namespace's addresses: ask smbclient inside the namespace
                Readiness.await(smbd, "serving share " + SHARE + " on " + host + ":" + port, START_TIMEOUT, () -> {
                    SmbClient.command(server.address(), "ls", PROBE_TIMEOUT, namespace);
                    return true;
                });
            }
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        long elapsedMillis = (System.nanoTime() - begin) / 1_000_000;
        String where = namespace == null ? "" : " in " + namespace.name();
        LOG.log(System.Logger.Level.INFO, () -> "smbd pid " + smbd.pid() + " serving " + host + ":" + port + where
                + " ready in " + elapsedMillis + " ms");
        return server;
    }

    public Path shareDirectory() {
        return dir.resolve(SHARE);
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(host, port);
    }

    /** The smb.conf this server runs with. */
    public Path configFile() {
        return dir.resolve("smb.conf");
    }

    /** smbd's own output (it logs to stdout). */
    public Path log() {
        return smbd.log();
    }

    /** The smbd process id. */
    public long pid() {
        return smbd.pid();
    }

    /**
     * Stops smbd and the helpers it spawned that recorded a pid file under {@code dir/run}: an RPC
     * request (e.g. {@code smbclient -L}) makes smbd start samba-dcerpcd in its own process group,
     * and it outlives smbd.
     */
    @Override
    public void close() {
        List<ProcessHandle> roots = new ArrayList<>();
        roots.add(smbd.handle());
        roots.addAll(helpersFromPidFiles());
        ChildProcess.terminate(roots, STOP_GRACE);
    }

    /** Running processes named by dir/run/*.pid that were started after our smbd by a Samba binary. */
    private List<ProcessHandle> helpersFromPidFiles() {
        List<ProcessHandle> helpers = new ArrayList<>();
        try (DirectoryStream<Path> pidFiles = Files.newDirectoryStream(dir.resolve("run"), "*.pid")) {
            for (Path pidFile : pidFiles) {
                readPid(pidFile).flatMap(ProcessHandle::of)
                        .filter(ChildProcess::isRunning)
                        .filter(this::isOurs)
                        .ifPresent(helpers::add);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot list pid files in " + dir.resolve("run"), e);
        }
        return helpers;
    }

    /** Guards against a recycled PID: a Samba program, started no earlier than our smbd. */
    private boolean isOurs(ProcessHandle handle) {
        ProcessHandle.Info info = handle.info();
        boolean samba = info.command().map(command -> command.contains("samba") || command.contains("smbd")
                || command.contains("rpcd")).orElse(false);
        boolean startedAfter = info.startInstant()
                .map(start -> !start.isBefore(startedAt.minusSeconds(1))).orElse(false);
        return samba && startedAfter;
    }

    private static Optional<Long> readPid(Path pidFile) {
        try {
            return Optional.of(Long.parseLong(Files.readString(pidFile).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The passdb needs a unix account of the same name; a system account without home or shell. */
    private static void ensureUnixUser() throws IOException {
        if (unixUserExists()) {
            return;
        }
        try {
            Commands.run(COMMAND_TIMEOUT, List.of(HostTools.executable("useradd"), "--system", "--no-create-home",
                    "--shell", "/usr/sbin/nologin", USER));
        } catch (IOException e) {
            // another JVM may have created it at the same moment
            if (!unixUserExists()) {
                throw e;
            }
        }
    }

    private static boolean unixUserExists() throws IOException {
        try {
            Commands.run(COMMAND_TIMEOUT, List.of(HostTools.executable("id"), "-u", USER));
            return true;
        } catch (IOException e) {
            if (e.getMessage().contains("exited with status")) {
                return false;
            }
            throw e;
        }
    }

    private static String config(Path root, String host, int port, List<String> extraGlobal) {
        StringBuilder conf = new StringBuilder();
        conf.append("[global]\n");
        List<String> global = new ArrayList<>(List.of(
                "netbios name = WANOPTTEST",
                "workgroup = WORKGROUP",
                "server role = standalone server",
                "security = user",
                "map to guest = Bad User",
                "guest account = nobody",
                "smb ports = " + port,
                "interfaces = " + host,
                "bind interfaces only = yes",
                "disable netbios = yes",
                "pid directory = " + root.resolve("run"),
                "lock directory = " + root.resolve("lock"),
                "state directory = " + root.resolve("state"),
                "cache directory = " + root.resolve("cache"),
                "private dir = " + root.resolve("private"),
                "ncalrpc dir = " + root.resolve("ncalrpc"),
                "passdb backend = tdbsam:" + root.resolve("private/passdb.tdb"),
                "log file = " + root.resolve("log/log.%m"),
                "max log size = 0",
                "log level = 1",
                "load printers = no",
                "printing = bsd",
                "printcap name = /dev/null",
                "disable spoolss = yes",
                "server min protocol = SMB2_02"));
        global.addAll(extraGlobal);
        for (String line : global) {
            conf.append("   ").append(line.strip()).append('\n');
        }
        conf.append("[").append(SHARE).append("]\n")
                .append("   path = ").append(root.resolve(SHARE)).append('\n')
                .append("   read only = no\n")
                .append("   guest ok = yes\n")
                .append("   force user = root\n");
        return conf.toString();
    }
}
