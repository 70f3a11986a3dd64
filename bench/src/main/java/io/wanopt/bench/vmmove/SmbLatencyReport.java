package io.wanopt.bench.vmmove;

import static io.wanopt.bench.vmmove.MoveReport.cell;
import static io.wanopt.bench.vmmove.MoveReport.percent;
import static io.wanopt.bench.vmmove.MoveReport.times;
import static io.wanopt.bench.vmmove.MoveResult.PLAIN;
import static io.wanopt.bench.vmmove.MoveResult.SMB;
import static io.wanopt.bench.vmmove.MoveResult.SMB_64K_READS;
import static io.wanopt.bench.vmmove.MoveResult.WANOPT;
import static io.wanopt.bench.vmmove.ReadSections.COLD;
import static io.wanopt.bench.vmmove.ReadSections.WARM;
import static io.wanopt.bench.vmmove.ReadSections.fileRate;
import static io.wanopt.bench.vmmove.ReadSections.mark;
import static io.wanopt.bench.vmmove.ReadSections.seconds;
import static io.wanopt.bench.vmmove.ReadSections.wanMegabytes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The SMB round-trip section of the VM-move report (issue 5, item 4 "Latency"): per link, one file
 * pulled by smbclient from Samba with its default read size ({@value MoveResult#SMB}: 8 MiB READs, two
 * in flight) and with {@code smb2 max read = 65536} ({@value MoveResult#SMB_64K_READS}), each without
 * wanopt, and through wanopt cold (fresh stores) and warm (the same file again). It shows how busy the
 * direction towards the client kept the link: issue 5 asks for read-ahead where that stays under
 * {@value #UTILISATION_TARGET_PERCENT} %.
 */
final class SmbLatencyReport {

    /** Issue 5: below this link utilisation a read is worth read-ahead. */
    static final int UTILISATION_TARGET_PERCENT = 90;

    private static final List<String> METHODS = List.of(PLAIN, WANOPT);

    private final List<TimedRead> reads;
    private final List<String> sessions;
    private final List<String> failures;

    /**
     * @param reads the timed reads (protocol {@value MoveResult#SMB} or {@value MoveResult#SMB_64K_READS},
     *     method plain or wanopt, workload cold or warm), in any order
     * @param sessions what smbclient's sessions negotiated, one line each, e.g. "SMB3_11, 2 signed and 0
     *     encrypted requests"
     * @param failures what went wrong, one line each (a copy that failed, appliances that did not start)
     */
    SmbLatencyReport(List<TimedRead> reads, List<String> sessions, List<String> failures) {
        // Samba's defaults first: the reads with small READs are compared with them.
        this.reads = reads.stream().sorted(Comparator.comparing(r -> !r.move().protocol().equals(SMB))).toList();
        this.sessions = List.copyOf(sessions);
        this.failures = List.copyOf(failures);
    }

    /** Elapsed of the plain read from the same Samba over the same link over this one's. */
    double speedUpOverPlain(TimedRead read) {
        return ReadSections.speedUpOverPlain(reads, read);
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("## SMB round trips (issue 5)\n\n");
        md.append("smbclient pulls ").append(ReadSections.files(reads)).append(" from Samba with its defaults (*")
                .append(SMB).append("*: READs of up to 8 MiB, smbclient keeps two in flight) and with")
                .append(" `smb2 max read = 65536`, `smb2 max write = 65536` and `smb2 max trans = 65536` (*")
                .append(SMB_64K_READS).append("*; smbclient 4.17 then keeps up to 256 in flight: the same 16 MiB")
                .append(" window): without wanopt (*").append(PLAIN)
                .append("*) and through wanopt with its default configuration (*").append(WANOPT)
                .append("*), first on fresh stores (*").append(COLD).append("*), then the same file again on the")
                .append(" same stores (*").append(WARM).append("*). Issue 5 asks for read-ahead where a read keeps")
                .append(" the link towards the client less than ").append(UTILISATION_TARGET_PERCENT)
                .append(" % busy.\n\n");
        md.append("- Bytes on WAN: both directions; *to the client*: those towards the reading client.\n");
        md.append("- File rate = file size / elapsed (MB = 10⁶ bytes).\n");
        md.append("- Link utilisation = bytes on the WAN to the client × 8 / link rate / elapsed.\n");
        md.append("- Speed-up vs plain = elapsed of the plain read from the same Samba / elapsed.\n");
        md.append("- Verified: SHA-256 of the copy equal to the source's.\n");
        if (!sessions.isEmpty()) {
            md.append("- smbclient's sessions: ").append(cell(String.join("; ", sessions))).append(".\n");
        }
        md.append('\n');
        for (LinkSpec link : ReadSections.links(reads)) {
            appendLink(md, link);
        }
        ReadSections.appendFailures(md, failures);
        return md.toString();
    }

    private void appendLink(StringBuilder md, LinkSpec link) {
        ReadSections.appendLinkHeading(md, link);
        md.append("| Samba | Read | Configuration | Elapsed (s) | Bytes on WAN (MB) | to the client (MB)"
                + " | File rate (MB/s) | Link utilisation (%) | Speed-up vs plain (×) | Verified |\n");
        md.append("|---|---|---|---:|---:|---:|---:|---:|---:|:---:|\n");
        List<TimedRead> onLink = reads.stream().filter(r -> r.move().link().equals(link))
                .sorted(ReadSections.rowOrder(reads, METHODS)).toList();
        for (TimedRead read : onLink) {
            MoveResult move = read.move();
            md.append("| ").append(String.join(" | ", cell(move.protocol()), cell(move.workload()),
                    cell(move.method()), seconds(move.seconds()), wanMegabytes(move.wanBytes()),
                    wanMegabytes(read.wanBytesToClient()), fileRate(read), percent(read.utilisationToClient()),
                    move.method().equals(PLAIN) ? "1.0×" : times(speedUpOverPlain(read)),
                    mark(move.verified()))).append(" |\n");
        }
        md.append('\n');
        List<String> protocols = onLink.stream().map(r -> r.move().protocol()).distinct().toList();
        md.append("Round trips (issue 5: read-ahead where utilisation is under ").append(UTILISATION_TARGET_PERCENT)
                .append(" %) at ").append(cell(link.label())).append(":\n\n");
        for (String protocol : protocols) {
            List<TimedRead> own = onLink.stream().filter(r -> r.move().protocol().equals(protocol)).toList();
            md.append("- ").append(cell(protocol)).append(": ").append(coldVerdict(own)).append(' ')
                    .append(warmNote(own)).append('\n');
        }
        if (protocols.contains(SMB)) {
            protocols.stream().filter(protocol -> !protocol.equals(SMB))
                    .forEach(protocol -> md.append("- ").append(comparison(onLink, protocol, SMB)).append('\n'));
        }
        md.append('\n');
    }

    /** The reads that carry the file's bytes (plain and cold): how busy they kept the link. */
    private static String coldVerdict(List<TimedRead> own) {
        List<TimedRead> carrying = own.stream().filter(r -> r.move().workload().equals(COLD)).toList();
        if (carrying.isEmpty()) {
            return "no plain or cold read.";
        }
        List<String> figures = new ArrayList<>();
        boolean under = false;
        boolean damaged = false;
        for (TimedRead read : carrying) {
            figures.add(String.format(Locale.ROOT, "%s %s %%", label(read.move()),
                    percent(read.utilisationToClient())));
            under |= read.utilisationToClient() * 100 < UTILISATION_TARGET_PERCENT;
            damaged |= !read.move().verified();
        }
        return String.join(", ", figures) + " of the link" + (damaged ? " (a copy damaged)" : "") + ": **"
                + (under ? "under " + UTILISATION_TARGET_PERCENT + " %, read-ahead applies"
                        : "at least " + UTILISATION_TARGET_PERCENT + " %") + "**.";
    }

    /** A warm read puts little on the WAN, so its file rate says more than its utilisation. */
    private static String warmNote(List<TimedRead> own) {
        return own.stream().filter(r -> r.move().workload().equals(WARM)).findFirst()
                .map(warm -> String.format(Locale.ROOT, "Warm read: %s MB/s of file (%s %% of the link).",
                        fileRate(warm), percent(warm.utilisationToClient())))
                .orElse("No warm read.");
    }

    /** How much longer {@code protocol}'s reads took than the same reads of {@code reference}. */
    private static String comparison(List<TimedRead> onLink, String protocol, String reference) {
        List<String> ratios = new ArrayList<>();
        for (TimedRead read : onLink.stream().filter(r -> r.move().protocol().equals(protocol)).toList()) {
            Optional<TimedRead> same = onLink.stream().filter(r -> r.move().protocol().equals(reference)
                    && r.move().file().equals(read.move().file()) && r.move().workload().equals(read.move().workload())
                    && r.move().method().equals(read.move().method())).findFirst();
            same.ifPresent(other -> ratios.add(String.format(Locale.ROOT, "%s (%s)",
                    times(read.move().seconds() / other.move().seconds()), label(read.move()))));
        }
        return ratios.isEmpty() ? cell(protocol) + ": no read to compare with " + cell(reference) + "."
                : cell(protocol) + " took " + String.join(", ", ratios) + " the time of " + cell(reference) + ".";
    }

    /** "plain", "wanopt cold", "wanopt warm". */
    private static String label(MoveResult move) {
        return move.method().equals(PLAIN) ? PLAIN
                : move.method() + " " + (move.workload().equals(COLD) ? "cold" : "warm");
    }
}
