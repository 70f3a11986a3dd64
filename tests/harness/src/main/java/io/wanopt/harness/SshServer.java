package io.wanopt.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

/**
 * OpenSSH sshd on 127.0.0.1:port with its own host key, config, pid file and authorized key (a client
 * key pair it makes under the caller's directory); root may log in with that key only.
 */
public final class SshServer implements AutoCloseable {

    public static final List<String> TOOLS = List.of("sshd", "ssh", "ssh-keygen", "scp", "rsync");
    /** The account clients log in as (the harness runs as root). */
    public static final String USER = "root";

    private static final String HOST = "127.0.0.1";
    /** sshd's privilege separation directory; Debian's init script normally creates it. */
    private static final Path PRIVSEP_DIRECTORY = Path.of("/run/sshd");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final System.Logger LOG = System.getLogger(SshServer.class.getName());

    private final int port;
    private final Path clientKey;
    private final ChildProcess sshd;

    private SshServer(int port, Path clientKey, ChildProcess sshd) {
        this.port = port;
        this.clientKey = clientKey;
        this.sshd = sshd;
    }

    /** Makes keys and config under {@code dir}, starts sshd and waits until it accepts connections. */
    public static SshServer start(Path dir, int port) throws IOException {
        long begin = System.nanoTime();
        Path root = dir.toAbsolutePath();
        Files.createDirectories(root);
        Files.createDirectories(PRIVSEP_DIRECTORY);
        Path hostKey = root.resolve("host_ed25519");
        Path clientKey = root.resolve("client_ed25519");
        generateKey(hostKey, "wanopt test sshd host key");
        generateKey(clientKey, "wanopt test client");
        Path authorizedKeys = root.resolve("authorized_keys");
        Files.copy(clientKey.resolveSibling(clientKey.getFileName() + ".pub"), authorizedKeys,
                StandardCopyOption.REPLACE_EXISTING);
        Path conf = root.resolve("sshd_config");
        Files.writeString(conf, String.join("\n",
                "ListenAddress " + HOST + ":" + port,
                "HostKey " + hostKey,
                "PidFile " + root.resolve("sshd.pid"),
                "AuthorizedKeysFile " + authorizedKeys,
                "PermitRootLogin prohibit-password",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                // the keys live in a test directory whose owner and modes sshd would otherwise reject
                "StrictModes no",
                "PrintMotd no",
                // scp uses the SFTP protocol since OpenSSH 9.0
                "Subsystem sftp internal-sftp",
                ""));
        // sshd re-executes itself per connection and insists on an absolute path
        ChildProcess sshd = ChildProcess.start("sshd", List.of(HostTools.executable("sshd"), "-D", "-e",
                "-f", conf.toString()), root.resolve("sshd.log"));
        try {
            Readiness.await(sshd, "accepting connections on " + HOST + ":" + port, START_TIMEOUT,
                    () -> Readiness.listensAndAccepts(sshd, HOST, port));
        } catch (IOException | RuntimeException e) {
            sshd.close();
            throw e;
        }
        long elapsedMillis = (System.nanoTime() - begin) / 1_000_000;
        LOG.log(System.Logger.Level.INFO, () -> "sshd pid " + sshd.pid() + " serving " + HOST + ":" + port
                + " ready in " + elapsedMillis + " ms");
        return new SshServer(port, clientKey, sshd);
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(HOST, port);
    }

    /** The private key authorized for {@value #USER}. */
    public Path clientKey() {
        return clientKey;
    }

    /** The ssh options a client needs: -i key, no host key checking, no known_hosts file, batch mode. */
    public List<String> clientOptions() {
        return List.of("-i", clientKey.toString(),
                "-o", "IdentitiesOnly=yes",
                "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes",
                "-o", "LogLevel=ERROR");
    }

    /** sshd's log ({@code -e}: to stderr, captured here). */
    public Path log() {
        return sshd.log();
    }

    /** The sshd process id. */
    public long pid() {
        return sshd.pid();
    }

    /** SIGTERM to sshd and its per-connection children, SIGKILL after 5 s. */
    @Override
    public void close() {
        sshd.close();
    }

    private static void generateKey(Path key, String comment) throws IOException {
        Files.deleteIfExists(key);
        Files.deleteIfExists(key.resolveSibling(key.getFileName() + ".pub"));
        Commands.run(COMMAND_TIMEOUT, List.of(HostTools.executable("ssh-keygen"), "-q", "-t", "ed25519", "-N", "",
                "-C", comment, "-f", key.toString()));
    }
}
