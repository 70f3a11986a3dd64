package io.wanopt.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * libnfs {@code nfs-cp} against the {@code /export} of an {@link NfsServer} (or a relay in front of it).
 * The ports go into the URL ({@code nfsport}, and {@code mountport} for v3), so the portmapper is
 * never asked and a relay needs to carry only those ports. libnfs 4.0 speaks NFSv4.0.
 *
 * <p>Known limit: {@code put} to a name that already exists on the server fails (nfs-cp creates the
 * remote file exclusively: NFS3ERR_EXIST / NFS4ERR_EXIST, also for files removed behind ganesha's
 * directory cache), so callers put to fresh names.
 */
public final class NfsClient {

    /** NFS protocol version used by nfs-cp. */
    public enum Version { V3, V4 }

    private static final Pattern SIMPLE_NAME = Pattern.compile("[A-Za-z0-9._-]+");

    private NfsClient() {
    }

    /** Copies {@code /export/remoteName} to {@code local}, replacing {@code local} if it exists. */
    public static void get(Version version, String host, int nfsPort, int mountPort, String remoteName, Path local,
            Duration timeout) throws IOException {
        Path target = local.toAbsolutePath();
        Files.createDirectories(target.getParent());
        // Debian's nfs-cp opens the local destination with O_CREAT|O_EXCL
        Files.deleteIfExists(target);
        copy(List.of(url(version, host, nfsPort, mountPort, remoteName), target.toString()), timeout);
    }

    /** Copies {@code local} to {@code /export/remoteName}, a name that must not exist there yet. */
    public static void put(Version version, String host, int nfsPort, int mountPort, Path local, String remoteName,
            Duration timeout) throws IOException {
        copy(List.of(local.toAbsolutePath().toString(), url(version, host, nfsPort, mountPort, remoteName)), timeout);
    }

    /** The libnfs URL of {@code /export/remoteName}. */
    public static String url(Version version, String host, int nfsPort, int mountPort, String remoteName) {
        if (!SIMPLE_NAME.matcher(remoteName).matches()) {
            throw new IllegalArgumentException("NFS file name must match " + SIMPLE_NAME + ": " + remoteName);
        }
        String base = "nfs://" + host + "/export/" + remoteName + "?nfsport=" + nfsPort;
        return switch (version) {
            case V3 -> base + "&version=3&mountport=" + mountPort;
            case V4 -> base + "&version=4";
        };
    }

    private static void copy(List<String> sourceAndTarget, Duration timeout) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(HostTools.executable("nfs-cp"));
        command.addAll(sourceAndTarget);
        String output = Commands.run(timeout, command);
        // nfs-cp prints nothing on success; be strict in case a failure path exits with 0
        if (output.contains("Failed") || output.contains("failed")) {
            throw new IOException(Commands.describe(command) + " reported an error" + Commands.tailOf(output));
        }
    }
}
