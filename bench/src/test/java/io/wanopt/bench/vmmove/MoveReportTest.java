package io.wanopt.bench.vmmove;

import static io.wanopt.bench.vmmove.MoveResult.NFS;
import static io.wanopt.bench.vmmove.MoveResult.PLAIN;
import static io.wanopt.bench.vmmove.MoveResult.RSYNC;
import static io.wanopt.bench.vmmove.MoveResult.SCP;
import static io.wanopt.bench.vmmove.MoveResult.SMB;
import static io.wanopt.bench.vmmove.MoveResult.SSH;
import static io.wanopt.bench.vmmove.MoveResult.WANOPT;
import static io.wanopt.bench.vmmove.MoveResult.ZSTD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report of made-up results: formatted values, references for speed-up, and a real PNG. */
class MoveReportTest {

    private static final LinkSpec SLOW = new LinkSpec("10 Mbit/s 140 ms", 10_000_000, Duration.ofMillis(140));
    private static final LinkSpec MEDIUM = new LinkSpec("45 Mbit/s 80 ms", 45_000_000, Duration.ofMillis(80));
    private static final String FIRST = "first VM, cold dictionary";
    private static final String NEXT = "next version";
    private static final String CLONE = "clone";
    private static final String BASE_VMDK = "debian-12.vmdk";
    private static final String NEXT_VMDK = "debian-12-next.vmdk";
    private static final long BASE_BYTES = 2_000_000_000L;
    private static final long NEXT_BYTES = 2_100_000_000L;

    private static final String HEADER = "Run on 2025-11-26 08:15 UTC, test machine, JDK 17.0.15.\n\n"
            + "Command: `bench/vm-move --links all`.";

    /** Every method; NFS has no plain copy of the first VM, so its wanopt row has no speed-up. */
    private static final List<MoveResult> RESULTS = List.of(
            new MoveResult(SMB, FIRST, SLOW, PLAIN, BASE_VMDK, BASE_BYTES, 1650.0, 2_030_000_000L, true),
            new MoveResult(SMB, FIRST, SLOW, WANOPT, BASE_VMDK, BASE_BYTES, 660.0, 700_000_000L, true),
            new MoveResult(SMB, NEXT, SLOW, PLAIN, NEXT_VMDK, NEXT_BYTES, 1730.5, 2_131_500_000L, true),
            new MoveResult(SMB, NEXT, SLOW, WANOPT, NEXT_VMDK, NEXT_BYTES, 95.5, 95_000_000L, true),
            new MoveResult(NFS, FIRST, SLOW, WANOPT, BASE_VMDK, BASE_BYTES, 700.0, 720_000_000L, true),
            new MoveResult(NFS, NEXT, SLOW, PLAIN, NEXT_VMDK, NEXT_BYTES, 1760.0, 2_140_000_000L, true),
            new MoveResult(NFS, NEXT, SLOW, WANOPT, NEXT_VMDK, NEXT_BYTES, 110.0, 100_000_000L, true),
            new MoveResult(SSH, FIRST, SLOW, SCP, BASE_VMDK, BASE_BYTES, 1200.0, 1_100_000_000L, true),
            new MoveResult(SSH, FIRST, SLOW, RSYNC, BASE_VMDK, BASE_BYTES, 1150.0, 1_050_000_000L, true),
            new MoveResult(SSH, NEXT, SLOW, RSYNC, NEXT_VMDK, NEXT_BYTES, 300.0, 250_000_000L, true),
            MoveResult.bytesOnly(FIRST, ZSTD, BASE_VMDK, BASE_BYTES, 900_000_000L, true),
            MoveResult.bytesOnly(NEXT, ZSTD, NEXT_VMDK, NEXT_BYTES, 950_000_000L, true),
            new MoveResult(SMB, FIRST, MEDIUM, PLAIN, BASE_VMDK, BASE_BYTES, 380.0, 2_030_000_000L, true),
            new MoveResult(SMB, FIRST, MEDIUM, WANOPT, BASE_VMDK, BASE_BYTES, 300.0, 680_000_000L, false),
            new MoveResult(SMB, CLONE, MEDIUM, WANOPT, BASE_VMDK, BASE_BYTES, 40.0, 20_000_000L, true),
            new MoveResult(SSH, FIRST, MEDIUM, SCP, BASE_VMDK, BASE_BYTES, 290.0, 1_100_000_000L, true));

    @Test
    void derivedFiguresFollowTheirDefinitions() {
        MoveResult plain = RESULTS.get(0);
        MoveResult wanopt = RESULTS.get(1);
        assertEquals(0.65, wanopt.reduction(), 1e-12);
        assertEquals(700_000_000L * 8.0 / (10_000_000L * 660.0), wanopt.utilisation(), 1e-12);
        assertEquals(2.5, wanopt.speedUp(plain), 1e-12);
        assertTrue(Double.isNaN(RESULTS.get(10).utilisation()), "zstd has no time, so no utilisation");
        assertThrows(IllegalArgumentException.class,
                () -> new MoveResult(SMB, FIRST, null, PLAIN, BASE_VMDK, BASE_BYTES, 10.0, 1, true));
    }

    @Test
    void tablesShowFormattedFiguresAndSpeedUpAgainstTheRightPlainCopy() {
        String markdown = new MoveReport(RESULTS, HEADER).markdown();

        assertContains(markdown, "wanopt vs plain copies\n\nRun on 2025-11-26 08:15 UTC");
        assertContains(markdown, "## 10 Mbit/s 140 ms\n\n10 Mbit/s each way, round-trip time 140 ms.");
        // Plain rows are the reference; their reduction is negative from protocol overhead.
        assertContains(markdown, "| SMB | first VM, cold dictionary | plain | debian-12.vmdk | 2000.0 | 27:30.0"
                + " | 2030.0 | -1.5 | 98.4 | 1.0× | ✔ |");
        assertContains(markdown, "| SMB | first VM, cold dictionary | wanopt | debian-12.vmdk | 2000.0 | 11:00.0"
                + " | 700.0 | 65.0 | 84.8 | 2.5× | ✔ |");
        assertContains(markdown, "| SMB | next version | wanopt | debian-12-next.vmdk | 2100.0 | 1:35.5"
                + " | 95.0 | 95.5 | 79.6 | 18.1× | ✔ |");
        // No NFS plain copy of that file: no speed-up.
        assertContains(markdown, "| NFS | first VM, cold dictionary | wanopt | debian-12.vmdk | 2000.0 | 11:40.0"
                + " | 720.0 | 64.0 | 82.3 | — | ✔ |");
        // ssh is measured against the SMB plain copy of the same file, with a footnote.
        assertContains(markdown, "| ssh | first VM, cold dictionary | scp -C | debian-12.vmdk | 2000.0 | 20:00.0"
                + " | 1100.0 | 45.0 | 73.3 | 1.4×† | ✔ |");
        assertContains(markdown, "| ssh | next version | rsync -z | debian-12-next.vmdk | 2100.0 | 5:00.0"
                + " | 250.0 | 88.1 | 66.7 | 5.8×† | ✔ |");
        assertContains(markdown, "† Against the SMB plain copy of the same file over this link");
        // zstd: bytes and reduction only, under every link.
        String zstdRow = "| — | first VM, cold dictionary | zstd -3 | debian-12.vmdk | 2000.0 | — | 900.0 | 55.0"
                + " | — | — | ✔ |";
        assertEquals(2, markdown.split(Pattern.quote(zstdRow), -1).length - 1, markdown);
        // The clone has no plain copy of its own: the plain copy of the same file from another workload.
        assertContains(markdown, "| SMB | clone | wanopt | debian-12.vmdk | 2000.0 | 0:40.0 | 20.0 | 99.0 | 8.9"
                + " | 9.5× | ✔ |");
        assertContains(markdown, "| SMB | first VM, cold dictionary | wanopt | debian-12.vmdk | 2000.0 | 5:00.0"
                + " | 680.0 | 66.0 | 40.3 | 1.3× | ✘ |");

        assertContains(markdown, "| Protocol | Workload | Method | 10 Mbit/s 140 ms | 45 Mbit/s 80 ms |");
        assertContains(markdown, "| SMB | first VM, cold dictionary | wanopt | 2.5× | 1.3× |");
        assertContains(markdown, "| SMB | next version | wanopt | 18.1× | — |");
        assertContains(markdown, "| SMB | clone | wanopt | — | 9.5× |");
        assertContains(markdown, "| NFS | first VM, cold dictionary | wanopt | — | — |");
        assertContains(markdown, "| NFS | next version | wanopt | 16.0× | — |");
        assertContains(markdown, "| ssh | first VM, cold dictionary | scp -C | 1.4×† | 1.3×† |");
        assertTrue(markdown.indexOf("## 10 Mbit/s 140 ms") < markdown.indexOf("## 45 Mbit/s 80 ms"),
                "slowest link first");
    }

    @Test
    void writesMarkdownThatShowsAReadableChart(@TempDir Path dir) throws IOException {
        MoveReport report = new MoveReport(RESULTS, HEADER);
        report.write(dir.resolve("out"), "vm-move");

        String markdown = Files.readString(dir.resolve("out/vm-move.md"), StandardCharsets.UTF_8);
        assertContains(markdown, "](vm-move.png)");
        BufferedImage chart = ImageIO.read(dir.resolve("out/vm-move.png").toFile());
        assertNotNull(chart, "vm-move.png decodes as an image");
        assertEquals(MoveReport.CHART_WIDTH, chart.getWidth());
        assertEquals(MoveReport.CHART_HEIGHT, chart.getHeight());
        Set<Integer> colours = colours(chart);
        // Bars of each method in its own colour, besides background, text and grid.
        for (int methodColour : new int[] {0x999999, 0x0072B2, 0xE69F00, 0x009E73}) {
            assertTrue(colours.contains(methodColour), String.format("colour %06x drawn", methodColour));
        }
        assertTrue(colours.size() > 10, "many colours drawn: " + colours.size());

        Path small = dir.resolve("small.png");
        report.writePng(small, 1000, 600);
        BufferedImage smallChart = ImageIO.read(small.toFile());
        assertEquals(1000, smallChart.getWidth());
        assertEquals(600, smallChart.getHeight());
    }

    private static Set<Integer> colours(BufferedImage image) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                colours.add(image.getRGB(x, y) & 0xFFFFFF);
            }
        }
        return colours;
    }

    private static void assertContains(String text, String expected) {
        assertTrue(text.contains(expected), () -> "expected to find:\n" + expected + "\nin:\n" + text);
    }
}
