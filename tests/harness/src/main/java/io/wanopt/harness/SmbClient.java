package io.wanopt.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * smbclient as a user types it, with {@link SambaServer}'s user and password; throws on any failure
 * (non-zero exit, or an NT_STATUS_ error in its output, which smbclient sometimes reports with status 0).
 *
 * <p>Copies can be made with {@link Options} (dialect bounds, signing or encryption) and report the
 * {@link Session} smbclient actually had, read from its own debug log. Every operation can also run
 * smbclient inside a {@link NetworkNamespace} (the overloads taking one), e.g. the client namespace of
 * an {@link InPathNetwork}; local files are the host's either way.
 */
public final class SmbClient {

    /** SMB dialects as Samba names them in smb.conf, on smbclient's command line and in its log. */
    public enum Dialect { SMB2_02, SMB2_10, SMB3_00, SMB3_02, SMB3_11 }

    /** How smbclient protects the messages of its session ({@code --client-protection}). */
    public enum Protection {
        /** smbclient's defaults: signs or encrypts only what the server requires. */
        DEFAULT(null),
        /** Neither signing nor encryption unless the server insists. */
        OFF("off"),
        /** Every message signed. */
        SIGN("sign"),
        /** Every message encrypted (SMB 3 transform header). */
        ENCRYPT("encrypt");

        private final String flagValue;

        Protection(String flagValue) {
            this.flagValue = flagValue;
        }
    }

    /**
     * How smbclient connects: the lowest and highest dialect it offers (null: its default) and the
     * protection it asks for.
     */
    public record Options(Dialect minProtocol, Dialect maxProtocol, Protection protection) {

        public static final Options DEFAULT = new Options(null, null, Protection.DEFAULT);

        public Options {
            Objects.requireNonNull(protection, "protection");
            if (minProtocol != null && maxProtocol != null && minProtocol.compareTo(maxProtocol) > 0) {
                throw new IllegalArgumentException("min protocol " + minProtocol + " above max protocol " + maxProtocol);
            }
        }

        /** Offers {@code dialect} only, so the session gets exactly it or fails. */
        public static Options dialect(Dialect dialect) {
            return new Options(dialect, dialect, Protection.DEFAULT);
        }

        public static Options protection(Protection protection) {
            return new Options(null, null, protection);
        }

        public Options withMinProtocol(Dialect dialect) {
            return new Options(dialect, maxProtocol, protection);
        }

        public Options withMaxProtocol(Dialect dialect) {
            return new Options(minProtocol, dialect, protection);
        }

        public Options withProtection(Protection value) {
            return new Options(minProtocol, maxProtocol, value);
        }

        private List<String> arguments() {
            List<String> arguments = new ArrayList<>();
            if (maxProtocol != null) {
                arguments.addAll(List.of("--max-protocol", maxProtocol.name()));
            }
            if (minProtocol != null) {
                arguments.add("--option=client min protocol=" + minProtocol.name());
            }
            if (protection.flagValue != null) {
                arguments.add("--client-protection=" + protection.flagValue);
            }
            return arguments;
        }
    }

    /**
     * What one smbclient session actually got: the negotiated dialect and how many messages the
     * client sent signed or encrypted. Without signing an SMB 3.1.1 session still signs a couple of
     * set-up messages (2 seen) but no READ or WRITE; with signing every request is signed; an
     * encrypted session encrypts every message and signs none separately.
     */
    public record Session(Dialect dialect, int signedRequests, int encryptedRequests) {
    }

    /** Debug level at which smbclient logs the negotiated dialect and each message it signs or encrypts. */
    private static final String SESSION_DEBUG_LEVEL = "5";
    private static final Pattern NEGOTIATED_DIALECT = Pattern.compile("negotiated dialect\\[(\\w+)\\]");
    private static final Pattern SIGNED_MESSAGE = Pattern.compile("\\bsigned SMB2 message");
    private static final Pattern ENCRYPTED_MESSAGE = Pattern.compile("Encrypted SMB2 message");
    /** smbclient -l names its log after the program under the given directory. */
    private static final String DEBUG_LOG_NAME = "log.smbclient";
    private static final int DEBUG_LOG_TAIL_LINES = 10;

    private SmbClient() {
    }

    /**
     * Copies share file {@code remoteName} to {@code local}, connecting to {@code server} (the real
     * server, an emulator or an appliance listener).
     */
    public static void get(InetSocketAddress server, String remoteName, Path local, Duration timeout) throws IOException {
        get(server, Options.DEFAULT, remoteName, local, timeout);
    }

    /** As {@link #get(InetSocketAddress, String, Path, Duration)} with {@code options}; returns the session it had. */
    public static Session get(InetSocketAddress server, Options options, String remoteName, Path local, Duration timeout)
            throws IOException {
        return get(server, options, remoteName, local, timeout, null);
    }

    /** As {@link #get(InetSocketAddress, String, Path, Duration)}, smbclient running inside {@code namespace}. */
    public static void get(InetSocketAddress server, String remoteName, Path local, Duration timeout,
            NetworkNamespace namespace) throws IOException {
        get(server, Options.DEFAULT, remoteName, local, timeout, Objects.requireNonNull(namespace, "namespace"));
    }

    /**
     * As {@link #get(InetSocketAddress, Options, String, Path, Duration)}, smbclient running inside
     * {@code namespace} (null: the JVM's own).
     */
    public static Session get(InetSocketAddress server, Options options, String remoteName, Path local, Duration timeout,
            NetworkNamespace namespace) throws IOException {
        Path target = local.toAbsolutePath();
        Files.createDirectories(target.getParent());
        return runReportingSession(server, options, "get " + quoted(remoteName) + " " + quoted(target.toString()),
                timeout, namespace);
    }

    /** Copies {@code local} to share file {@code remoteName} (replacing it) via {@code server}. */
    public static void put(InetSocketAddress server, Path local, String remoteName, Duration timeout) throws IOException {
        put(server, Options.DEFAULT, local, remoteName, timeout);
    }

    /** As {@link #put(InetSocketAddress, Path, String, Duration)} with {@code options}; returns the session it had. */
    public static Session put(InetSocketAddress server, Options options, Path local, String remoteName, Duration timeout)
            throws IOException {
        return put(server, options, local, remoteName, timeout, null);
    }

    /** As {@link #put(InetSocketAddress, Path, String, Duration)}, smbclient running inside {@code namespace}. */
    public static void put(InetSocketAddress server, Path local, String remoteName, Duration timeout,
            NetworkNamespace namespace) throws IOException {
        put(server, Options.DEFAULT, local, remoteName, timeout, Objects.requireNonNull(namespace, "namespace"));
    }

    /**
     * As {@link #put(InetSocketAddress, Options, Path, String, Duration)}, smbclient running inside
     * {@code namespace} (null: the JVM's own).
     */
    public static Session put(InetSocketAddress server, Options options, Path local, String remoteName, Duration timeout,
            NetworkNamespace namespace) throws IOException {
        return runReportingSession(server, options,
                "put " + quoted(local.toAbsolutePath().toString()) + " " + quoted(remoteName), timeout, namespace);
    }

    /** Runs one smbclient command string (e.g. {@code ls}) against the share; returns smbclient's output. */
    public static String command(InetSocketAddress server, String smbCommand, Duration timeout) throws IOException {
        return run(server, Options.DEFAULT, List.of(), smbCommand, timeout, null);
    }

    /** As {@link #command(InetSocketAddress, String, Duration)}, smbclient running inside {@code namespace}. */
    public static String command(InetSocketAddress server, String smbCommand, Duration timeout,
            NetworkNamespace namespace) throws IOException {
        return run(server, Options.DEFAULT, List.of(), smbCommand, timeout, Objects.requireNonNull(namespace, "namespace"));
    }

    /**
     * Runs {@code smbCommand} with smbclient's debug output in a log file of its own and reads the
     * session from that log. The debug lines stay out of the output checked for NT_STATUS_ errors:
     * some name one in every good session (e.g. the Kerberos attempt smbclient makes first).
     */
    private static Session runReportingSession(InetSocketAddress server, Options options, String smbCommand,
            Duration timeout, NetworkNamespace namespace) throws IOException {
        Path logDir = Files.createTempDirectory("wanopt-smbclient");
        try {
            Path log = logDir.resolve(DEBUG_LOG_NAME);
            String output;
            try {
                output = run(server, options,
                        List.of("--debuglevel=" + SESSION_DEBUG_LEVEL, "--log-basename=" + logDir), smbCommand, timeout,
                        namespace);
            } catch (IOException e) {
                // at this debug level stdout is smb.conf parsing; the cause (e.g. a refused connection) is in the log
                throw Files.exists(log) ? new IOException(e.getMessage() + "\nlast lines of smbclient's debug log:\n"
                        + ChildProcess.tail(log, DEBUG_LOG_TAIL_LINES), e) : e;
            }
            if (!Files.exists(log)) {
                throw new IOException("smbclient wrote no debug log " + log + Commands.tailOf(output));
            }
            return session(Files.readString(log), log);
        } finally {
            FileTrees.delete(logDir);
        }
    }

    private static Session session(String debugLog, Path where) throws IOException {
        Matcher dialect = NEGOTIATED_DIALECT.matcher(debugLog);
        if (!dialect.find()) {
            throw new IOException("no negotiated dialect in smbclient's debug log " + where);
        }
        Dialect negotiated;
        try {
            negotiated = Dialect.valueOf(dialect.group(1));
        } catch (IllegalArgumentException e) {
            throw new IOException("smbclient negotiated an unknown dialect " + dialect.group(1) + " (log " + where + ")");
        }
        return new Session(negotiated, (int) SIGNED_MESSAGE.matcher(debugLog).results().count(),
                (int) ENCRYPTED_MESSAGE.matcher(debugLog).results().count());
    }

    /** {@code namespace} null: smbclient runs in the JVM's own network namespace. */
    private static String run(InetSocketAddress server, Options options, List<String> debugArguments,
            String smbCommand, Duration timeout, NetworkNamespace namespace) throws IOException {
        List<String> command = new ArrayList<>(List.of(HostTools.executable("smbclient"),
                "//" + server.getHostString() + "/" + SambaServer.SHARE,
                "-p", Integer.toString(server.getPort()),
                "-U", SambaServer.USER + "%" + SambaServer.PASSWORD));
        command.addAll(options.arguments());
        command.addAll(debugArguments);
        command.addAll(List.of("-c", smbCommand));
        if (namespace != null) {
            command = namespace.command(command);
        }
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
