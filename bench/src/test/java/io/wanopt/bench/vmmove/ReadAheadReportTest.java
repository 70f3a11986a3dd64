package io.wanopt.bench.vmmove;

import static io.wanopt.bench.vmmove.MoveResult.NFS_V3;
import static io.wanopt.bench.vmmove.MoveResult.NFS_V4;
import static io.wanopt.bench.vmmove.MoveResult.PLAIN;
import static io.wanopt.bench.vmmove.MoveResult.WANOPT_NO_READ_AHEAD;
import static io.wanopt.bench.vmmove.MoveResult.WANOPT_READ_AHEAD;
import static io.wanopt.bench.vmmove.ReadSections.COLD;
import static io.wanopt.bench.vmmove.ReadSections.WARM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The read-ahead section of made-up reads: bound, speed-ups, verdicts, and its place in the report. */
class ReadAheadReportTest {

    private static final LinkSpec SLOW = new LinkSpec("10 Mbit/s 140 ms", 10_000_000, Duration.ofMillis(140));
    private static final String VMDK = "linux-v1-monolithicSparse.vmdk";
    private static final long BYTES = 258_000_000L;

    private static TimedRead read(String protocol, String workload, String method, double seconds,
            long wanBytes, long toClient, boolean verified) {
        return new TimedRead(new MoveResult(protocol, workload, SLOW, method, VMDK, BYTES, seconds,
                wanBytes, verified), toClient);
    }

    /** NFSv3 meets both criteria; NFSv4's cold read is over its bound and its warm read only 2× faster. */
    private static final List<TimedRead> READS = List.of(
            read(NFS_V3, COLD, PLAIN, 250.0, 258_500_000L, 257_000_000L, true),
            read(NFS_V3, COLD, WANOPT_NO_READ_AHEAD, 110.0, 86_000_000L, 85_000_000L, true),
            read(NFS_V3, WARM, WANOPT_NO_READ_AHEAD, 39.0, 2_000_000L, 1_500_000L, true),
            read(NFS_V3, COLD, WANOPT_READ_AHEAD, 78.0, 86_000_000L, 85_000_000L, true),
            read(NFS_V3, WARM, WANOPT_READ_AHEAD, 6.5, 1_000_000L, 900_000L, true),
            read(NFS_V4, COLD, PLAIN, 255.0, 258_600_000L, 257_100_000L, true),
            read(NFS_V4, WARM, WANOPT_NO_READ_AHEAD, 40.0, 2_000_000L, 1_500_000L, true),
            read(NFS_V4, COLD, WANOPT_READ_AHEAD, 120.0, 86_000_000L, 85_000_000L, true),
            read(NFS_V4, WARM, WANOPT_READ_AHEAD, 20.0, 1_000_000L, 900_000L, true));

    @Test
    void boundAndSpeedUpsFollowIssue4() {
        ReadAheadReport report = new ReadAheadReport(READS, List.of());
        // 1.15 × 85 MB × 8 / 10 Mbit/s + 1 s
        assertEquals(1.15 * 85_000_000 * 8 / 10_000_000 + 1, ReadAheadReport.boundSeconds(READS.get(3)), 1e-9);
        assertEquals(6.0, report.speedUpOverNoReadAhead(READS.get(4)), 1e-9);
        assertEquals(250.0 / 78.0, report.speedUpOverPlain(READS.get(3)), 1e-9);
        // The warm read has no plain read of its own: the plain (cold) read of the same file is the reference.
        assertEquals(255.0 / 20.0, report.speedUpOverPlain(READS.get(8)), 1e-9);
    }

    @Test
    void sectionShowsFiguresAndVerdicts() {
        String markdown = new ReadAheadReport(READS, List.of("10 Mbit/s 140 ms | NFSv4 | cold read | wanopt,"
                + " no read-ahead: nfs-cp exited with 1")).markdown();

        assertContains(markdown, "## NFS read-ahead (issue 4)\n\nlibnfs `nfs-cp` pulls"
                + " `linux-v1-monolithicSparse.vmdk` (258.0 MB)");
        assertContains(markdown, "### 10 Mbit/s 140 ms\n\n10 Mbit/s each way, round-trip time 140 ms.");
        assertContains(markdown, "| NFSv3 | cold read | plain | 250.0 | 258.50 | 257.00 | 1.03 | 1.0× | — | — | —"
                + " | ✔ |");
        assertContains(markdown, "| NFSv3 | cold read | wanopt, read-ahead | 78.0 | 86.00 | 85.00 | 3.31 | 3.2×"
                + " | 1.4× | 79.2 | ✔ | ✔ |");
        assertContains(markdown, "| NFSv3 | warm read | wanopt, read-ahead | 6.5 | 1.00 | 0.90 | 39.69 | 38.5× | 6.0×"
                + " | — | — | ✔ |");
        assertContains(markdown, "| NFSv4 | cold read | wanopt, read-ahead | 120.0 | 86.00 | 85.00 | 2.15 | 2.1× | —"
                + " | 79.2 | ✘ | ✔ |");
        assertContains(markdown, "- NFSv3, cold read with read-ahead: 78.0 s, bound 79.2 s: **met**.");
        assertContains(markdown, "- NFSv3, warm read: 6.5 s with read-ahead, 39.0 s without: 6.0× (at least 5×"
                + " asked): **met**.");
        assertContains(markdown, "- NFSv4, cold read with read-ahead: 120.0 s, bound 79.2 s: **not met**.");
        assertContains(markdown, "- NFSv4, warm read: 20.0 s with read-ahead, 40.0 s without: 2.0× (at least 5×"
                + " asked): **not met**.");
        assertContains(markdown, "Failures:\n\n- 10 Mbit/s 140 ms \\| NFSv4 \\| cold read \\| wanopt, no read-ahead:"
                + " nfs-cp exited with 1\n");
        assertTrue(markdown.indexOf("| NFSv3 | cold read | plain") < markdown.indexOf("| NFSv3 | warm read |"),
                "cold before warm");
    }

    @Test
    void aDamagedCopyNeverMeetsTheBound() {
        List<TimedRead> reads = List.of(
                read(NFS_V3, COLD, WANOPT_READ_AHEAD, 10.0, 86_000_000L, 85_000_000L, false));
        String markdown = new ReadAheadReport(reads, List.of()).markdown();
        assertContains(markdown, "- NFSv3, cold read with read-ahead: 10.0 s, bound 79.2 s, copy damaged:"
                + " **not met**.");
        assertContains(markdown, "- NFSv3, warm read: no result with and without read-ahead to compare.");
    }

    @Test
    void reportAppendsTheSectionAfterItsSummary() {
        ReadAheadReport section = new ReadAheadReport(READS, List.of());
        String markdown = new MoveReport(READS.stream().map(TimedRead::move).toList(), "Run on a test.",
                List.of(section.markdown())).markdown();
        assertTrue(markdown.indexOf("## Summary") < markdown.indexOf("## NFS read-ahead (issue 4)"), markdown);
        assertContains(markdown, "| NFSv3 | warm read | wanopt, read-ahead | linux-v1-monolithicSparse.vmdk | 258.0"
                + " | 0:06.5 | 1.0 | 99.6 | 12.3 | 38.5× | ✔ |");
        assertContains(markdown, "- *wanopt, no read-ahead*: the copy through the two wanopt appliances over the"
                + " emulated link, with `protocols.nfs.read-ahead.enabled = false` on both.");
    }

    private static void assertContains(String text, String expected) {
        assertTrue(text.contains(expected), () -> "expected to find:\n" + expected + "\nin:\n" + text);
    }
}
