package io.wanopt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wanopt.config.ManagementSettings;
import io.wanopt.harness.Commands;
import io.wanopt.harness.HostTools;
import io.wanopt.harness.SshServer;
import io.wanopt.proxy.admin.Management;
import io.wanopt.proxy.admin.RecentLogs;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.logging.SimpleFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Management as an admin does it: logged in over SSH (a real OpenSSH, key only) as an account in the
 * admin group, running the installed {@code wanopt} CLI against the appliance's admin socket; a user
 * outside the group is refused by the socket's permissions.
 */
class ManagementOverSshTest {

    /** The admin account and group the test makes (like Samba's test user, they stay on the machine). */
    private static final String ADMIN_USER = "wanoptadmin";
    private static final String ADMIN_GROUP = "wanopt-admin";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void anAdminOverSshSeesPeersBytesAndLiveFlowsAndOthersAreRefused() throws Exception {
        Optional<String> unavailable = HostTools.unavailableReason(List.of("sshd", "ssh", "ssh-keygen", "useradd",
                "usermod", "groupadd", "setpriv"));
        assumeTrue(unavailable.isEmpty(), () -> unavailable.orElseThrow());
        Path install = installedCli();
        assumeTrue(install != null, "the packaged CLI (proxy/target/wanopt.jar and lib/) is not built");
        Commands.run(COMMAND_TIMEOUT, List.of(HostTools.executable("groupadd"), "-f", ADMIN_GROUP));
        try {
            Commands.run(COMMAND_TIMEOUT, List.of("id", ADMIN_USER));
        } catch (IOException missing) {
            Commands.run(COMMAND_TIMEOUT, List.of(HostTools.executable("useradd"), "-m", "-s", "/bin/sh", "-G",
                    ADMIN_GROUP, ADMIN_USER));
        }
        // Keys only: no password, but not locked ("!"), which sshd would refuse even with a good key.
        Commands.run(COMMAND_TIMEOUT, List.of(HostTools.executable("usermod"), "-p", "*", ADMIN_USER));
        // The socket's directory must be reachable by others; the socket itself is what decides.
        Path run = Files.createTempDirectory("wanopt-admin-run");
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path socket = run.resolve("admin.sock");
        // sshd reads the authorized keys as the user logging in: its directory must be reachable too.
        Path sshDir = Files.createTempDirectory("wanopt-sshd");
        Files.setPosixFilePermissions(sshDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (StreamServers.Server sink = StreamServers.sink();
                io.wanopt.harness.Sites sites = new io.wanopt.harness.Sites(dir, "").branch("branch", sink.address()).start();
                Management management = Management.start(sites.datacenter(),
                        new ManagementSettings(socket, ADMIN_GROUP, null, 100), new RecentLogs(100, new SimpleFormatter()),
                        scheduler, null);
                SshServer sshd = SshServer.start(sshDir, HostTools.freeLoopbackPort())) {
            String[] digests = StreamServers.sendToSink(sites.entry(0), TestStreams.mixed(71), 12 << 20);
            assertEquals(digests[0], digests[1]);

            String status = ssh(sshd, install, "status", "--json", "--socket", socket.toString());
            assertTrue(status.contains("\"peers\":[{\"id\":\"branch\",\"up\":true,"), status);
            Matcher lan = Pattern.compile("\"sinceStart\":\\{\"lanBytes\":(\\d+),\"wanBytes\":(\\d+)").matcher(status);
            assertTrue(lan.find(), status);
            assertTrue(Long.parseLong(lan.group(1)) >= 12 << 20, "the transfer's LAN bytes: " + status);
            assertEquals(sites.datacenter().counters().wanIn() + sites.datacenter().counters().wanOut(),
                    Long.parseLong(lan.group(2)), "WAN bytes as the appliance counts them");

            try (Socket live = new Socket(sites.entry(0).getAddress(), sites.entry(0).getPort())) {
                OutputStream out = live.getOutputStream();
                out.write(new byte[200_000]);
                out.flush();
                String flows = "";
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (!flows.contains(":" + sink.address().getPort()) && System.nanoTime() < deadline) {
                    flows = ssh(sshd, install, "flows", "--socket", socket.toString());
                }
                assertTrue(flows.lines().anyMatch(line -> line.contains(":" + sink.address().getPort() + " ")
                        && line.contains(" branch ") && line.contains(" generic ")), flows);
            }

            // With the restricted login shell, wanopt commands work and nothing else does.
            Path shell = install.resolve("wanopt-shell");
            Files.copy(Path.of(System.getProperty("user.dir")).resolve("../../config/examples/wanopt-shell").normalize(), shell);
            Files.setPosixFilePermissions(shell, PosixFilePermissions.fromString("rwxr-xr-x"));
            Commands.run(COMMAND_TIMEOUT, List.of(HostTools.executable("usermod"), "-s", shell.toString(), ADMIN_USER));
            try {
                assertTrue(sshRaw(sshd, "peers --socket " + socket).contains("branch"), "a wanopt command runs");
                IOException refusedCommand = assertThrows(IOException.class, () -> sshRaw(sshd, "cat /etc/shadow"));
                assertTrue(refusedCommand.getMessage().contains("only these wanopt commands are allowed"),
                        refusedCommand.getMessage());
            } finally {
                Commands.run(COMMAND_TIMEOUT, List.of(HostTools.executable("usermod"), "-s", "/bin/sh", ADMIN_USER));
            }

            // nobody, in the users group only, may not open the socket.
            List<String> asNobody = new ArrayList<>(List.of(HostTools.executable("setpriv"), "--reuid=65534",
                    "--regid=100", "--clear-groups", install.resolve("wanopt").toString(), "status", "--socket",
                    socket.toString()));
            IOException refused = assertThrows(IOException.class, () -> Commands.run(COMMAND_TIMEOUT, asNobody));
            assertTrue(refused.getMessage().contains("exited with status 1"), refused.getMessage());
            assertTrue(refused.getMessage().contains("permission denied"), refused.getMessage());
        } finally {
            scheduler.shutdownNow();
            deleteTree(run);
            deleteTree(sshDir);
            deleteTree(install);
        }
    }

    /** {@code ssh ADMIN_USER@127.0.0.1 wanopt ARGS}: the output, or a failure naming ssh's status and output. */
    private static String ssh(SshServer sshd, Path install, String... args) throws IOException {
        return sshRaw(sshd, install.resolve("wanopt") + " " + String.join(" ", args));
    }

    /** {@code ssh ADMIN_USER@127.0.0.1 COMMAND}, the command line as the login shell gets it. */
    private static String sshRaw(SshServer sshd, String commandLine) throws IOException {
        List<String> command = new ArrayList<>(List.of(HostTools.executable("ssh")));
        command.addAll(sshd.clientOptions());
        command.addAll(List.of("-p", Integer.toString(sshd.address().getPort()), ADMIN_USER + "@127.0.0.1", commandLine));
        return Commands.run(COMMAND_TIMEOUT, command);
    }

    /**
     * The packaged CLI (wanopt.jar and its lib/) in a directory every user can read, with a
     * {@code wanopt} script that runs it with this JVM's java: what an install puts in /usr/local.
     */
    private static Path installedCli() throws IOException {
        Path target = Path.of(System.getProperty("user.dir")).resolve("../../proxy/target").normalize();
        if (!Files.isRegularFile(target.resolve("wanopt.jar")) || !Files.isDirectory(target.resolve("lib"))) {
            return null;
        }
        Path install = Files.createTempDirectory("wanopt-cli");
        Files.setPosixFilePermissions(install, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.copy(target.resolve("wanopt.jar"), install.resolve("wanopt.jar"));
        Files.createDirectory(install.resolve("lib"));
        try (Stream<Path> jars = Files.list(target.resolve("lib"))) {
            for (Path jar : jars.toList()) {
                Files.copy(jar, install.resolve("lib").resolve(jar.getFileName()));
            }
        }
        Path script = install.resolve("wanopt");
        Files.writeString(script, "#!/bin/sh\nexec " + Path.of(System.getProperty("java.home"), "bin", "java")
                + " -XX:TieredStopAtLevel=1 -jar " + install.resolve("wanopt.jar") + " \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return install;
    }

    private static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
