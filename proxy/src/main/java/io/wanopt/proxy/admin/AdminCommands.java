package io.wanopt.proxy.admin;

import io.wanopt.cache.codec.CodecCounters;
import io.wanopt.cache.store.ChunkStoreStats;
import io.wanopt.config.ConfigError;
import io.wanopt.config.PeerSettings;
import io.wanopt.config.WanoptSettings;
import io.wanopt.proxy.Appliance;
import io.wanopt.proxy.TrafficCounters;
import io.wanopt.proxy.inpath.InPathCounters;
import io.wanopt.proxy.tunnel.FlowSnapshot;
import io.wanopt.proxy.tunnel.PeerStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The commands the admin socket answers, as the {@code wanopt} CLI sends them: {@code status},
 * {@code peers}, {@code flows}, {@code cache} (each with {@code --json}), {@code logs [N]} and
 * {@code reload}. Tables for people, JSON for scripts; the reply's status is 0, 1 when a reload was
 * refused, or 2 for a command this daemon does not know.
 */
public final class AdminCommands {

    /** What a command printed and its exit status. */
    public record Reply(int status, String text) {
    }

    private static final int DEFAULT_LOG_LINES = 50;
    private static final Duration FLOW_SNAPSHOT_TIMEOUT = Duration.ofSeconds(2);

    private final Appliance appliance;
    private final TrafficHistory history;
    private final RecentLogs logs;
    /** The site file {@code reload} re-reads, or null when the appliance was not started from one. */
    private final Path configFile;
    private final Seeder seeder;
    /** The last {@code cache clear}, or null when none ran since start. */
    private volatile CompletableFuture<Long> clearing;
    private volatile long chunksBeforeClear;

    public AdminCommands(Appliance appliance, TrafficHistory history, RecentLogs logs, Path configFile, Seeder seeder) {
        this.appliance = appliance;
        this.history = history;
        this.logs = logs;
        this.configFile = configFile;
        this.seeder = seeder;
    }

    /** Runs {@code args} (the command and its options). */
    public Reply run(List<String> args) throws InterruptedException {
        if (args.isEmpty()) {
            return usage("no command");
        }
        List<String> options = args.subList(1, args.size());
        boolean json = options.contains("--json");
        String command = args.get(0);
        if (command.equals("cache") && !options.isEmpty() && options.get(0).equals("clear")) {
            return cacheClear(options.subList(1, options.size()));
        }
        switch (command) {
            case "status", "peers", "flows", "cache" -> {
                if (options.stream().anyMatch(option -> !option.equals("--json"))) {
                    return usage(command + " takes only --json");
                }
                return new Reply(0, switch (command) {
                    case "status" -> json ? statusJson() : status();
                    case "peers" -> json ? peersJson() : peers();
                    case "flows" -> flows(json);
                    default -> json ? cacheJson() : cache();
                });
            }
            case "seed" -> {
                return seed(options);
            }
            case "reload" -> {
                return options.isEmpty() ? reload() : usage("reload takes no options");
            }
            case "logs" -> {
                int count = DEFAULT_LOG_LINES;
                if (options.size() > 1 || options.size() == 1 && !options.get(0).matches("\\d{1,6}")) {
                    return usage("logs takes a number of lines");
                }
                if (options.size() == 1) {
                    count = Integer.parseInt(options.get(0));
                }
                StringBuilder text = new StringBuilder();
                logs.last(count).forEach(line -> text.append(line).append('\n'));
                return new Reply(0, text.toString());
            }
            default -> {
                return usage("unknown command \"" + command + "\"");
            }
        }
    }

    private static Reply usage(String problem) {
        return new Reply(2, problem + " (the appliance answers: status, peers, flows, cache [--json], cache clear --yes|--status, logs [N], reload, seed PATH|--status)\n");
    }

    // ---- cache clear ----

    private synchronized Reply cacheClear(List<String> options) {
        if (options.equals(List.of("--status"))) {
            return new Reply(0, describeClear());
        }
        if (!options.equals(List.of("--yes"))) {
            return usage("cache clear drops every chunk this appliance holds (peers get what they still reference "
                    + "repaired); confirm with cache clear --yes");
        }
        if (clearing == null || clearing.isDone()) {
            chunksBeforeClear = appliance.store().stats().chunks();
            clearing = appliance.store().clear();
        }
        return new Reply(0, describeClear());
    }

    /** One line; {@code AdminClient} polls until it no longer says "running". */
    private String describeClear() {
        CompletableFuture<Long> current = clearing;
        if (current == null) {
            return "no cache clear since start\n";
        }
        if (!current.isDone()) {
            return String.format(Locale.ROOT, "cache clear: running, %d of %d chunks left%n",
                    appliance.store().stats().chunks(), chunksBeforeClear);
        }
        try {
            return String.format(Locale.ROOT, "cache clear: done, %d chunks dropped%n", current.join());
        } catch (CompletionException | CancellationException e) {
            return "cache clear: failed (" + (e.getCause() == null ? e : e.getCause()).getMessage() + ")\n";
        }
    }

    // ---- seed ----

    private Reply seed(List<String> options) {
        if (options.size() != 1) {
            return usage("seed takes an absolute PATH, or --status");
        }
        if (options.get(0).equals("--status")) {
            Seeder.Progress progress = seeder.progress();
            return new Reply(0, progress == null ? "no seed since start\n" : describe(progress));
        }
        Path path = Path.of(options.get(0));
        if (!path.isAbsolute()) {
            return usage("seed takes an absolute PATH");
        }
        if (!Files.exists(path)) {
            return new Reply(1, path + ": no such file or folder on the appliance\n");
        }
        try {
            return new Reply(0, describe(seeder.start(path)));
        } catch (IllegalStateException | IOException e) {
            return new Reply(1, "cannot seed " + path + ": " + e.getMessage() + "\n");
        }
    }

    /** One line; {@code AdminClient} polls until it no longer says "running". */
    static String describe(Seeder.Progress progress) {
        long percent = progress.bytesTotal() == 0 ? 100 : 100 * progress.bytesRead() / progress.bytesTotal();
        return String.format(Locale.ROOT, "seed %s: %s, %d of %d files, %s of %s (%d%%), %d chunks new, %d known, "
                + "%d zero blocks, %d peers told%s%n", progress.path(), progress.state().name().toLowerCase(Locale.ROOT),
                progress.filesDone(), progress.files(), bytes(progress.bytesRead()), bytes(progress.bytesTotal()), percent,
                progress.chunksNew(), progress.chunksKnown(), progress.zeroBlocks(), progress.peersTold(),
                progress.error().isEmpty() ? "" : " (" + progress.error() + ")");
    }

    // ---- reload ----

    private Reply reload() throws InterruptedException {
        if (configFile == null) {
            return new Reply(2, "this appliance was not started from a file; nothing to reload\n");
        }
        WanoptSettings next;
        try {
            next = WanoptSettings.load(configFile);
        } catch (ConfigError e) {
            return new Reply(1, "reload refused, the running configuration stays: " + e.getMessage() + "\n");
        }
        Appliance.ReloadReport report;
        try {
            report = appliance.reload(next);
        } catch (IOException e) {
            return new Reply(1, "reload failed, the running configuration stays: " + e.getMessage() + "\n");
        }
        StringBuilder text = new StringBuilder("reloaded " + configFile + "\n");
        if (report.applied().isEmpty()) {
            text.append("applied: nothing changed that a running appliance applies\n");
        }
        report.applied().forEach(change -> text.append("applied: ").append(change).append('\n'));
        report.needRestart().forEach(key -> text.append("at the next start: ").append(key).append('\n'));
        return new Reply(0, text.toString());
    }

    // ---- status ----

    private String status() {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "appliance  %s (wanopt %s), up %s%n", appliance.settings().applianceId(),
                version(), duration(Duration.ofNanos(appliance.uptimeNanos()))));
        List<String> peers = new ArrayList<>();
        int open = 0;
        for (PeerSettings peer : appliance.settings().peers()) {
            PeerStatus status = appliance.peer(peer.id());
            open += status.flows();
            peers.add(peer.id() + (status.up() ? " up, rtt " + rtt(status) + ", " + status.flows() + " flows" : " down"));
        }
        text.append("peers      ").append(peers.isEmpty() ? "(none configured)" : String.join("; ", peers)).append('\n');
        text.append(String.format(Locale.ROOT, "flows      %d open, %d since start%n", open, appliance.counters().flows()));
        text.append(String.format(Locale.ROOT, "%-13s %10s %10s %10s%n", "traffic", "LAN", "WAN", "reduction"));
        for (String[] window : windows()) {
            TrafficHistory.Window traffic = window(window[1]);
            text.append(String.format(Locale.ROOT, "%-13s %10s %10s %9.1fx%n", window[0], bytes(traffic.lanBytes()),
                    bytes(traffic.wanBytes()), traffic.reduction()));
        }
        InPathCounters inPath = appliance.inPathCounters();
        if (inPath != null) {
            text.append(inPath).append('\n');
        }
        return text.toString();
    }

    private String statusJson() {
        Json json = new Json().beginObject()
                .member("appliance", appliance.settings().applianceId())
                .member("version", version())
                .member("uptimeSeconds", appliance.uptimeNanos() / 1_000_000_000L)
                .name("peers");
        peersJson(json);
        long open = 0;
        for (PeerSettings peer : appliance.settings().peers()) {
            open += appliance.peer(peer.id()).flows();
        }
        json.member("flowsOpen", open).member("flowsSinceStart", appliance.counters().flows()).name("traffic").beginObject();
        for (String[] window : windows()) {
            TrafficHistory.Window traffic = window(window[1]);
            json.name(window[1]).beginObject().member("lanBytes", traffic.lanBytes()).member("wanBytes", traffic.wanBytes())
                    .member("reduction", traffic.reduction()).member("seconds", traffic.covered().toSeconds()).endObject();
        }
        json.endObject();
        InPathCounters inPath = appliance.inPathCounters();
        json.name("inPath");
        if (inPath == null) {
            json.value((String) null);
        } else {
            json.beginObject().member("intercepted", inPath.intercepted.sum())
                    .member("passedPeersDown", inPath.passedPeersDown.sum())
                    .member("passedNoRule", inPath.passedNoRule.sum())
                    .member("passedBytes", inPath.passedBytes.sum())
                    .member("passFailures", inPath.passFailures.sum()).endObject();
        }
        return json.endObject() + "\n";
    }

    /** Display name and JSON key of each traffic window. */
    private static List<String[]> windows() {
        return List.of(new String[] {"last minute", "lastMinute"}, new String[] {"last hour", "lastHour"},
                new String[] {"since start", "sinceStart"});
    }

    private TrafficHistory.Window window(String key) {
        TrafficCounters counters = appliance.counters();
        return switch (key) {
            case "lastMinute" -> history.last(Duration.ofMinutes(1));
            case "lastHour" -> history.last(Duration.ofHours(1));
            default -> new TrafficHistory.Window(counters.lanIn() + counters.lanOut(), counters.wanIn() + counters.wanOut(),
                    Duration.ofNanos(appliance.uptimeNanos()));
        };
    }

    // ---- peers ----

    private String peers() {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%-20s %-5s %10s %6s %10s %10s %9s  %s%n",
                "PEER", "STATE", "RTT", "FLOWS", "LAN", "WAN", "REDUCTION", "ADDRESS"));
        for (PeerSettings peer : appliance.settings().peers()) {
            PeerStatus status = appliance.peer(peer.id());
            TrafficCounters counters = status.counters();
            text.append(String.format(Locale.ROOT, "%-20s %-5s %10s %6d %10s %10s %8.1fx  %s%n", peer.id(),
                    status.up() ? "up" : "down", status.up() ? rtt(status) : "-", status.flows(),
                    bytes(counters.lanIn() + counters.lanOut()), bytes(counters.wanIn() + counters.wanOut()),
                    counters.reduction(), peer.address() == null ? "(dials in)" : peer.address().getHostString() + ':'
                            + peer.address().getPort()));
        }
        return text.toString();
    }

    private String peersJson() {
        Json json = new Json();
        peersJson(json);
        return json + "\n";
    }

    private void peersJson(Json json) {
        json.beginArray();
        for (PeerSettings peer : appliance.settings().peers()) {
            PeerStatus status = appliance.peer(peer.id());
            TrafficCounters counters = status.counters();
            json.beginObject().member("id", peer.id()).member("up", status.up())
                    .member("rttMillis", status.up() && status.rttNanos() >= 0 ? status.rttNanos() / 1e6 : Double.NaN)
                    .member("flows", status.flows())
                    .member("lanBytes", counters.lanIn() + counters.lanOut())
                    .member("wanBytes", counters.wanIn() + counters.wanOut())
                    .member("address", peer.address() == null ? null
                            : peer.address().getHostString() + ':' + peer.address().getPort())
                    .endObject();
        }
        json.endArray();
    }

    // ---- flows ----

    private String flows(boolean asJson) throws InterruptedException {
        List<FlowSnapshot> flows = appliance.tunnels().flows(FLOW_SNAPSHOT_TIMEOUT);
        if (asJson) {
            Json json = new Json().beginArray();
            for (FlowSnapshot flow : flows) {
                json.beginObject().member("client", flow.client()).member("server", flow.server())
                        .member("peer", flow.peer()).member("protocol", flow.protocol()).member("file", flow.file())
                        .member("vmdk", flow.vmdk()).member("lanBytes", flow.lanBytes()).member("wanBytes", flow.wanBytes())
                        .member("reduction", flow.reduction()).member("ageSeconds", flow.age().toSeconds()).endObject();
            }
            return json.endArray() + "\n";
        }
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%-21s %-21s %-12s %-8s %10s %10s %9s %8s  %s%n",
                "CLIENT", "SERVER", "PEER", "PROTOCOL", "LAN", "WAN", "REDUCTION", "AGE", "FILE"));
        for (FlowSnapshot flow : flows) {
            text.append(String.format(Locale.ROOT, "%-21s %-21s %-12s %-8s %10s %10s %8.1fx %8s  %s%n",
                    flow.client().isEmpty() ? "-" : flow.client(), flow.server(), flow.peer(), flow.protocol(),
                    bytes(flow.lanBytes()), bytes(flow.wanBytes()), flow.reduction(), duration(flow.age()),
                    flow.file().isEmpty() ? "-" : flow.file() + (flow.vmdk() ? " [VMDK]" : "")));
        }
        if (flows.isEmpty()) {
            text.append("(no open flows)\n");
        }
        return text.toString();
    }

    // ---- cache ----

    private String cache() {
        ChunkStoreStats stats = appliance.store().stats();
        return String.format(Locale.ROOT, "store      %s of %s on disk, %d chunks, epoch %s%n", bytes(stats.diskBytes()),
                bytes(stats.diskBudget()), stats.chunks(), epoch())
                + String.format(Locale.ROOT, "lookups    %d from memory, %d from disk, %d missed (hit rate %.1f%%)%n",
                        stats.memoryHits(), stats.diskHits(), stats.misses(), 100 * hitRate(stats))
                + String.format(Locale.ROOT, "repairs    %d references the peer asked for again, %d found corrupt%n",
                        repaired(), appliance.counters().received.get(CodecCounters.Kind.CORRUPT_CHUNKS))
                + String.format(Locale.ROOT, "evictions  %d segments, %d chunks%n", stats.evictedSegments(),
                        stats.evictedChunks());
    }

    private String cacheJson() {
        ChunkStoreStats stats = appliance.store().stats();
        return new Json().beginObject().member("diskBytes", stats.diskBytes()).member("diskBudget", stats.diskBudget())
                .member("chunks", stats.chunks()).member("epoch", epoch()).member("memoryHits", stats.memoryHits())
                .member("diskHits", stats.diskHits()).member("misses", stats.misses()).member("hitRate", hitRate(stats))
                .member("missesRepaired", repaired())
                .member("corruptChunks", appliance.counters().received.get(CodecCounters.Kind.CORRUPT_CHUNKS))
                .member("evictedSegments", stats.evictedSegments()).member("evictedChunks", stats.evictedChunks())
                .endObject() + "\n";
    }

    private static double hitRate(ChunkStoreStats stats) {
        long lookups = stats.memoryHits() + stats.diskHits() + stats.misses();
        return lookups == 0 ? 0 : (double) (stats.memoryHits() + stats.diskHits()) / lookups;
    }

    /** References this side could not resolve and had repaired by the sender. */
    private long repaired() {
        return appliance.counters().received.get(CodecCounters.Kind.MISSES_REPAIRED);
    }

    private String epoch() {
        return HexFormat.of().formatHex(appliance.store().epoch());
    }

    // ---- formatting ----

    private static String version() {
        String version = Appliance.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }

    private static String rtt(PeerStatus status) {
        return status.rttNanos() < 0 ? "-" : String.format(Locale.ROOT, "%.1f ms", status.rttNanos() / 1e6);
    }

    /** Bytes in IEC units, as the configuration writes them. */
    static String bytes(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    static String duration(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return seconds / 60 + " min " + seconds % 60 + " s";
        }
        return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
    }
}
