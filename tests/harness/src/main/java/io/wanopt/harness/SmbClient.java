package io.wanopt.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * smbclient as a user types it, with {@link SambaServer}'s user and password; throws on any failure
 * (non-zero exit, or an NT_STATUS_ error in its output, which smbclient sometimes reports with status 0).
 */
public final class SmbClient {

    private SmbClient() {
    }

    /**
     * Copies share file {@code remoteName} to {@code local}, connecting to {@code server} (the real
     * server, an emulator or an appliance listener).
     */
    public static void get(InetSocketAddress server, String remoteName, Path local, Duration timeout) throws IOException {
        Path target = local.toAbsolutePath();
        Files.createDirectories(target.getParent());
        run(server, "get " + quoted(remoteName) + " " + quoted(target.toString()), timeout);
    }

    /** Copies {@code local} to share file {@code remoteName} (replacing it) via {@code server}. */
    public static void put(InetSocketAddress server, Path local, String remoteName, Duration timeout) throws IOException {
        run(server, "put " + quoted(local.toAbsolutePath().toString()) + " " + quoted(remoteName), timeout);
    }

    /** Runs one smbclient command string (e.g. {@code ls}) against the share; returns smbclient's output. */
    public static String command(InetSocketAddress server, String smbCommand, Duration timeout) throws IOException {
        return run(server, smbCommand, timeout);
    }

    private static String run(InetSocketAddress server, String smbCommand, Duration timeout) throws IOException {
        List<String> command = List.of(HostTools.executable("smbclient"),
                "//" + server.getHostString() + "/" + SambaServer.SHARE,
                "-p", Integer.toString(server.getPort()),
                "-U", SambaServer.USER + "%" + SambaServer.PASSWORD,
                "-c", smbCommand);
        String output = Commands.run(timeout, command);
        if (output.contains("NT_STATUS_")) {
            throw new IOException(Commands.describe(command) + " reported an error" + Commands.tailOf(output));
        }
        return output;
    }

    /** smbclient's -c parser splits on blanks and ';' and honours double quotes. */
    private static String quoted(String name) {
        if (name.isEmpty() || name.contains("\"") || name.contains(";") || name.contains("\n")) {
            throw new IllegalArgumentException("file name unsuitable for smbclient -c: " + name);
        }
        return "\"" + name + "\"";
    }
}
