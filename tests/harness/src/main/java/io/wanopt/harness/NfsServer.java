package io.wanopt.harness;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * nfs-ganesha (FSAL VFS) on 127.0.0.1 exporting {@link #exportDirectory()} as {@code /export} over
 * NFSv3 and NFSv4 (TCP, AUTH_SYS, no root squash) on fixed ports, with config, log, pid file and
 * NFSv4 recovery state under the caller's directory. NLM and RQUOTA are off, so clients need only
 * the NFS and MOUNT ports.
 *
 * <p>ganesha 4.3 exits at start when it cannot register NFSv3 with rpcbind, so an rpcbind is made
 * to run (see {@link Rpcbind}); clients do not need it: {@link NfsClient} passes both ports.
 */
public final class NfsServer implements AutoCloseable {

    public static final List<String> TOOLS = List.of("ganesha.nfsd", "rpcbind", "rpcinfo", "nfs-cp", "nfs-cat");

    private static final String HOST = "127.0.0.1";
    private static final String NFS_PROGRAM = "100003";
    private static final String MOUNT_PROGRAM = "100005";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    /** A clean ganesha shutdown takes about 2 s. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    /** Registration fails when another JVM stops the shared rpcbind at the wrong moment; then retry. */
    private static final int START_ATTEMPTS = 3;
    private static final System.Logger LOG = System.getLogger(NfsServer.class.getName());

    private final Path dir;
    private final int nfsPort;
    private final int mountPort;
    private final ChildProcess ganesha;

    private NfsServer(Path dir, int nfsPort, int mountPort, ChildProcess ganesha) {
        this.dir = dir;
        this.nfsPort = nfsPort;
        this.mountPort = mountPort;
        this.ganesha = ganesha;
    }

    /**
     * Starts ganesha with its state under {@code dir}, exporting {@code dir/export} (created); waits until
     * it answers RPC NULL calls for NFSv3, NFSv4 and MOUNTv3. Files to be read must be in the export
     * directory before start: ganesha caches directories, and files changed behind its back confuse it.
     */
    public static NfsServer start(Path dir, int nfsPort, int mountPort) throws IOException {
        long begin = System.nanoTime();
        Path root = dir.toAbsolutePath();
        Files.createDirectories(exportDirectory(root));
        Files.createDirectories(root.resolve("recovery"));
        Path conf = root.resolve("ganesha.conf");
        Files.writeString(conf, config(root, nfsPort, mountPort));
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
        LOG.log(System.Logger.Level.INFO, () -> "ganesha pid " + pid + " serving " + HOST + " nfs=" + nfsPort
                + " mount=" + mountPort + " ready in " + elapsedMillis + " ms");
        return new NfsServer(root, nfsPort, mountPort, ganesha);
    }

    private static ChildProcess startGanesha(Path root, Path conf, int nfsPort, int mountPort) throws IOException {
        Path log = root.resolve("ganesha.log");
        for (int attempt = 1; ; attempt++) {
            long logOffset = Files.exists(log) ? Files.size(log) : 0;
            ChildProcess ganesha = ChildProcess.start("ganesha.nfsd", List.of(HostTools.executable("ganesha.nfsd"),
                    "-F", "-f", conf.toString(), "-L", log.toString(), "-p", root.resolve("ganesha.pid").toString(),
                    "-N", "NIV_EVENT"), root.resolve("ganesha.out"));
            try {
                Readiness.await(ganesha, "answering NFS/MOUNT NULL calls on " + HOST + ":" + nfsPort + "/" + mountPort,
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
                throw new IOException(e.getMessage() + "\nlast lines of " + log + ":\n" + lastLines(newLog, 15), e);
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

    /** SIGTERM to ganesha, waiting for its exit (SIGKILL after 10 s); then releases rpcbind. */
    @Override
    public void close() {
        try {
            ganesha.stop(STOP_GRACE);
        } finally {
            Rpcbind.release();
        }
    }

    private static boolean answers(ChildProcess ganesha, int nfsPort, int mountPort) throws IOException {
        if (!Readiness.listensAndAccepts(ganesha, HOST, nfsPort) || !Readiness.listensAndAccepts(ganesha, HOST, mountPort)) {
            return false;
        }
        String rpcinfo = HostTools.executable("rpcinfo");
        // -n: call the NULL procedure on that port directly, without asking the portmapper
        Commands.run(PROBE_TIMEOUT, List.of(rpcinfo, "-n", Integer.toString(nfsPort), "-t", HOST, NFS_PROGRAM, "3"));
        Commands.run(PROBE_TIMEOUT, List.of(rpcinfo, "-n", Integer.toString(nfsPort), "-t", HOST, NFS_PROGRAM, "4"));
        Commands.run(PROBE_TIMEOUT, List.of(rpcinfo, "-n", Integer.toString(mountPort), "-t", HOST, MOUNT_PROGRAM, "3"));
        return true;
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

    private static String config(Path root, int nfsPort, int mountPort) {
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
                """.formatted(HOST, nfsPort, mountPort, root.resolve("recovery"), exportDirectory(root));
    }
}
