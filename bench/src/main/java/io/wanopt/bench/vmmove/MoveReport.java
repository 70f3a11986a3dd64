package io.wanopt.bench.vmmove;

import static io.wanopt.bench.vmmove.MoveResult.NFS;
import static io.wanopt.bench.vmmove.MoveResult.NFS_V3;
import static io.wanopt.bench.vmmove.MoveResult.NFS_V4;
import static io.wanopt.bench.vmmove.MoveResult.NO_PROTOCOL;
import static io.wanopt.bench.vmmove.MoveResult.PLAIN;
import static io.wanopt.bench.vmmove.MoveResult.RSYNC;
import static io.wanopt.bench.vmmove.MoveResult.SCP;
import static io.wanopt.bench.vmmove.MoveResult.SMB;
import static io.wanopt.bench.vmmove.MoveResult.SMB_64K_READS;
import static io.wanopt.bench.vmmove.MoveResult.SSH;
import static io.wanopt.bench.vmmove.MoveResult.WANOPT;
import static io.wanopt.bench.vmmove.MoveResult.WANOPT_NO_READ_AHEAD;
import static io.wanopt.bench.vmmove.MoveResult.WANOPT_READ_AHEAD;
import static io.wanopt.bench.vmmove.MoveResult.WANOPT_SMARTREAD;
import static io.wanopt.bench.vmmove.MoveResult.ZSTD;
import static io.wanopt.bench.vmmove.MoveResult.ZSTD_ZEROED;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The VM-move benchmark's report: a Markdown document with one table per link and a speed-up summary,
 * and a PNG bar chart of the elapsed times.
 *
 * <p>Speed-up is measured against the plain copy of the same file over the same protocol and link
 * (from the same workload when there is one, else from any workload that moved that file). scp and
 * rsync have no plain copy over ssh, so they are measured against the SMB plain copy, which the
 * document says in a footnote.
 */
public final class MoveReport {

    /** Size of the chart {@link #writePng(Path)} and {@link #write} draw. */
    public static final int CHART_WIDTH = 1400;
    public static final int CHART_HEIGHT = 800;

    private static final String TITLE = "VM disk move over an emulated WAN";
    static final String MISSING = "—";
    /** Marks speed-ups measured against another protocol's plain copy. */
    private static final String OTHER_REFERENCE = "†";
    private static final List<String> PROTOCOL_ORDER = List.of(SMB, SMB_64K_READS, NFS, NFS_V3, NFS_V4, SSH,
            NO_PROTOCOL);
    private static final List<String> METHOD_ORDER = List.of(PLAIN, WANOPT, WANOPT_NO_READ_AHEAD, WANOPT_READ_AHEAD,
            WANOPT_SMARTREAD, SCP, RSYNC, ZSTD, ZSTD_ZEROED);
    private static final Map<String, String> METHOD_DESCRIPTIONS = Map.of(
            PLAIN, "the same copy without wanopt, over the same emulated link: the reference time",
            WANOPT, "the copy through the two wanopt appliances over the emulated link",
            WANOPT_NO_READ_AHEAD, "the copy through the two wanopt appliances over the emulated link, with"
                    + " `protocols.nfs.read-ahead.enabled = false` on both",
            WANOPT_READ_AHEAD, "the copy through the two wanopt appliances over the emulated link, with NFS"
                    + " read-ahead on (the default)",
            WANOPT_SMARTREAD, "the copy through the two wanopt appliances with `smartread { unused-blocks = zero,"
                    + " skip-storage-reads = on }`: blocks the guest file system calls free cross as zeros (checked"
                    + " against the file with exactly those blocks zeroed, not against the original)",
            SCP, "scp with compression, over ssh through the same emulated link",
            RSYNC, "rsync with compression, over ssh through the same emulated link; for the next version,"
                    + " against the previous version already at the destination",
            ZSTD, "the file compressed with zstd level 3: bytes only, nothing sent, no time",
            ZSTD_ZEROED, "the file with its guest-free blocks zeroed, compressed with zstd level 3: bytes only");

    private final String header;
    private final List<MoveResult> results;
    private final List<String> sections;
    private final Comparator<MoveResult> rowOrder;
    private final List<String> workloads;

    /**
     * @param results the moves, in any order
     * @param header Markdown shown under the title: when, on what machine and JDK, and with which exact
     *     command line the benchmark ran
     */
    public MoveReport(List<MoveResult> results, String header) {
        this(results, header, List.of());
    }

    /**
     * @param results the moves, in any order
     * @param header as above
     * @param sections Markdown sections appended after the summary, each starting with its own
     *     {@code ##} heading (e.g. a measurement's acceptance figures)
     */
    public MoveReport(List<MoveResult> results, String header, List<String> sections) {
        this.results = List.copyOf(results);
        this.header = Objects.requireNonNull(header, "header");
        this.sections = List.copyOf(sections);
        this.workloads = distinct(MoveResult::workload);
        List<String> protocols = ordered(distinct(MoveResult::protocol), PROTOCOL_ORDER);
        List<String> methods = ordered(distinct(MoveResult::method), METHOD_ORDER);
        List<String> files = distinct(MoveResult::file);
        this.rowOrder = Comparator.<MoveResult>comparingInt(r -> protocols.indexOf(r.protocol()))
                .thenComparingInt(r -> workloads.indexOf(r.workload()))
                .thenComparingInt(r -> methods.indexOf(r.method()))
                .thenComparingInt(r -> files.indexOf(r.file()));
    }

    /** The document without the chart. */
    public String markdown() {
        return markdown(null);
    }

    /** Draws the chart at {@value #CHART_WIDTH}x{@value #CHART_HEIGHT} into a PNG file. */
    public void writePng(Path png) throws IOException {
        writePng(png, CHART_WIDTH, CHART_HEIGHT);
    }

    /** Draws the chart at the given size into a PNG file. */
    public void writePng(Path png, int width, int height) throws IOException {
        chart().writePng(png, width, height);
    }

    /** Writes {@code baseName.png} and {@code baseName.md}, which shows the PNG, into {@code dir}. */
    public void write(Path dir, String baseName) throws IOException {
        if (baseName.isEmpty() || baseName.contains("/") || baseName.contains("\\")) {
            throw new IllegalArgumentException("base name must be a plain file name, got '" + baseName + "'");
        }
        Files.createDirectories(dir);
        writePng(dir.resolve(baseName + ".png"));
        Files.writeString(dir.resolve(baseName + ".md"), markdown(baseName + ".png"), StandardCharsets.UTF_8);
    }

    private String markdown(String chartFile) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(TITLE).append(": wanopt vs plain copies\n\n");
        md.append(header.strip()).append("\n\n");
        if (chartFile != null) {
            md.append("![Elapsed time per method, link, protocol and workload (minutes, log scale)](")
                    .append(chartFile).append(")\n\n");
        }
        appendReadingNotes(md);
        for (LinkSpec link : links()) {
            appendLinkTable(md, link);
        }
        appendSummary(md);
        sections.forEach(section -> md.append('\n').append(section.strip()).append('\n'));
        return md.toString();
    }

    private void appendReadingNotes(StringBuilder md) {
        md.append("## How to read the tables\n\n");
        md.append("- MB = 10⁶ bytes; elapsed is wall-clock time in minutes:seconds.\n");
        md.append("- Bytes on WAN: bytes that crossed the emulated link, both directions summed.\n");
        md.append("- Reduction = 1 − bytes on WAN / file size (negative: protocol overhead).\n");
        md.append("- Link utilisation = bytes on WAN × 8 / (link rate × elapsed).\n");
        md.append("- Speed-up = elapsed of the plain copy of the same file over the same protocol and link"
                + " / elapsed.\n");
        md.append("- Verified: SHA-256 of the file equal at both ends.\n");
        for (String method : distinct(MoveResult::method)) {
            String description = METHOD_DESCRIPTIONS.get(method);
            if (description != null) {
                md.append("- *").append(method).append("*: ").append(description).append(".\n");
            }
        }
        md.append('\n');
    }

    private void appendLinkTable(StringBuilder md, LinkSpec link) {
        md.append("## ").append(cell(link.label())).append("\n\n").append(link.describe()).append(".\n\n");
        md.append("| Protocol | Workload | Method | File | File size (MB) | Elapsed (m:ss.s) | Bytes on WAN (MB)"
                + " | Reduction (%) | Link utilisation (%) | Speed-up vs plain (×) | Verified |\n");
        md.append("|---|---|---|---|---:|---:|---:|---:|---:|---:|:---:|\n");
        boolean otherReference = false;
        for (MoveResult row : rows(link)) {
            String speedUp;
            if (row.method().equals(PLAIN)) {
                speedUp = "1.0×";
            } else {
                speedUp = times(speedUp(row));
                if (!speedUp.equals(MISSING) && row.protocol().equals(SSH)) {
                    speedUp += OTHER_REFERENCE;
                    otherReference = true;
                }
            }
            md.append("| ").append(String.join(" | ", cell(row.protocol()), cell(row.workload()),
                    cell(row.method()), cell(row.file()), megabytes(row.fileBytes()),
                    row.timed() ? elapsed(row.seconds()) : MISSING, megabytes(row.wanBytes()),
                    percent(row.reduction()), percent(row.utilisation()), speedUp, row.verified() ? "✔" : "✘"))
                    .append(" |\n");
        }
        md.append('\n');
        if (otherReference) {
            md.append(OTHER_REFERENCE).append(" Against the SMB plain copy of the same file over this link:"
                    + " ssh has no plain copy of its own.\n\n");
        }
    }

    private void appendSummary(StringBuilder md) {
        List<LinkSpec> links = links();
        md.append("## Summary: speed-up vs plain (×)\n\n| Protocol | Workload | Method");
        links.forEach(link -> md.append(" | ").append(cell(link.label())));
        md.append(" |\n|---|---|---");
        links.forEach(link -> md.append("|---:"));
        md.append("|\n");
        Map<List<String>, List<MoveResult>> byKey = new LinkedHashMap<>();
        results.stream().filter(r -> r.timed() && !r.method().equals(PLAIN)).sorted(rowOrder)
                .forEach(r -> byKey.computeIfAbsent(List.of(r.protocol(), r.workload(), r.method()),
                        key -> new ArrayList<>()).add(r));
        boolean otherReference = false;
        for (Map.Entry<List<String>, List<MoveResult>> entry : byKey.entrySet()) {
            List<String> key = entry.getKey();
            md.append("| ").append(cell(key.get(0))).append(" | ").append(cell(key.get(1))).append(" | ")
                    .append(cell(key.get(2)));
            for (LinkSpec link : links) {
                String speedUp = times(totalSpeedUp(entry.getValue().stream()
                        .filter(r -> r.link().equals(link)).toList()));
                if (!speedUp.equals(MISSING) && key.get(0).equals(SSH)) {
                    speedUp += OTHER_REFERENCE;
                    otherReference = true;
                }
                md.append(" | ").append(speedUp);
            }
            md.append(" |\n");
        }
        md.append('\n');
        if (otherReference) {
            md.append(OTHER_REFERENCE).append(" Against the SMB plain copy.\n\n");
        }
        md.append("A workload of several files counts their total time; ").append(MISSING)
                .append(": no result or no plain copy to compare with.\n");
    }

    /** Total reference time over total time, for the results that have a reference; NaN if none has. */
    private double totalSpeedUp(List<MoveResult> moves) {
        double referenceSeconds = 0;
        double seconds = 0;
        for (MoveResult move : moves) {
            Optional<MoveResult> reference = reference(move);
            if (reference.isPresent()) {
                referenceSeconds += reference.get().seconds();
                seconds += move.seconds();
            }
        }
        return seconds > 0 ? referenceSeconds / seconds : Double.NaN;
    }

    /** Speed-up of one move against its plain copy; NaN when there is none. */
    double speedUp(MoveResult move) {
        return reference(move).map(move::speedUp).orElse(Double.NaN);
    }

    /**
     * The plain copy a timed move is compared with: same link, file and protocol (SMB for ssh), from the
     * same workload if there is one.
     */
    Optional<MoveResult> reference(MoveResult move) {
        if (!move.timed()) {
            return Optional.empty();
        }
        String protocol = move.protocol().equals(SSH) ? SMB : move.protocol();
        List<MoveResult> plains = results.stream()
                .filter(r -> r.method().equals(PLAIN) && r.timed() && r.protocol().equals(protocol)
                        && r.link().equals(move.link()) && r.file().equals(move.file()))
                .toList();
        return plains.stream().filter(r -> r.workload().equals(move.workload())).findFirst()
                .or(() -> plains.stream().findFirst());
    }

    /** Links of the timed results, slowest first. */
    List<LinkSpec> links() {
        return results.stream().map(MoveResult::link).filter(Objects::nonNull).distinct()
                .sorted(Comparator.comparingLong(LinkSpec::rateBitsPerSecond).thenComparing(LinkSpec::rtt)
                        .thenComparing(LinkSpec::label))
                .toList();
    }

    /** The rows of one link's table: its results and the bytes-only ones, in table order. */
    private List<MoveResult> rows(LinkSpec link) {
        return results.stream().filter(r -> r.link() == null || r.link().equals(link)).sorted(rowOrder).toList();
    }

    /**
     * One group of bars per link, protocol and workload; scp and rsync (ssh) join every protocol's group
     * of the same link and workload, and get groups of their own only where no protocol has one.
     */
    private BarChart chart() {
        List<MoveResult> timed = results.stream().filter(MoveResult::timed).sorted(rowOrder).toList();
        List<String> methods = timed.stream().map(MoveResult::method).distinct().toList();
        List<BarChart.Group> groups = new ArrayList<>();
        for (LinkSpec link : links()) {
            List<MoveResult> onLink = timed.stream().filter(r -> r.link().equals(link)).toList();
            List<MoveResult> ssh = onLink.stream().filter(r -> r.protocol().equals(SSH)).toList();
            List<MoveResult> others = onLink.stream().filter(r -> !r.protocol().equals(SSH)).toList();
            LinkedHashSet<String> sshWorkloadsLeft = new LinkedHashSet<>();
            ssh.forEach(r -> sshWorkloadsLeft.add(r.workload()));
            for (String protocol : others.stream().map(MoveResult::protocol).distinct().toList()) {
                for (String workload : workloads) {
                    List<MoveResult> own = others.stream()
                            .filter(r -> r.protocol().equals(protocol) && r.workload().equals(workload)).toList();
                    if (!own.isEmpty()) {
                        List<MoveResult> bars = new ArrayList<>(own);
                        ssh.stream().filter(r -> r.workload().equals(workload)).forEach(bars::add);
                        sshWorkloadsLeft.remove(workload);
                        groups.add(group(link, protocol, workload, bars));
                    }
                }
            }
            for (String workload : sshWorkloadsLeft) {
                groups.add(group(link, SSH, workload,
                        ssh.stream().filter(r -> r.workload().equals(workload)).toList()));
            }
        }
        return new BarChart(TITLE + ": elapsed time per method", methods, groups);
    }

    /** Bars of one group: per method, the total minutes of its files, verified only if every file was. */
    private static BarChart.Group group(LinkSpec link, String protocol, String workload, List<MoveResult> moves) {
        Map<String, BarChart.Bar> bars = new LinkedHashMap<>();
        for (MoveResult move : moves) {
            bars.merge(move.method(), new BarChart.Bar(move.seconds() / 60, move.verified()),
                    (a, b) -> new BarChart.Bar(a.minutes() + b.minutes(), a.verified() && b.verified()));
        }
        return new BarChart.Group(link.label(), protocol, workload, bars);
    }

    private List<String> distinct(Function<MoveResult, String> property) {
        return results.stream().map(property).distinct().toList();
    }

    /** {@code values} with those in {@code preferred} first, in that order, then the rest as they came. */
    private static List<String> ordered(List<String> values, List<String> preferred) {
        List<String> ordered = new ArrayList<>(preferred.stream().filter(values::contains).toList());
        values.stream().filter(value -> !preferred.contains(value)).forEach(ordered::add);
        return ordered;
    }

    static String cell(String text) {
        return text.replace("|", "\\|").replace('\n', ' ');
    }

    static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / 1e6);
    }

    static String percent(double fraction) {
        return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%.1f", fraction * 100) : MISSING;
    }

    static String times(double factor) {
        return Double.isFinite(factor) ? String.format(Locale.ROOT, "%.1f×", factor) : MISSING;
    }

    /** m:ss.s, rounded to a tenth of a second; minutes go past 59. */
    private static String elapsed(double seconds) {
        long tenths = Math.round(seconds * 10);
        return String.format(Locale.ROOT, "%d:%02d.%d", tenths / 600, tenths % 600 / 10, tenths % 10);
    }
}
