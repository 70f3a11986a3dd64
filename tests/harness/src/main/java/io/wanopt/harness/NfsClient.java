package io.wanopt.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * libnfs {@code nfs-cp} against the {@code /export} of an {@link NfsServer} (or a relay in front of it).
 * With explicit ports they go into the URL ({@code nfsport}, and {@code mountport} for v3), so the
 * portmapper is never asked and a relay needs to carry only those ports. The overloads taking a
 * {@link NetworkNamespace} run nfs-cp inside it and give no ports, as a user would: v3 asks the
 * portmapper (port 111) for MOUNT and NFS, v4 goes to 2049. libnfs 4.0 speaks NFSv4.0.
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
        copy(List.of(url(version, host, nfsPort, mountPort, remoteName), target.toString()), timeout, null);
    }

    /**
     * Copies {@code /export/remoteName} on {@code host} to {@code local} (replaced if it exists), nfs-cp
     * running inside {@code namespace} with the standard ports: v3 through the portmapper, v4 to 2049.
     */
    public static void get(Version version, String host, String remoteName, Path local, Duration timeout,
            NetworkNamespace namespace) throws IOException {
        Path target = local.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Files.deleteIfExists(target);
        copy(List.of(url(version, host, remoteName), target.toString()), timeout,
                Objects.requireNonNull(namespace, "namespace"));
    }

    /** Copies {@code local} to {@code /export/remoteName}, a name that must not exist there yet. */
    public static void put(Version version, String host, int nfsPort, int mountPort, Path local, String remoteName,
            Duration timeout) throws IOException {
        copy(List.of(local.toAbsolutePath().toString(), url(version, host, nfsPort, mountPort, remoteName)), timeout,
                null);
    }

    /**
     * Copies {@code local} to {@code /export/remoteName} on {@code host} (a name that must not exist there
     * yet), nfs-cp running inside {@code namespace} with the standard ports.
     */
    public static void put(Version version, String host, Path local, String remoteName, Duration timeout,
            NetworkNamespace namespace) throws IOException {
        copy(List.of(local.toAbsolutePath().toString(), url(version, host, remoteName)), timeout,
                Objects.requireNonNull(namespace, "namespace"));
    }

    /** The libnfs URL of {@code /export/remoteName}. */
    public static String url(Version version, String host, int nfsPort, int mountPort, String remoteName) {
        String base = "nfs://" + host + "/export/" + checkedName(remoteName) + "?nfsport=" + nfsPort;
        return switch (version) {
            case V3 -> base + "&version=3&mountport=" + mountPort;
            case V4 -> base + "&version=4";
        };
    }

    /** The libnfs URL of {@code /export/remoteName} with no ports: v3 asks the portmapper, v4 uses 2049. */
    public static String url(Version version, String host, String remoteName) {
        String base = "nfs://" + host + "/export/" + checkedName(remoteName);
        return switch (version) {
            case V3 -> base + "?version=3";
            case V4 -> base + "?version=4";
        };
    }

    private static String checkedName(String remoteName) {
        if (!SIMPLE_NAME.matcher(remoteName).matches()) {
            throw new IllegalArgumentException("NFS file name must match " + SIMPLE_NAME + ": " + remoteName);
        }
        return remoteName;
    }

    /** {@code namespace} null: nfs-cp runs in the JVM's own network namespace. */
    private static void copy(List<String> sourceAndTarget, Duration timeout, NetworkNamespace namespace)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(HostTools.executable("nfs-cp"));
        command.addAll(sourceAndTarget);
        if (namespace != null) {
            command = namespace.command(command);
        }
        String output = Commands.run(timeout, command);
        // nfs-cp prints nothing on success; be strict in case a failure path exits with 0
        if (output.contains("Failed") || output.contains("failed")) {
            throw new IOException(Commands.describe(command) + " reported an error" + Commands.tailOf(output));
        }
    }
}
