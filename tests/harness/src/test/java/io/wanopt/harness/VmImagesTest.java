package io.wanopt.harness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The small VM image set: VMDKs equal their raw disks, v2 keeps stale blocks, the clone has its own identity. */
class VmImagesTest {

    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
    /** The script makes its ext4 file systems with -b 4096. */
    private static final int EXT4_BLOCK = 4096;

    private static final File DEV_NULL = new File("/dev/null");

    private static VmImages images;

    @BeforeAll
    static void buildOrReuseSmallSet() throws IOException {
        List<String> missing = VmImages.missingTools(VmImages.Variant.SMALL);
        assumeTrue(missing.isEmpty(), () -> "tools missing for the VM images: " + missing);
        images = VmImages.ensure(VmImages.repoRoot(Path.of("")), VmImages.Variant.SMALL, BUILD_TIMEOUT);
    }

    @Test
    void ensureReturnsTheCachedSetWithoutRebuilding() throws IOException {
        Instant start = Instant.now();
        VmImages again = VmImages.ensure(VmImages.repoRoot(Path.of("")), VmImages.Variant.SMALL, BUILD_TIMEOUT);
        assertEquals(images.directory(), again.directory());
        assertTrue(Duration.between(start, Instant.now()).compareTo(Duration.ofSeconds(2)) < 0, "cached set was rebuilt");
    }

    @Test
    void everyVmdkHasTheContentOfItsRawDisk() throws IOException {
        for (String disk : VmImages.DISKS) {
            for (String subformat : VmImages.SUBFORMATS) {
                String output = run(images.directory(), "qemu-img", "compare", "-f", "raw", "-F", "vmdk",
                        images.raw(disk).toString(), images.vmdk(disk, subformat).toString()).stdout();
                assertTrue(output.contains("Images are identical"), disk + " " + subformat + ": " + output);
            }
            // the descriptor names its extent without a directory, so the set can be moved or served as is
            String descriptor = Files.readString(images.vmdk(disk, "monolithicFlat"), StandardCharsets.ISO_8859_1);
            assertTrue(descriptor.contains(" FLAT \"" + images.flatExtent(disk).getFileName() + "\" 0"), descriptor);
        }
    }

    @Test
    void manifestListsEveryFileWithItsSize() throws IOException {
        List<String> entries = Files.readAllLines(images.file(VmImages.MANIFEST)).stream()
                .filter(line -> !line.startsWith("#"))
                .toList();
        try (var files = Files.list(images.directory())) {
            assertEquals(files.count() - 1, entries.size(), "entries: " + entries);
        }
        for (String entry : entries) {
            String[] fields = entry.split(" ");
            assertEquals(4, fields.length, entry);
            assertTrue(fields[0].matches("[0-9a-f]{64}"), entry);
            assertEquals(Files.size(images.file(fields[3])), Long.parseLong(fields[1]), entry);
        }
    }

    @Test
    void linuxV2KeepsTheBlocksOfADeletedFileAsStaleData(@TempDir Path temp) throws IOException {
        String deleted = images.deletedInV2().get(0);
        Path v1 = extractFirstPartition(images.raw("linux-v1"), temp.resolve("v1.ext4"));
        Path v2 = extractFirstPartition(images.raw("linux-v2"), temp.resolve("v2.ext4"));
        Path content = temp.resolve("deleted-file");
        debugfs(v1, "dump " + deleted + " " + content);
        byte[] bytes = Files.readAllBytes(content);
        assertTrue(bytes.length >= 4 * EXT4_BLOCK, deleted + " is only " + bytes.length + " bytes");

        Output lookup = run(temp, "debugfs", "-R", "stat " + deleted, v2.toString());
        assertTrue(lookup.stderr().contains("File not found"), deleted + " still exists in v2: " + lookup);
        List<long[]> extents = extents(debugfs(v1, "stat " + deleted));
        long blocks = 0;
        try (FileChannel partition = FileChannel.open(v2, StandardOpenOption.READ)) {
            for (long[] extent : extents) {
                for (long i = 0; i < extent[2]; i++) {
                    long fileOffset = (extent[0] + i) * EXT4_BLOCK;
                    int length = (int) Math.min(EXT4_BLOCK, bytes.length - fileOffset);
                    ByteBuffer onDisk = ByteBuffer.allocate(length);
                    partition.read(onDisk, (extent[1] + i) * EXT4_BLOCK);
                    assertArrayEquals(Arrays.copyOfRange(bytes, (int) fileOffset, (int) fileOffset + length), onDisk.array(),
                            "v2 block " + (extent[1] + i) + " no longer holds block " + (extent[0] + i) + " of " + deleted);
                    blocks++;
                }
                String usage = debugfs(v2, "testb " + extent[1] + " " + extent[2]);
                assertFalse(usage.contains("marked in use"), "blocks of " + deleted + " reused in v2:\n" + usage);
            }
        }
        assertEquals((bytes.length + EXT4_BLOCK - 1) / EXT4_BLOCK, blocks, "extents of " + deleted + ": " + extents.size());
    }

    @Test
    void cloneHasItsOwnHostnameAndMachineId(@TempDir Path temp) throws IOException {
        Path v1 = extractFirstPartition(images.raw("linux-v1"), temp.resolve("v1.ext4"));
        Path clone = extractFirstPartition(images.raw("linux-clone"), temp.resolve("clone.ext4"));
        String v1Hostname = debugfs(v1, "cat /etc/hostname").strip();
        String cloneHostname = debugfs(clone, "cat /etc/hostname").strip();
        assertEquals("wanopt-vm1", v1Hostname);
        assertEquals("wanopt-vm2", cloneHostname);
        assertNotEquals(debugfs(v1, "cat /etc/machine-id"), debugfs(clone, "cat /etc/machine-id"));
        assertTrue(debugfs(clone, "cat /etc/hosts").contains("wanopt-vm2"));
    }

    @Test
    void partitionsHoldConsistentFileSystems(@TempDir Path temp) throws IOException {
        for (String disk : List.of("linux-v1", "linux-v2", "linux-clone")) {
            Path partition = extractFirstPartition(images.raw(disk), temp.resolve(disk + ".ext4"));
            run(temp, "e2fsck", "-fn", partition.toString());
        }
        Path ntfs = extractFirstPartition(images.raw("ntfs-v1"), temp.resolve("ntfs-v1.ntfs"));
        byte[] bootSector = new byte[11];
        try (FileChannel channel = FileChannel.open(ntfs, StandardOpenOption.READ)) {
            channel.read(ByteBuffer.wrap(bootSector), 0);
        }
        assertEquals("NTFS    ", new String(bootSector, 3, 8, StandardCharsets.US_ASCII));
        String info = run(temp, "ntfsinfo", "-m", ntfs.toString()).stdout();
        assertTrue(info.contains("Volume Name: wanopt-data"), info);
    }

    @Test
    void fileNamesTheDirectoryWhenAbsent() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> images.file("no-such.vmdk"));
        assertTrue(e.getMessage().contains(images.directory().toString()), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> images.vmdk("linux-v1", "streamOptimized"));
        assertThrows(IllegalArgumentException.class, () -> images.raw("windows-v1"));
    }

    /** Copies partition 1 of an MBR disk image (start and length from its partition table entry). */
    private static Path extractFirstPartition(Path disk, Path target) throws IOException {
        try (FileChannel in = FileChannel.open(disk, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer mbr = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
            in.read(mbr, 0);
            assertEquals(0xAA55, mbr.getShort(510) & 0xFFFF, disk + " has no MBR signature");
            long start = (mbr.getInt(446 + 8) & 0xFFFFFFFFL) * 512;
            long length = (mbr.getInt(446 + 12) & 0xFFFFFFFFL) * 512;
            for (long done = 0; done < length; ) {
                done += in.transferTo(start + done, length - done, out);
            }
        }
        return target;
    }

    /** (logical block, physical block, count) of each data extent in debugfs {@code stat} output. */
    private static List<long[]> extents(String stat) {
        int section = stat.indexOf("EXTENTS:");
        assertTrue(section >= 0, "no EXTENTS in:\n" + stat);
        Matcher m = Pattern.compile("\\((\\d+)(?:-(\\d+))?\\):(\\d+)(?:-(\\d+))?").matcher(stat.substring(section));
        List<long[]> extents = new ArrayList<>();
        while (m.find()) {
            long logical = Long.parseLong(m.group(1));
            long count = (m.group(2) == null ? logical : Long.parseLong(m.group(2))) - logical + 1;
            extents.add(new long[] {logical, Long.parseLong(m.group(3)), count});
        }
        assertFalse(extents.isEmpty(), "no extents parsed from:\n" + stat);
        return extents;
    }

    /** The standard output of a debugfs request (its banner and errors go to standard error). */
    private static String debugfs(Path fileSystem, String request) throws IOException {
        return run(fileSystem.getParent(), "debugfs", "-R", request, fileSystem.toString()).stdout();
    }

    private record Output(String stdout, String stderr) {}

    /** Runs a tool (PATH, then /usr/sbin and /sbin) to completion; throws naming it, its exit status and output. */
    private static Output run(Path workDir, String... command) throws IOException {
        List<String> full = new ArrayList<>(List.of(command));
        full.set(0, locate(command[0]));
        Path stdout = Files.createTempFile("vm-images-test", ".out");
        Path stderr = Files.createTempFile("vm-images-test", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(full).directory(workDir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile());
            builder.environment().put("DEBUGFS_PAGER", "__none__");
            Process process = builder.start();
            try {
                if (!process.waitFor(TOOL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new IOException(String.join(" ", full) + " timed out after " + TOOL_TIMEOUT);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted: " + String.join(" ", full), e);
            }
            Output output = new Output(Files.readString(stdout, StandardCharsets.ISO_8859_1),
                    Files.readString(stderr, StandardCharsets.ISO_8859_1));
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", full) + " failed with exit status " + process.exitValue()
                        + ":\n" + output.stdout() + output.stderr());
            }
            return output;
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    private static String locate(String tool) {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return tool;
    }
}
