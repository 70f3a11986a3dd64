package io.wanopt.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Everything one appliance reads from its site file, validated as a whole.
 *
 * <p>The site file is laid over {@code reference.conf} (which holds every default) and every key is
 * read and checked when the settings are made, so a bad file fails at start with one line naming the
 * file, line, key and problem, never later in the middle of traffic. Relative paths (TLS files, the
 * store) are resolved against the directory of the site file.
 *
 * @param inPath {@code wanopt.in-path}
 * @param protocols {@code wanopt.protocols}
 * @param smartRead {@code wanopt.smartread}
 * @param maxBuffered {@code memory.max-buffered}: LAN bytes this appliance may buffer across all flows
 * @param summaryInterval {@code stats.summary-interval}
 * @param management {@code wanopt.management}
 * @param origin the file the settings came from, or the description given to {@link #parse}
 */
public record WanoptSettings(
        String applianceId,
        TlsSettings tls,
        List<PeerSettings> peers,
        List<ListenerSettings> listeners,
        InPathSettings inPath,
        TunnelSettings tunnel,
        ChunkingSettings chunking,
        StoreSettings store,
        CompressionSettings compression,
        ProtocolSettings protocols,
        SmartReadSettings smartRead,
        long maxBuffered,
        Duration summaryInterval,
        ManagementSettings management,
        String origin) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public WanoptSettings {
        peers = List.copyOf(peers);
        listeners = List.copyOf(listeners);
    }

    /** Reads and validates a site file. */
    public static WanoptSettings load(Path file) throws ConfigError {
        String origin = file.toString();
        checkReadable(file, origin);
        Config parsed;
        try {
            parsed = ConfigFactory.parseFile(file.toFile(),
                    ConfigParseOptions.defaults().setAllowMissing(false).setSyntax(ConfigSyntax.CONF));
        } catch (ConfigException e) {
            throw SettingsReader.translate(e, origin);
        }
        return SettingsReader.read(parsed, origin, file.toAbsolutePath().getParent());
    }

    /**
     * Reads and validates settings given as HOCON text (tests, tools). {@code originDescription}
     * stands for the file name in error messages; relative paths resolve against the working directory.
     */
    public static WanoptSettings parse(String hocon, String originDescription) throws ConfigError {
        Config parsed;
        try {
            parsed = ConfigFactory.parseString(hocon,
                    ConfigParseOptions.defaults().setOriginDescription(originDescription).setSyntax(ConfigSyntax.CONF));
        } catch (ConfigException e) {
            throw SettingsReader.translate(e, originDescription);
        }
        return SettingsReader.read(parsed, originDescription, Path.of("").toAbsolutePath());
    }

    /** Whether {@code id} may name an appliance: 1 to 64 letters, digits, '.', '_' or '-'. */
    public static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** The configured peer with this id, or null when there is none. */
    public PeerSettings peer(String id) {
        for (PeerSettings peer : peers) {
            if (peer.id().equals(id)) {
                return peer;
            }
        }
        return null;
    }

    /** The literal compression towards {@code peer}: {@code auto} becomes zstd on slow links, LZ4 on fast ones. */
    public Compression effectiveCompression(PeerSettings peer) {
        if (peer.compression() != Compression.AUTO) {
            return peer.compression();
        }
        return peer.linkRateBitsPerSecond() < compression.slowLinkBelowBitsPerSecond() ? Compression.ZSTD : Compression.LZ4;
    }

    private static void checkReadable(Path file, String origin) throws ConfigError {
        if (Files.isDirectory(file)) {
            throw new ConfigError(origin + ": cannot read: is a directory");
        }
        try {
            Files.newInputStream(file).close();
        } catch (NoSuchFileException e) {
            throw new ConfigError(origin + ": cannot read: no such file");
        } catch (AccessDeniedException e) {
            throw new ConfigError(origin + ": cannot read: permission denied");
        } catch (IOException e) {
            throw new ConfigError(origin + ": cannot read: " + e.getMessage());
        }
    }
}
