package io.wanopt.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * scp -C and rsync -z over ssh, pulling a remote absolute path to a local file via {@code via}
 * ({@link SshServer#address()} itself, or an emulator or appliance listener in front of it).
 */
public final class SshCopy {

    /** What rsync sent: {@code literalBytes} as data, {@code matchedBytes} reused from the old local file. */
    public record RsyncStats(long literalBytes, long matchedBytes) {
    }

    private static final Pattern LITERAL = Pattern.compile("Literal data: ([0-9,]+) bytes");
    private static final Pattern MATCHED = Pattern.compile("Matched data: ([0-9,]+) bytes");

    private SshCopy() {
    }

    /** {@code scp -C} of {@code remote} (absolute, on the server) to {@code local}. */
    public static void scpCompressed(SshServer server, InetSocketAddress via, Path remote, Path local, Duration timeout)
            throws IOException {
        Path target = prepareTarget(local);
        List<String> command = new ArrayList<>(List.of(HostTools.executable("scp"), "-C",
                "-P", Integer.toString(via.getPort())));
        command.addAll(server.clientOptions());
        command.add(remoteSpec(via, remote));
        command.add(target.toString());
        Commands.run(timeout, command);
    }

    /**
     * {@code rsync -z} of {@code remote} (absolute, on the server) to {@code local}: a delta transfer when
     * {@code local} already exists (e.g. the previous version), never skipped by rsync's size-and-time check.
     */
    public static RsyncStats rsyncCompressed(SshServer server, InetSocketAddress via, Path remote, Path local,
            Duration timeout) throws IOException {
        Path target = prepareTarget(local);
        List<String> ssh = new ArrayList<>(List.of(HostTools.executable("ssh"), "-p", Integer.toString(via.getPort())));
        ssh.addAll(server.clientOptions());
        // --ignore-times: a local file of the same size and second is still compared block by block,
        // not skipped as up to date (rsync's quick check), so the copy always ends equal to the remote.
        List<String> command = List.of(HostTools.executable("rsync"), "-z", "--ignore-times", "--stats",
                "-e", remoteShell(ssh), remoteSpec(via, remote), target.toString());
        String output = Commands.run(timeout, command);
        return new RsyncStats(bytes(LITERAL, output, command), bytes(MATCHED, output, command));
    }

    private static Path prepareTarget(Path local) throws IOException {
        Path target = local.toAbsolutePath();
        Files.createDirectories(target.getParent());
        return target;
    }

    private static String remoteSpec(InetSocketAddress via, Path remote) {
        if (!remote.isAbsolute()) {
            throw new IllegalArgumentException("remote path must be absolute: " + remote);
        }
        return SshServer.USER + "@" + via.getHostString() + ":" + remote;
    }

    /** rsync splits its -e command on spaces but keeps single-quoted words together. */
    private static String remoteShell(List<String> words) {
        List<String> quoted = new ArrayList<>();
        for (String word : words) {
            if (word.contains("'")) {
                throw new IllegalArgumentException("ssh argument unsuitable for rsync -e: " + word);
            }
            quoted.add(word.contains(" ") ? "'" + word + "'" : word);
        }
        return String.join(" ", quoted);
    }

    private static long bytes(Pattern pattern, String output, List<String> command) throws IOException {
        Matcher matcher = pattern.matcher(output);
        if (!matcher.find()) {
            throw new IOException(Commands.describe(command) + " printed no '" + pattern.pattern() + "' statistics"
                    + Commands.tailOf(output));
        }
        return Long.parseLong(matcher.group(1).replace(",", ""));
    }
}
