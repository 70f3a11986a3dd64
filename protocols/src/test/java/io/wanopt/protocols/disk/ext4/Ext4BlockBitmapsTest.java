package io.wanopt.protocols.disk.ext4;

import static io.wanopt.protocols.disk.ExternalCommand.assumeInstalled;
import static io.wanopt.protocols.disk.ExternalCommand.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.protocols.disk.ByteRange;
import io.wanopt.protocols.disk.CorruptImages;
import io.wanopt.protocols.disk.FileSource;
import io.wanopt.protocols.disk.FileSystemUsage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ext4BlockBitmapsTest {

    private static final Pattern GROUP_FREE = Pattern.compile("(?m)^  Free blocks: ?(.*)$");
    private static final Pattern FREE_COUNT = Pattern.compile("(?m)^Free blocks:\\s+(\\d+)$");
    private static final Pattern CLUSTER_SIZE = Pattern.compile("(?m)^Cluster size:\\s+(\\d+)$");

    @TempDir
    Path dir;

    /**
     * Each layout against dumpe2fs: 1 KiB blocks (64bit, flex_bg, metadata_csum: the small profile),
     * 4 KiB blocks with small groups so some are BLOCK_UNINIT, 32-byte descriptors with uninit_bg, and
     * meta_bg with enough groups for several meta groups.
     */
    @ParameterizedTest
    @ValueSource(strings = {"-b 1024", "-b 4096 -g 2048", "-b 4096 -g 2048 -O ^64bit,^metadata_csum,uninit_bg",
            "-b 1024 -O ^flex_bg", "-b 1024 -g 1024 -O meta_bg,^resize_inode",
        "-b 4096 -g 1024 -O meta_bg,^resize_inode,^64bit,^flex_bg", "-b 1024 -C 4096 -O bigalloc -g 8192",
        "-b 4096 -C 65536 -O bigalloc"})
    void freeBlocksMatchDumpe2fs(String options) throws Exception {
        assumeInstalled("mkfs.ext4", "dumpe2fs");
        Path fs = makeFileSystem(options);
        // mkfs leaves no group BLOCK_UNINIT without flex_bg or with bigalloc.
        assertTrue(run("dumpe2fs", fs.toString()).contains("BLOCK_UNINIT") || options.contains("flex_bg")
                || options.contains("bigalloc"),
                "fixture has BLOCK_UNINIT groups");
        assertMatchesDumpe2fs(fs);
    }

    @Test
    void blocksOfADeletedFileBecomeFree() throws Exception {
        assumeInstalled("mkfs.ext4", "dumpe2fs", "debugfs");
        Path fs = makeFileSystem("-b 4096 -g 2048");
        List<Long> fileBlocks = new ArrayList<>();
        for (String block : run("debugfs", "-R", "blocks /big.bin", fs.toString()).split("\\s+")) {
            if (block.matches("\\d+")) {
                fileBlocks.add(Long.parseLong(block));
            }
        }
        assertEquals(1280, fileBlocks.size());
        long freeBefore;
        try (FileSource source = FileSource.open(fs)) {
            FileSystemUsage before = Ext4BlockBitmaps.read(source);
            freeBefore = before.freeBlocks();
            fileBlocks.forEach(b -> assertTrue(!isFree(before, b * 4096), "block " + b + " in use before rm"));
        }
        run("debugfs", "-w", "-R", "rm /big.bin", fs.toString());
        try (FileSource source = FileSource.open(fs)) {
            FileSystemUsage after = Ext4BlockBitmaps.read(source);
            fileBlocks.forEach(b -> assertTrue(isFree(after, b * 4096), "block " + b + " free after rm"));
            assertTrue(after.freeBlocks() >= freeBefore + 1280);
        }
        assertMatchesDumpe2fs(fs);
    }

    @Test
    void notCleanFileSystemsAreWhollyInUse() throws Exception {
        assumeInstalled("mkfs.ext4");
        Path recovering = makeFileSystem("-b 1024");
        patch(recovering, 1024 + 0x60, readByte(recovering, 1024 + 0x60) | 0x4); // INCOMPAT_RECOVER
        assertAllInUse(recovering, "needs_recovery");

        Path errors = makeFileSystem("-b 1024");
        patch(errors, 1024 + 0x3a, 0x3); // s_state: valid | errors
        assertAllInUse(errors, "errors");
    }

    @Test
    void corruptSuperblocksGiveMalformedInput() throws Exception {
        assumeInstalled("mkfs.ext4");
        Path fs = makeFileSystem("-b 1024");
        byte[] good = Files.readAllBytes(fs);
        int[][] patches = {
            {1024 + 0x18, 40},        // s_log_block_size
            {1024 + 0x07, 0x7f},      // s_blocks_count past the file
            {1024 + 0x21, 0},         // s_blocks_per_group 0x2000 -> 0
            {1024 + 0x22, 0x7f},      // s_blocks_per_group huge
            {1024 + 0x14, 5},         // s_first_data_block
            {1024 + 0xfe, 48},        // s_desc_size not a power of two
            {2048 + 0x03, 0x7f},      // group 0 bitmap block past the end
        };
        CorruptImages.assertEachPatchRejected(dir, good, patches, Ext4BlockBitmaps::read);
    }

    private Path makeFileSystem(String options) throws Exception {
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("sub"));
        byte[] big = new byte[5 << 20];
        new Random(6).nextBytes(big);
        Files.write(tree.resolve("big.bin"), big);
        Files.writeString(tree.resolve("sub/small.txt"), "hello\n".repeat(1000));
        Path fs = Files.createTempFile(dir, "fs", ".img");
        List<String> command = new ArrayList<>(List.of("mkfs.ext4", "-q", "-F", "-d", tree.toString()));
        command.addAll(List.of(options.split(" ")));
        command.addAll(List.of(fs.toString(), "64M"));
        run(command.toArray(String[]::new));
        return fs;
    }

    private static void assertMatchesDumpe2fs(Path fs) throws Exception {
        String dump = run("dumpe2fs", fs.toString());
        Matcher count = FREE_COUNT.matcher(dump);
        assertTrue(count.find(), "dumpe2fs prints Free blocks");
        try (FileSource source = FileSource.open(fs)) {
            FileSystemUsage usage = Ext4BlockBitmaps.read(source);
            assertEquals(Long.parseLong(count.group(1)), usage.freeBlocks());
            Matcher cluster = CLUSTER_SIZE.matcher(dump);
            long blocksPerCluster = cluster.find() ? Long.parseLong(cluster.group(1)) / usage.blockSize() : 1;
            assertEquals(dumpe2fsFreeRanges(dump, usage.blockSize(), blocksPerCluster), usage.free());
        }
    }

    /**
     * The per-group "Free blocks: a-b, c" lists of dumpe2fs, merged into byte ranges. With bigalloc the
     * numbers are the first blocks of free clusters.
     */
    private static List<ByteRange> dumpe2fsFreeRanges(String dump, long blockSize, long blocksPerCluster) {
        List<ByteRange> ranges = new ArrayList<>();
        Matcher m = GROUP_FREE.matcher(dump);
        while (m.find()) {
            for (String item : m.group(1).split(",\\s*")) {
                if (item.isBlank()) {
                    continue;
                }
                String[] ends = item.strip().split("-");
                long first = Long.parseLong(ends[0]);
                long last = Long.parseLong(ends[ends.length - 1]) + blocksPerCluster - 1;
                ByteRange range = new ByteRange(first * blockSize, (last - first + 1) * blockSize);
                if (!ranges.isEmpty() && ranges.get(ranges.size() - 1).end() == range.offset()) {
                    ByteRange previous = ranges.remove(ranges.size() - 1);
                    range = new ByteRange(previous.offset(), previous.length() + range.length());
                }
                ranges.add(range);
            }
        }
        return ranges;
    }

    private static void assertAllInUse(Path fs, String reasonMentions) throws IOException {
        try (FileSource source = FileSource.open(fs)) {
            FileSystemUsage usage = Ext4BlockBitmaps.read(source);
            assertEquals(0, usage.freeBlocks());
            assertEquals(List.of(), usage.free());
            assertTrue(usage.allInUseReason().orElseThrow().contains(reasonMentions), usage.allInUseReason().get());
        }
    }

    private static boolean isFree(FileSystemUsage usage, long offset) {
        return usage.free().stream().anyMatch(r -> r.offset() <= offset && offset < r.end());
    }

    private static int readByte(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            f.seek(at);
            return f.read();
        }
    }

    private static void patch(Path file, long at, int value) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            f.write(value);
        }
    }
}
