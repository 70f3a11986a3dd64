package io.wanopt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wanopt.harness.HostTools;
import io.wanopt.harness.VmImages;
import io.wanopt.proxy.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code wanopt inspect} on the test VM disks: the guest's free blocks are found, and the stale data in them. */
class InspectCommandTest {

    private static VmImages images;

    @BeforeAll
    static void images() throws IOException {
        List<String> missing = HostTools.missing(VmImages.Variant.SMALL.tools());
        assumeTrue(missing.isEmpty(), () -> "missing " + String.join(", ", missing));
        images = RealServerSetup.images();
    }

    private record Result(int status, String out, String err) {
    }

    private static Result inspect(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static long field(String json, String name) {
        Matcher matcher = Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
        assertTrue(matcher.find(), name + " in " + json);
        return Long.parseLong(matcher.group(1));
    }

    @Test
    void theNextVersionsStaleBlocksAreStoredButFreeInTheGuest() {
        Path v2 = images.vmdk("linux-v2", "monolithicSparse");
        Result result = inspect("inspect", v2.toString(), "--json");
        assertEquals(0, result.status(), result.err());
        String json = result.out();
        assertEquals(64L << 20, field(json, "capacity"));
        assertTrue(json.contains("\"fileSystem\":\"ext4\""), json);
        // linux-v2 deleted files whose blocks keep their data: stored in the VMDK, free for ext4.
        assertTrue(field(json, "free") >= 3L << 20, json);
        assertEquals(field(json, "inUse") + field(json, "free"), field(json, "wireBytesByteExact"));
        assertEquals(field(json, "inUse"), field(json, "wireBytesUnusedBlocksZero"));
    }

    @Test
    void aFlatNtfsDiskShowsItsFileSystemInText() {
        Result result = inspect("inspect", images.vmdk("ntfs-v1", "monolithicFlat").toString());
        assertEquals(0, result.status(), result.err());
        assertTrue(result.out().contains("VMDK monolithicFlat"), result.out());
        assertTrue(result.out().contains("partition table MBR"), result.out());
        assertTrue(result.out().contains(": ntfs, 4096-byte blocks"), result.out());
    }

    @Test
    void aCorruptVmdkGetsOneLineNotAStackTrace(@TempDir Path dir) throws IOException {
        byte[] header = new byte[4096];
        new Random(3).nextBytes(header);
        System.arraycopy("KDMV".getBytes(StandardCharsets.US_ASCII), 0, header, 0, 4);
        Path corrupt = Files.write(dir.resolve("corrupt.vmdk"), header);
        Result result = inspect("inspect", corrupt.toString());
        assertEquals(1, result.status(), result.out());
        assertEquals(1, result.err().lines().count(), result.err());
        assertTrue(result.err().startsWith("wanopt inspect: " + corrupt + ": "), result.err());
    }

    @Test
    void aMissingFileIsAUserErrorInOneLine() {
        Result result = inspect("inspect", "/nonexistent/disk.vmdk");
        assertEquals(2, result.status());
        assertEquals("wanopt inspect: no such file: /nonexistent/disk.vmdk", result.err().strip());
    }
}
