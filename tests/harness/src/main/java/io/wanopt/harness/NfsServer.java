package io.wanopt.harness;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * nfs-ganesha (FSAL VFS) on 127.0.0.1 exporting {@link #exportDirectory()} as {@code /export} over
 * NFSv3 and NFSv4 (TCP, AUTH_SYS, no root squash) on fixed ports, with config, log, pid file and
 * NFSv4 recovery state under the caller's directory. NLM and RQUOTA are off, so clients need only
 * the NFS and MOUNT ports.
 *
 * <p>ganesha 4.3 exits at start when it cannot register NFSv3 with rpcbind, so an rpcbind is made
 * to run. On loopback that is the host's shared one (see {@link Rpcbind}); clients do not need it:
 * {@link NfsClient} passes both ports. Inside a {@link NetworkNamespace} the server gets an rpcbind of
 * its own (private /run, see {@link Rpcbind#startPrivate}) that serves as the namespace's portmapper,
 * so clients can find the ports the usual way.
 */
public final class NfsServer implements AutoCloseable {

    public static final List<String> TOOLS = List.of("ganesha.nfsd", "rpcbind", "rpcinfo", "nfs-cp", "nfs-cat");
    /** The standard NFS port, where NFSv4 clients connect when given no port. */
    public static final int NFS_PORT = 2049;
    /** The MOUNT port of a server in a namespace (NFSv3 clients learn it from the portmapper). */
    public static final int MOUNT_PORT = 20048;

    private static final String LOOPBACK = "127.0.0.1";
    private static final String NFS_PROGRAM = "100003";
    private static final String MOUNT_PROGRAM = "100005";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    /** A clean ganesha shutdown takes about 2 s. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    /** Registration fails when another JVM stops the shared rpcbind at the wrong moment; then retry. */
    private static final int START_ATTEMPTS = 3;
    private static final int LOG_TAIL_LINES = 15;
    private static final System.Logger LOG = System.getLogger(NfsServer.class.getName());

    private final Path dir;
    private final String host;
    private final int nfsPort;
    private final int mountPort;
    private final ChildProcess ganesha;
    /** The rpcbind of this server's namespace; null on loopback, where the shared {@link Rpcbind} is leased. */
    private final ChildProcess privateRpcbind;

    private NfsServer(Path dir, String host, int nfsPort, int mountPort, ChildProcess ganesha,
            ChildProcess privateRpcbind) {
        this.dir = dir;
        this.host = host;
        this.nfsPort = nfsPort;
        this.mountPort = mountPort;
        this.ganesha = ganesha;
        this.privateRpcbind = privateRpcbind;
    }

    /**
     * Starts ganesha with its state under {@code dir}, exporting {@code dir/export} (created); waits until
     * it answers RPC NULL calls for NFSv3, NFSv4 and MOUNTv3. Files to be read must be in the export
     * directory before start: ganesha caches directories, and files changed behind its back confuse it.
     */
    public static NfsServer start(Path dir, int nfsPort, int mountPort) throws IOException {
        long begin = System.nanoTime();
        Path root = dir.toAbsolutePath();
        Path conf = prepare(root, LOOPBACK, nfsPort, mountPort);
        Rpcbind.acquire(root);
        ChildProcess ganesha = null;
        try {
            ganesha = startGanesha(root, conf, nfsPort, mountPort);
        } finally {
            if (ganesha == null) {
                Rpcbind.release();
            }
        }
        long elapsedMillis = (System.nanoTime() - begin) / 1_000_000;
        long pid = ganesha.pid();
        LOG.log(System.Logger.Level.INFO, () -> "ganesha pid " + pid + " serving " + LOOPBACK + " nfs=" + nfsPort
                + " mount=" + mountPort + " ready in " + elapsedMillis + " ms");
        return new NfsServer(root, LOOPBACK, nfsPort, mountPort, ganesha, null);
    }

    /** As {@link #start(Path, NetworkNamespace, String, int, int)} on ports {@value #NFS_PORT} and {@value #MOUNT_PORT}. */
    public static NfsServer start(Path dir, NetworkNamespace namespace, String address) throws IOException {
        return start(dir, namespace, address, NFS_PORT, MOUNT_PORT);
    }

    /**
     * Starts ganesha inside {@code namespace}, bound to {@code address} (an address of that namespace),
     * together with an rpcbind of its own there (port 111 on every address of the namespace); waits until,
     * from inside the namespace, NFSv3, NFSv4 and MOUNTv3 answer NULL calls on their ports and the
     * portmapper knows them. ganesha joins rpcbind's mount namespace (nsenter), so both see the same
     * private /run and ganesha registers with this rpcbind, never the host's. close() stops both, by PID.
     * As on loopback, files to be read must be in the export directory before start.
     */
    public static NfsServer start(Path dir, NetworkNamespace namespace, String address, int nfsPort, int mountPort)
            throws IOException {
        long begin = System.nanoTime();
        Path root = dir.toAbsolutePath();
        Path conf = prepare(root, address, nfsPort, mountPort);
        Path log = root.resolve("ganesha.log");
        long logOffset = Files.exists(log) ? Files.size(log) : 0;
        ChildProcess rpcbind = Rpcbind.startPrivate(namespace, address, root);
        ChildProcess ganesha = null;
        try {
            ganesha = ChildProcess.start("ganesha.nfsd in " + namespace.name(),
                    Rpcbind.joinCommand(rpcbind, ganeshaCommand(root, conf)), root.resolve("ganesha.out"));
            Readiness.await(ganesha, "answering NFS/MOUNT NULL calls on " + address + ":" + nfsPort + "/" + mountPort
                    + " and through the portmapper", START_TIMEOUT,
                    () -> answersInNamespace(namespace, address, nfsPort, mountPort));
        } catch (IOException | RuntimeException e) {
            if (ganesha != null) {
                ganesha.stop(STOP_GRACE);
            }
            rpcbind.close();
            // ganesha reports start-up failures in its -L log, not on stdout
            throw new IOException(e.getMessage() + "\nlast lines of " + log + ":\n"
                    + lastLines(logSince(log, logOffset), LOG_TAIL_LINES), e);
        }
        long elapsedMillis = (System.nanoTime() - begin) / 1_000_000;
        long pid = ganesha.pid();
        LOG.log(System.Logger.Level.INFO, () -> "ganesha pid " + pid + " with rpcbind pid " + rpcbind.pid()
                + " serving " + address + " nfs=" + nfsPort + " mount=" + mountPort + " in " + namespace.name()
                + ", ready in " + elapsedMillis + " ms");
        return new NfsServer(root, address, nfsPort, mountPort, ganesha, rpcbind);
    }

    /** Creates the export and recovery directories and writes the config; returns the config file. */
    private static Path prepare(Path root, String host, int nfsPort, int mountPort) throws IOException {
        Files.createDirectories(exportDirectory(root));
        Files.createDirectories(root.resolve("recovery"));
        Path conf = root.resolve("ganesha.conf");
        Files.writeString(conf, config(root, host, nfsPort, mountPort));
        return conf;
    }

    private static List<String> ganeshaCommand(Path root, Path conf) throws IOException {
        return List.of(HostTools.executable("ganesha.nfsd"), "-F", "-f", conf.toString(),
                "-L", root.resolve("ganesha.log").toString(), "-p", root.resolve("ganesha.pid").toString(),
                "-N", "NIV_EVENT");
    }

    private static ChildProcess startGanesha(Path root, Path conf, int nfsPort, int mountPort) throws IOException {
        Path log = root.resolve("ganesha.log");
        for (int attempt = 1; ; attempt++) {
            long logOffset = Files.exists(log) ? Files.size(log) : 0;
            ChildProcess ganesha = ChildProcess.start("ganesha.nfsd", ganeshaCommand(root, conf),
                    root.resolve("ganesha.out"));
            try {
                Readiness.await(ganesha, "answering NFS/MOUNT NULL calls on " + LOOPBACK + ":" + nfsPort + "/" + mountPort,
                        START_TIMEOUT, () -> answers(ganesha, nfsPort, mountPort));
                return ganesha;
            } catch (IOException | RuntimeException e) {
                boolean exitedByItself = !ganesha.isAlive();
                ganesha.stop(STOP_GRACE);
                String newLog = logSince(log, logOffset);
                if (attempt < START_ATTEMPTS && exitedByItself && newLog.contains("Cannot register")) {
                    LOG.log(System.Logger.Level.WARNING, "ganesha could not register with rpcbind, retrying");
                    Rpcbind.ensureRunning(root);
                    continue;
                }
                // ganesha reports start-up failures in its -L log, not on stdout
                throw new IOException(e.getMessage() + "\nlast lines of " + log + ":\n"
                        + lastLines(newLog, LOG_TAIL_LINES), e);
            }
        }
    }

    /** The export directory for server directory {@code dir}, so callers can populate it before start. */
    public static Path exportDirectory(Path dir) {
        return dir.toAbsolutePath().resolve("export");
    }

    public Path exportDirectory() {
        return exportDirectory(dir);
    }

    /** The address ganesha binds: 127.0.0.1, or the namespace address it was started on. */
    public String host() {
        return host;
    }

    public int nfsPort() {
        return nfsPort;
    }

    public int mountPort() {
        return mountPort;
    }

    /** ganesha's own log ({@code -L}). */
    public Path log() {
        return dir.resolve("ganesha.log");
    }

    /** The ganesha.nfsd process id. */
    public long pid() {
        return ganesha.pid();
    }

    /**
     * SIGTERM to ganesha, waiting for its exit (SIGKILL after 10 s); then stops this server's own rpcbind
     * (in a namespace) or releases the shared one (loopback).
     */
    @Override
    public void close() {
        try {
            ganesha.stop(STOP_GRACE);
        } finally {
            if (privateRpcbind != null) {
                privateRpcbind.close();
            } else {
                Rpcbind.release();
            }
        }
    }

    private static boolean answers(ChildProcess ganesha, int nfsPort, int mountPort) throws IOException {
        if (!Readiness.listensAndAccepts(ganesha, LOOPBACK, nfsPort)
                || !Readiness.listensAndAccepts(ganesha, LOOPBACK, mountPort)) {
            return false;
        }
        for (List<String> probe : directNullCalls(LOOPBACK, nfsPort, mountPort)) {
            Commands.run(PROBE_TIMEOUT, probe);
        }
        return true;
    }

    /**
     * From inside {@code namespace} (the JVM cannot reach its addresses): NULL calls straight to the
     * configured ports, then through the portmapper, which proves ganesha registered there.
     */
    private static boolean answersInNamespace(NetworkNamespace namespace, String address, int nfsPort, int mountPort)
            throws IOException {
        String rpcinfo = HostTools.executable("rpcinfo");
        List<List<String>> probes = new ArrayList<>(directNullCalls(address, nfsPort, mountPort));
        probes.add(List.of(rpcinfo, "-t", address, NFS_PROGRAM, "3"));
        probes.add(List.of(rpcinfo, "-t", address, MOUNT_PROGRAM, "3"));
        for (List<String> probe : probes) {
            namespace.run(PROBE_TIMEOUT, probe);
        }
        return true;
    }

    /** rpcinfo -n: calls the NULL procedure on that port directly, without asking the portmapper. */
    private static List<List<String>> directNullCalls(String host, int nfsPort, int mountPort) throws IOException {
        String rpcinfo = HostTools.executable("rpcinfo");
        return List.of(
                List.of(rpcinfo, "-n", Integer.toString(nfsPort), "-t", host, NFS_PROGRAM, "3"),
                List.of(rpcinfo, "-n", Integer.toString(nfsPort), "-t", host, NFS_PROGRAM, "4"),
                List.of(rpcinfo, "-n", Integer.toString(mountPort), "-t", host, MOUNT_PROGRAM, "3"));
    }

    private static String logSince(Path log, long offset) {
        try (InputStream in = Files.newInputStream(log)) {
            in.skipNBytes(Math.min(offset, Files.size(log)));
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    private static String lastLines(String text, int count) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
    }

    private static String config(Path root, String host, int nfsPort, int mountPort) {
        return """
                NFS_CORE_PARAM {
                    Bind_addr = %1$s;
                    NFS_Port = %2$d;
                    MNT_Port = %3$d;
                    Enable_NLM = false;
                    Enable_RQUOTA = false;
                    Enable_UDP = false;
                    Protocols = 3, 4;
                    # the v3 MOUNT path equals the v4 pseudo path: /export for both
                    mount_path_pseudo = true;
                }
                NFSV4 {
                    # no grace period at start: the server is new, there is no client state to reclaim
                    Graceless = true;
                    RecoveryBackend = fs;
                    RecoveryRoot = "%4$s";
                }
                NFS_KRB5 { Active_krb5 = false; }
                EXPORT {
                    Export_Id = 1;
                    Path = "%5$s";
                    Pseudo = /export;
                    Access_Type = RW;
                    Squash = No_Root_Squash;
                    SecType = sys;
                    Protocols = 3, 4;
                    Transports = TCP;
                    FSAL { Name = VFS; }
                }
                LOG { Default_Log_Level = EVENT; }
                """.formatted(host, nfsPort, mountPort, root.resolve("recovery"), exportDirectory(root));
    }
}
