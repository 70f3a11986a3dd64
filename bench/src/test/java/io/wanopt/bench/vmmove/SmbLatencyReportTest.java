package io.wanopt.bench.vmmove;

import static io.wanopt.bench.vmmove.MoveResult.PLAIN;
import static io.wanopt.bench.vmmove.MoveResult.SMB;
import static io.wanopt.bench.vmmove.MoveResult.SMB_64K_READS;
import static io.wanopt.bench.vmmove.MoveResult.WANOPT;
import static io.wanopt.bench.vmmove.ReadSections.COLD;
import static io.wanopt.bench.vmmove.ReadSections.WARM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SMB round-trip section of made-up reads: utilisation, speed-ups, verdicts, and its place in the report. */
class SmbLatencyReportTest {

    private static final LinkSpec SLOW = new LinkSpec("10 Mbit/s 140 ms", 10_000_000, Duration.ofMillis(140));
    private static final String VMDK = "linux-v1-monolithicSparse.vmdk";
    private static final long BYTES = 258_000_000L;

    private static TimedRead read(String protocol, String workload, String method, double seconds, long wanBytes,
            long toClient, boolean verified) {
        return new TimedRead(new MoveResult(protocol, workload, SLOW, method, VMDK, BYTES, seconds, wanBytes,
                verified), toClient);
    }

    /** 8 MiB reads fill the link; 64 KiB reads leave it half idle. */
    private static final List<TimedRead> READS = List.of(
            read(SMB_64K_READS, COLD, PLAIN, 430.0, 262_000_000L, 258_600_000L, true),
            read(SMB_64K_READS, COLD, WANOPT, 180.0, 90_000_000L, 87_000_000L, true),
            read(SMB_64K_READS, WARM, WANOPT, 40.0, 3_000_000L, 1_000_000L, true),
            read(SMB, COLD, PLAIN, 215.0, 258_500_000L, 258_400_000L, true),
            read(SMB, COLD, WANOPT, 73.0, 86_100_000L, 86_000_000L, true),
            read(SMB, WARM, WANOPT, 5.0, 1_200_000L, 1_100_000L, true));

    @Test
    void utilisationCountsTheDirectionTowardsTheClient() {
        // 258.4 MB × 8 / 10 Mbit/s / 215 s
        assertEquals(258_400_000 * 8.0 / 10_000_000 / 215, READS.get(3).utilisationToClient(), 1e-12);
        assertEquals(258.0 / 5.0, READS.get(5).fileMegabytesPerSecond(), 1e-12);
        SmbLatencyReport report = new SmbLatencyReport(READS, List.of(), List.of());
        assertEquals(430.0 / 40.0, report.speedUpOverPlain(READS.get(2)), 1e-12);
        assertEquals(215.0 / 73.0, report.speedUpOverPlain(READS.get(4)), 1e-12);
    }

    @Test
    void sectionShowsFiguresAndVerdicts() {
        String markdown = new SmbLatencyReport(READS, List.of("SMB3_11, 2 signed and 0 encrypted requests"),
                List.of("10 Mbit/s 140 ms | SMB | wanopt: stopped: appliance failed")).markdown();

        assertContains(markdown, "## SMB round trips (issue 5)\n\nsmbclient pulls"
                + " `linux-v1-monolithicSparse.vmdk` (258.0 MB) from Samba");
        assertContains(markdown, "- smbclient's sessions: SMB3_11, 2 signed and 0 encrypted requests.\n");
        assertContains(markdown, "### 10 Mbit/s 140 ms\n\n10 Mbit/s each way, round-trip time 140 ms.");
        assertContains(markdown, "| SMB | cold read | plain | 215.0 | 258.50 | 258.40 | 1.20 | 96.1 | 1.0× | ✔ |");
        assertContains(markdown, "| SMB | warm read | wanopt | 5.0 | 1.20 | 1.10 | 51.60 | 17.6 | 43.0× | ✔ |");
        assertContains(markdown, "| SMB, 64 KiB reads | cold read | plain | 430.0 | 262.00 | 258.60 | 0.60 | 48.1"
                + " | 1.0× | ✔ |");
        assertContains(markdown, "- SMB: plain 96.1 %, wanopt cold 94.2 % of the link: **at least 90 %**."
                + " Warm read: 51.60 MB/s of file (17.6 % of the link).");
        assertContains(markdown, "- SMB, 64 KiB reads: plain 48.1 %, wanopt cold 38.7 % of the link: **under 90 %,"
                + " read-ahead applies**. Warm read: 6.45 MB/s of file (2.0 % of the link).");
        assertContains(markdown, "- SMB, 64 KiB reads took 2.0× (plain), 2.5× (wanopt cold), 8.0× (wanopt warm) the"
                + " time of SMB.");
        assertContains(markdown, "Failures:\n\n- 10 Mbit/s 140 ms \\| SMB \\| wanopt: stopped: appliance failed\n");
        assertTrue(markdown.indexOf("| SMB | cold read | plain") < markdown.indexOf("| SMB, 64 KiB reads | cold"),
                "Samba's default first, as in the rest of the report");
    }

    @Test
    void aDamagedCopyIsNamedInTheVerdict() {
        List<TimedRead> reads = List.of(read(SMB, COLD, PLAIN, 215.0, 258_500_000L, 258_400_000L, false));
        String markdown = new SmbLatencyReport(reads, List.of(), List.of()).markdown();
        assertContains(markdown, "- SMB: plain 96.1 % of the link (a copy damaged): **at least 90 %**. No warm read.");
    }

    @Test
    void reportAppendsTheSectionAfterItsSummary() {
        String section = new SmbLatencyReport(READS, List.of(), List.of()).markdown();
        String markdown = new MoveReport(READS.stream().map(TimedRead::move).toList(), "Run on a test.",
                List.of(section)).markdown();
        assertTrue(markdown.indexOf("## Summary") < markdown.indexOf("## SMB round trips (issue 5)"), markdown);
        assertTrue(markdown.indexOf("| SMB | cold read | plain |") < markdown.indexOf("| SMB, 64 KiB reads | cold"
                + " read | plain |"), markdown);
    }

    private static void assertContains(String text, String expected) {
        assertTrue(text.contains(expected), () -> "expected to find:\n" + expected + "\nin:\n" + text);
    }
}
