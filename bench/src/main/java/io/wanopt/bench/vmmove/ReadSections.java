package io.wanopt.bench.vmmove;

import static io.wanopt.bench.vmmove.MoveReport.cell;
import static io.wanopt.bench.vmmove.MoveReport.megabytes;
import static io.wanopt.bench.vmmove.MoveResult.PLAIN;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the report sections about timed reads of one file share ({@link ReadAheadReport},
 * {@link SmbLatencyReport}): the cold and warm workloads, finding a read's counterparts, and the
 * formatting of their tables.
 */
final class ReadSections {

    /** The first read of a wanopt configuration, on empty stores; the plain read counts as one too. */
    static final String COLD = "cold read";
    /** The same file again, on the stores the cold read left. */
    static final String WARM = "warm read";

    private ReadSections() {
    }

    /** The read of {@code workload} and {@code method} with the link, protocol and file of {@code like}. */
    static Optional<TimedRead> find(List<TimedRead> reads, MoveResult like, String workload, String method) {
        return reads.stream().filter(r -> r.move().link().equals(like.link())
                && r.move().protocol().equals(like.protocol()) && r.move().file().equals(like.file())
                && r.move().workload().equals(workload) && r.move().method().equals(method)).findFirst();
    }

    /** Elapsed of the plain read of the same file, protocol and link over this one's; NaN without one. */
    static double speedUpOverPlain(List<TimedRead> reads, TimedRead read) {
        return find(reads, read.move(), COLD, PLAIN).map(plain -> plain.move().seconds() / read.move().seconds())
                .orElse(Double.NaN);
    }

    /** By protocol as they came, then cold before warm, then by {@code methods}. */
    static Comparator<TimedRead> rowOrder(List<TimedRead> reads, List<String> methods) {
        List<String> protocols = reads.stream().map(r -> r.move().protocol()).distinct().toList();
        List<String> workloads = List.of(COLD, WARM);
        return Comparator.<TimedRead>comparingInt(r -> protocols.indexOf(r.move().protocol()))
                .thenComparingInt(r -> workloads.indexOf(r.move().workload()))
                .thenComparingInt(r -> methods.indexOf(r.move().method()));
    }

    /** Links of the reads, slowest first. */
    static List<LinkSpec> links(List<TimedRead> reads) {
        return reads.stream().map(r -> r.move().link()).distinct()
                .sorted(Comparator.comparingLong(LinkSpec::rateBitsPerSecond).thenComparing(LinkSpec::rtt)
                        .thenComparing(LinkSpec::label))
                .toList();
    }

    /** The file names read, with their sizes, e.g. {@code `linux-v1-monolithicSparse.vmdk` (20.1 MB)}. */
    static String files(List<TimedRead> reads) {
        List<String> files = reads.stream().map(r -> String.format(Locale.ROOT, "`%s` (%s MB)", r.move().file(),
                megabytes(r.move().fileBytes()))).distinct().toList();
        return files.isEmpty() ? "no file" : String.join(", ", files);
    }

    /** A link's heading and description. */
    static void appendLinkHeading(StringBuilder md, LinkSpec link) {
        md.append("### ").append(cell(link.label())).append("\n\n").append(link.describe()).append(".\n\n");
    }

    /** The list of failures, if any. */
    static void appendFailures(StringBuilder md, List<String> failures) {
        if (!failures.isEmpty()) {
            md.append("Failures:\n\n");
            failures.forEach(failure -> md.append("- ").append(cell(failure)).append('\n'));
            md.append('\n');
        }
    }

    /** Two decimals: a warm read puts tens of kilobytes on the WAN. */
    static String wanMegabytes(long bytes) {
        return String.format(Locale.ROOT, "%.2f", bytes / 1e6);
    }

    static String seconds(double seconds) {
        return String.format(Locale.ROOT, "%.1f", seconds);
    }

    static String fileRate(TimedRead read) {
        return String.format(Locale.ROOT, "%.2f", read.fileMegabytesPerSecond());
    }

    static String mark(boolean yes) {
        return yes ? "✔" : "✘";
    }
}
