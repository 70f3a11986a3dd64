package io.wanopt.protocols.disk;

import static io.wanopt.protocols.disk.ExternalCommand.assumeInstalled;
import static io.wanopt.protocols.disk.ExternalCommand.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.disk.vmdk.SynthesisedExtents;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link FileUsageMap} on VM disk files as a file server holds them. The appliance sends the bytes the
 * map calls free as zeros, so each test zeroes them in a copy of the file and checks the copy still
 * holds clean file systems with the same files; for ext4 the free bytes must be exactly the blocks
 * {@code dumpe2fs} lists as free (those stored in the file, for a sparse VMDK).
 */
class FileUsageMapTest {

    private static final int MIB = 1 << 20;
    private static final int SECTOR = 512;
    private static final int CLUSTER = 4096;
    private static final int GRAIN = 64 << 10;
    /** Bytes of a deleted file the map may miss: its partial last block, and a grain's worth of rounding. */
    private static final int SLACK = 64 << 10;
    private static final Pattern GROUP_FREE_BLOCKS = Pattern.compile("^  Free blocks: (.*)$", Pattern.MULTILINE);
    private static final Pattern QEMU_DATA_EXTENT = Pattern.compile(
            "\"start\": (\\d+), \"length\": (\\d+),[^}]*\"data\": true[^}]*\"offset\": (\\d+)");

    @TempDir
    Path dir;

    /**
     * An ext4 file system (4 KiB blocks) written into a partition of the test disk.
     *
     * @param startSector  where the partition starts
     * @param sizeMib      its size, which is the file system's
     * @param image        the file system alone, as made
     * @param tree         the files it holds
     * @param deletedBytes the size of the file deleted from it, whose blocks keep their data
     */
    private record Ext4Partition(long startSector, int sizeMib, Path image, Path tree, long deletedBytes) {

        long offset() {
            return startSector * SECTOR;
        }
    }

    /**
     * The raw test disk and its partitions.
     *
     * @param raw        the whole disk
     * @param partitions its ext4 partitions
     */
    private record Ext4Disk(Path raw, List<Ext4Partition> partitions) {

        long deletedBytes() {
            return partitions.stream().mapToLong(Ext4Partition::deletedBytes).sum();
        }
    }

    /**
     * A run of the guest disk stored in a VMDK file, from {@code qemu-img map}.
     *
     * @param guestOffset where the run is on the guest disk
     * @param length      bytes
     * @param fileOffset  where it is in the VMDK file
     */
    private record StoredRun(long guestOffset, long length, long fileOffset) {

        long fileEnd() {
            return fileOffset + length;
        }
    }

    @Test
    void ext4InASparseVmdk() throws Exception {
        assumeInstalled("qemu-img", "sfdisk", "mkfs.ext4", "debugfs", "dumpe2fs", "e2fsck", "dd");
        Ext4Disk disk = ext4Disk();
        Path vmdk = dir.resolve("x.vmdk");
        run("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=monolithicSparse", disk.raw().toString(),
                vmdk.toString());
        FileUsageMap map = map(vmdk);
        List<StoredRun> stored = storedRuns(vmdk);
        List<ByteRange> guestFree = guestFree(disk);

        // The header, embedded descriptor, grain directories and tables all lie before the first grain.
        long firstGrain = stored.stream().mapToLong(StoredRun::fileOffset).min().orElseThrow();
        assertTrue(map.free().get(0).offset() >= firstGrain, map.free().get(0) + " before the first grain at "
                + firstGrain);
        for (ByteRange free : map.free()) {
            for (ByteRange guest : guestRuns(free, stored)) {
                assertTrue(guestFree.stream().anyMatch(f -> f.offset() <= guest.offset() && guest.end() <= f.end()),
                        "file bytes " + free + " hold guest bytes " + guest + " that ext4 does not call free");
            }
        }
        long storedAndFree = 0;
        for (ByteRange free : guestFree) {
            for (StoredRun storedRun : stored) {
                storedAndFree += Math.max(0, Math.min(free.end(), storedRun.guestOffset() + storedRun.length())
                        - Math.max(free.offset(), storedRun.guestOffset()));
            }
        }
        assertEquals(storedAndFree, map.freeBytes(), "every stored byte ext4 calls free, and no other");
        assertTrue(map.freeBytes() >= disk.deletedBytes() - SLACK, "free: " + map.freeBytes());
        assertTrue(map.inUseNotes().isEmpty(), map.inUseNotes().toString());
        assertProbesAgree(map);

        Path scrubbed = scrubbedCopy(vmdk, map, "scrubbed.vmdk");
        Path scrubbedRaw = dir.resolve("scrubbed.raw");
        run("qemu-img", "convert", "-f", "vmdk", "-O", "raw", scrubbed.toString(), scrubbedRaw.toString());
        assertIntactButFreeZeroed(disk, scrubbedRaw, guestFree);
    }

    @Test
    void ext4InAFlatExtent() throws Exception {
        assumeInstalled("sfdisk", "mkfs.ext4", "debugfs", "dumpe2fs", "e2fsck", "dd");
        Ext4Disk disk = ext4Disk();
        Path flat = Files.copy(disk.raw(), dir.resolve("x-flat.vmdk"));
        FileUsageMap map = map(flat);
        List<ByteRange> guestFree = guestFree(disk);

        assertEquals(Files.size(flat), map.fileSize());
        assertEquals(guestFree, map.free(), "file offsets are guest offsets");
        assertTrue(map.freeBytes() >= disk.deletedBytes() - SLACK, "free: " + map.freeBytes());
        assertProbesAgree(map);
        assertIntactButFreeZeroed(disk, scrubbedCopy(flat, map, "scrubbed-flat.vmdk"), guestFree);
    }

    @Test
    void ntfsInAFlatExtent() throws Exception {
        assumeInstalled("sfdisk", "mkntfs", "ntfscp", "ntfsinfo", "ntfstruncate", "ntfscat", "ntfsfix", "dd");
        long start = 2048;
        int sizeMib = 24;
        Random random = new Random(11);
        Path tree = Files.createDirectories(dir.resolve("ntfs-tree"));
        Files.write(tree.resolve("kept.bin"), randomBytes(random, 2 * MIB));
        Files.writeString(tree.resolve("notes.txt"), "notes on ntfs\n".repeat(5000));
        byte[] deleted = randomBytes(random, 6 * MIB);
        Path deletedFile = Files.write(dir.resolve("gone.bin"), deleted);

        Path fs = sizedFile("ntfs.img", sizeMib);
        run("mkntfs", "-q", "-F", "-Q", "-c", String.valueOf(CLUSTER), "-p", String.valueOf(start), fs.toString());
        for (Path file : List.of(tree.resolve("kept.bin"), deletedFile, tree.resolve("notes.txt"))) {
            run("ntfscp", fs.toString(), file.toString(), file.getFileName().toString());
        }
        // ntfs-3g has no offline delete: truncating to 0 frees the clusters and leaves their data.
        Matcher inode = Pattern.compile("Dumping Inode (\\d+)").matcher(run("ntfsinfo", "-F", "gone.bin",
                fs.toString()));
        assertTrue(inode.find(), "ntfsinfo names gone.bin's inode");
        run("ntfstruncate", fs.toString(), inode.group(1), "0");

        Path flat = sizedFile("x-flat.vmdk", 32);
        partition(flat, "start=" + start + ", size=" + sizeMib * MIB / SECTOR + ", type=7");
        writeAt(fs, flat, start * SECTOR);
        Set<ByteBuffer> deletedClusters = clusters(deleted);
        assertTrue(clustersFound(fs, deletedClusters) >= deleted.length / CLUSTER - 1, "stale data before");

        FileUsageMap map = map(flat);
        assertTrue(map.inUseNotes().isEmpty(), map.inUseNotes().toString());
        assertTrue(map.freeBytes() >= deleted.length - SLACK, "free: " + map.freeBytes());
        long partitionEnd = (start + (long) sizeMib * MIB / SECTOR) * SECTOR;
        assertTrue(map.free().get(0).offset() >= start * SECTOR && map.free().get(map.free().size() - 1).end()
                <= partitionEnd, "free ranges outside the partition: " + map.free());
        assertProbesAgree(map);

        Path copy = extract(scrubbedCopy(flat, map, "scrubbed-flat.vmdk"), start * SECTOR, sizeMib * (long) MIB,
                "ntfs-copy.img");
        run("ntfsfix", "-n", copy.toString());
        assertEquals(0, clustersFound(copy, deletedClusters), "clusters of the deleted file left");
        for (Path file : filesIn(tree)) {
            Path out = dir.resolve("ntfscat.out");
            run("sh", "-c", "ntfscat '" + copy + "' '" + file.getFileName() + "' > '" + out + "'");
            assertEquals(sha256(file), sha256(out), file.getFileName().toString());
        }
    }

    @Test
    void ext4NeedingRecoveryIsWhollyInUse() throws Exception {
        assumeInstalled("qemu-img", "sfdisk", "mkfs.ext4", "debugfs", "dd");
        Ext4Partition part = ext4Partition("dirty", 2048, 16, 2 * MIB, 4 * MIB, 3);
        Path flat = sizedFile("dirty-flat.vmdk", 24);
        partition(flat, "start=2048, size=" + 16 * MIB / SECTOR + ", type=83");
        writeAt(part.image(), flat, part.offset());
        assertTrue(map(flat).freeBytes() >= part.deletedBytes(), "the clean file system has free blocks");

        // A journal not replayed yet may hold allocations the bitmaps do not show.
        run("debugfs", "-w", "-R", "feature needs_recovery", part.image().toString());
        writeAt(part.image(), flat, part.offset());
        Path vmdk = dir.resolve("dirty.vmdk");
        run("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=monolithicSparse", flat.toString(),
                vmdk.toString());
        for (Path file : List.of(flat, vmdk)) {
            FileUsageMap map = map(file);
            assertEquals(0, map.freeBytes(), file.getFileName().toString());
            assertEquals(List.of(), map.free());
            assertTrue(map.inUseNotes().stream().anyMatch(note -> note.contains("needs_recovery")),
                    map.inUseNotes().toString());
        }
    }

    @ParameterizedTest
    @CsvSource({"monolithicFlat, d-flat.vmdk", "twoGbMaxExtentSparse, d-s001.vmdk", "twoGbMaxExtentFlat, d-f001.vmdk"})
    void aDescriptorNamingItsExtentsIsRefused(String subformat, String extent) throws Exception {
        assumeInstalled("qemu-img");
        Path descriptor = dir.resolve("d.vmdk");
        run("qemu-img", "create", "-q", "-f", "vmdk", "-o", "subformat=" + subformat, descriptor.toString(), "16M");
        assertTrue(Files.exists(dir.resolve(extent)), extent);
        assertRefusedNaming(descriptor, extent);
    }

    @Test
    void aSnapshotChildIsRefused() throws Exception {
        assumeInstalled("qemu-img");
        Path base = dir.resolve("base.vmdk");
        Path child = dir.resolve("child.vmdk");
        run("qemu-img", "create", "-q", "-f", "vmdk", base.toString(), "16M");
        run("qemu-img", "create", "-q", "-f", "vmdk", "-b", base.toString(), "-F", "vmdk", child.toString());
        assertRefusedNaming(child, "base.vmdk");
    }

    /**
     * The extent file of a split snapshot child, as VMware writes it (no embedded descriptor; its descriptor
     * and parent are other files). Read alone, the grains it lacks read as zeros: the ext4 bitmap, still in
     * the parent, says every block is free, including the superblock and file data the child does hold.
     */
    @Test
    void anExtentOfASplitSnapshotChildIsRefused() throws Exception {
        assumeInstalled("qemu-img", "qemu-io", "mkfs.ext4", "debugfs", "dumpe2fs", "dd");
        Path base = ext4WithBitmapsAfterTheFirstGrain("base.raw");
        Path baseVmdk = dir.resolve("base.vmdk");
        run("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=twoGbMaxExtentSparse", base.toString(),
                baseVmdk.toString());
        Path child = dir.resolve("child.vmdk");
        run("qemu-img", "create", "-q", "-f", "vmdk", "-o", "subformat=twoGbMaxExtentSparse", "-b",
                baseVmdk.toString(), "-F", "vmdk", child.toString());
        // The guest rewrites its superblock and, in place, the start of kept.bin.
        String firstBlock = run("debugfs", "-R", "bmap /kept.bin 0", base.toString()).lines()
                .filter(line -> line.matches("\\d+")).findFirst().orElseThrow();
        long dataAt = Long.parseLong(firstBlock) * 1024;
        Path superblock = extract(base, 0, CLUSTER, "superblock.bin");
        Path data = extract(base, dataAt, GRAIN, "data.bin");
        run("qemu-io", "-f", "vmdk", "-c", "write -q -s " + superblock + " 0 " + CLUSTER, "-c",
                "write -q -s " + data + " " + dataAt + " " + GRAIN, child.toString());
        Path extent = dir.resolve("child-s001.vmdk");
        patchLong(extent, 28, 0); // descriptorOffset
        patchLong(extent, 36, 0); // descriptorSize
        assertRefusedOrNoneFree(extent);
    }

    /**
     * An ESX redo log ({@code COWD}) alone, whose parent holds the block bitmap: every grain it holds is
     * in use by the guest.
     */
    @Test
    void aRedoLogIsRefused() throws Exception {
        assumeInstalled("mkfs.ext4", "debugfs", "dumpe2fs");
        Path fs = ext4WithBitmapsAfterTheFirstGrain("fs.img");
        byte[] disk = Files.readAllBytes(fs);
        int bitmapGrain = (int) blockBitmapGrain(fs) * GRAIN;
        Arrays.fill(disk, bitmapGrain, bitmapGrain + GRAIN, (byte) 0); // not in the log: the parent has it
        Path log = Files.write(dir.resolve("x-delta.vmdk"), SynthesisedExtents.cowd(disk));
        assertRefusedOrNoneFree(log);
    }

    @Test
    void aCorruptSparseVmdkGivesOnlyTheProjectsExceptions() throws Exception {
        assumeInstalled("qemu-img", "sfdisk", "mkfs.ext4", "debugfs", "dd");
        byte[] good = Files.readAllBytes(smallSparseVmdk(smallExt4Partition()));
        int directory = grainDirectoryAt(good);
        int table = grainTableAt(good);
        int firstGrain = littleEndian(good).getInt(table) * SECTOR;
        assertTrue(FileUsageMap.read(new ByteArraySource(good), "small.vmdk").freeBytes() > 0);

        int[][] patches = {
            {4, 7},                     // version
            {19, 0x7f},                 // capacity huge
            {20, 3},                    // grainSize not a power of two
            {45, 0x10},                 // numGTEsPerGT above 512
            {31, 0x7f},                 // descriptorOffset huge
            {59, 0x7f},                 // gdOffset huge
            {directory + 3, 0x7f},      // grain table 0 far past the end
            {table + 3, 0x7f},          // grain 0 far past the end
        };
        CorruptImages.assertEachPatchRejected(dir, good, patches, source -> {
            try {
                return FileUsageMap.read(source, "small.vmdk");
            } catch (UnsupportedFormatException e) {
                throw new AssertionError("malformed input refused as unsupported", e);
            }
        });

        // Every byte of the header and many of the grain directory and tables, set to assorted values.
        Random random = new Random(9);
        List<int[]> changes = new ArrayList<>();
        for (int at = 0; at < SECTOR; at++) {
            changes.add(new int[] {at, 0});
            changes.add(new int[] {at, 0xff});
            changes.add(new int[] {at, random.nextInt(256)});
        }
        for (int i = 0; i < 1500; i++) {
            changes.add(new int[] {SECTOR + random.nextInt(firstGrain - SECTOR), random.nextInt(256)});
        }
        byte[] bad = good.clone();
        for (int[] change : changes) {
            bad[change[0]] = (byte) change[1];
            String patch = "byte " + change[0] + " = " + change[1];
            try {
                assertInsideTheFile(FileUsageMap.read(new ByteArraySource(bad), "small.vmdk"), bad.length, patch);
            } catch (MalformedInputException | UnsupportedFormatException | IOException refused) {
                assertTrue(refused.getMessage() != null && !refused.getMessage().isBlank(), patch + ": " + refused);
            } catch (RuntimeException e) {
                fail(patch + ": " + e, e);
            }
            bad[change[0]] = good[change[0]];
        }
    }

    /**
     * A corrupt grain table entry sends a free guest grain to the file grain of an in-use one (in the middle
     * of kept.bin).
     * That file grain holds data the guest uses, so it is not free.
     */
    @Test
    void aGrainAlsoHoldingInUseDataIsNotFree() throws Exception {
        assumeInstalled("qemu-img", "sfdisk", "mkfs.ext4", "debugfs", "dd");
        Ext4Partition part = smallExt4Partition();
        byte[] vmdk = Files.readAllBytes(smallSparseVmdk(part));
        FileUsageMap good = FileUsageMap.read(new ByteArraySource(vmdk), "small.vmdk");
        ByteBuffer table = littleEndian(vmdk).position(grainTableAt(vmdk)).slice().order(ByteOrder.LITTLE_ENDIAN);
        String keptBlock = run("debugfs", "-R", "bmap /kept.bin 128", part.image().toString()).lines()
                .filter(line -> line.matches("\\d+")).findFirst().orElseThrow();
        int keptGrain = (int) ((part.offset() + Long.parseLong(keptBlock) * CLUSTER) / GRAIN);
        long keptAt = table.getInt(4 * keptGrain) * (long) SECTOR;
        assertEquals(List.of(), good.freeWithin(keptAt, GRAIN));
        int freeGrain = 0;
        while (table.getInt(4 * freeGrain) == 0 || !good.whollyFree(table.getInt(4 * freeGrain) * (long) SECTOR, GRAIN)) {
            freeGrain++;
        }
        table.putInt(4 * freeGrain, table.getInt(4 * keptGrain));

        FileUsageMap corrupt = FileUsageMap.read(new ByteArraySource(vmdk), "small.vmdk");
        assertEquals(List.of(), corrupt.freeWithin(keptAt, GRAIN), "kept.bin's grain");
        for (int i = 1; i < corrupt.free().size(); i++) {
            assertTrue(corrupt.free().get(i - 1).end() < corrupt.free().get(i).offset(), "disjoint: " + corrupt.free());
        }
    }

    /** A whole-disk ext4 holding a file, with 1 KiB blocks, so its bitmaps are in another grain than its superblock. */
    private Path ext4WithBitmapsAfterTheFirstGrain(String name) throws Exception {
        Path tree = Files.createDirectories(dir.resolve(name + "-tree"));
        Files.write(tree.resolve("kept.bin"), randomBytes(new Random(4), 2 * MIB));
        Path fs = dir.resolve(name);
        run("mkfs.ext4", "-q", "-F", "-b", "1024", "-d", tree.toString(), fs.toString(), "16M");
        assertTrue(blockBitmapGrain(fs) > 0, "the block bitmap shares the superblock's grain");
        return fs;
    }

    private static long blockBitmapGrain(Path fs) throws Exception {
        Matcher bitmap = Pattern.compile("Block bitmap at (\\d+)").matcher(run("dumpe2fs", fs.toString()));
        assertTrue(bitmap.find(), "dumpe2fs names the block bitmap");
        return Long.parseLong(bitmap.group(1)) * 1024 / GRAIN;
    }

    private Ext4Partition smallExt4Partition() throws Exception {
        return ext4Partition("small", 2048, 12, MIB, 3 * MIB, 6);
    }

    /** A monolithicSparse VMDK of a 16 MiB MBR disk holding {@code part}. */
    private Path smallSparseVmdk(Ext4Partition part) throws Exception {
        Path raw = sizedFile("small.raw", 16);
        partition(raw, "start=" + part.startSector() + ", size=" + part.sizeMib() * MIB / SECTOR + ", type=83");
        writeAt(part.image(), raw, part.offset());
        Path vmdk = dir.resolve("small.vmdk");
        run("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=monolithicSparse", raw.toString(),
                vmdk.toString());
        return vmdk;
    }

    private static ByteBuffer littleEndian(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Where a sparse extent's grain directory is (the header's gdOffset). */
    private static int grainDirectoryAt(byte[] vmdk) {
        return (int) littleEndian(vmdk).getLong(56) * SECTOR;
    }

    /** Where a sparse extent's first grain table is. */
    private static int grainTableAt(byte[] vmdk) {
        return littleEndian(vmdk).getInt(grainDirectoryAt(vmdk)) * SECTOR;
    }

    /** An MBR disk with two ext4 partitions, each holding a deleted file's stale data, and data in the gap after. */
    private Ext4Disk ext4Disk() throws Exception {
        // Partition 1 starts at sector 63, as on older disks: its 4 KiB blocks straddle the VMDK's 64 KiB grains.
        List<Ext4Partition> partitions = List.of(ext4Partition("p1", 63, 16, 2 * MIB, 6 * MIB, 1),
                ext4Partition("p2", 34816, 24, 3 * MIB, 8 * MIB, 2));
        Path raw = sizedFile("disk.raw", 48);
        StringBuilder table = new StringBuilder();
        for (Ext4Partition p : partitions) {
            table.append("start=").append(p.startSector()).append(", size=").append(p.sizeMib() * MIB / SECTOR)
                    .append(", type=83\n");
        }
        partition(raw, table.toString());
        for (Ext4Partition p : partitions) {
            writeAt(p.image(), raw, p.offset());
        }
        // Unpartitioned space counts as in use, whatever it holds.
        Path unpartitioned = Files.write(dir.resolve("unpartitioned.bin"), randomBytes(new Random(3), 7 * MIB));
        writeAt(unpartitioned, raw, 41L * MIB);
        return new Ext4Disk(raw, partitions);
    }

    /** An ext4 file system with a kept file, text, small files, and the blocks of a deleted random file. */
    private Ext4Partition ext4Partition(String name, long startSector, int sizeMib, int keptBytes, int deletedBytes,
            long seed) throws Exception {
        Random random = new Random(seed);
        Path tree = Files.createDirectories(dir.resolve(name + "-tree"));
        Files.write(tree.resolve("kept.bin"), randomBytes(random, keptBytes));
        Files.writeString(tree.resolve("notes.txt"), ("notes on " + name + "\n").repeat(4000));
        Path small = Files.createDirectories(tree.resolve("small"));
        for (int i = 0; i < 12; i++) {
            Files.write(small.resolve("f" + i), randomBytes(random, 1 + random.nextInt(20000)));
        }
        Path deleted = Files.write(tree.resolve("gone.bin"), randomBytes(random, deletedBytes));
        Path image = dir.resolve(name + ".ext4");
        run("mkfs.ext4", "-q", "-F", "-b", "4096", "-d", tree.toString(), image.toString(), sizeMib + "M");
        run("debugfs", "-w", "-R", "rm /gone.bin", image.toString());
        Files.delete(deleted);
        return new Ext4Partition(startSector, sizeMib, image, tree, deletedBytes);
    }

    /** The guest bytes ext4 calls free, from {@code dumpe2fs}'s per-group free block lists, merged. */
    private static List<ByteRange> guestFree(Ext4Disk disk) throws Exception {
        List<ByteRange> free = new ArrayList<>();
        for (Ext4Partition p : disk.partitions()) {
            Matcher group = GROUP_FREE_BLOCKS.matcher(run("dumpe2fs", p.image().toString()));
            while (group.find()) {
                for (String blocks : group.group(1).split(",")) {
                    if (blocks.isBlank()) {
                        continue;
                    }
                    String[] ends = blocks.strip().split("-");
                    long first = Long.parseLong(ends[0]);
                    long last = Long.parseLong(ends[ends.length - 1]);
                    addMerging(free, new ByteRange(p.offset() + first * CLUSTER, (last - first + 1) * CLUSTER));
                }
            }
        }
        return free;
    }

    private static void addMerging(List<ByteRange> ranges, ByteRange range) {
        ByteRange last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
        if (last != null && last.end() == range.offset()) {
            ranges.set(ranges.size() - 1, new ByteRange(last.offset(), last.length() + range.length()));
        } else {
            ranges.add(range);
        }
    }

    /** The guest runs a VMDK stores in itself, from {@code qemu-img map}. */
    private static List<StoredRun> storedRuns(Path vmdk) throws Exception {
        List<StoredRun> runs = new ArrayList<>();
        Matcher entry = QEMU_DATA_EXTENT.matcher(run("qemu-img", "map", "--output=json", vmdk.toString()));
        while (entry.find()) {
            runs.add(new StoredRun(Long.parseLong(entry.group(1)), Long.parseLong(entry.group(2)),
                    Long.parseLong(entry.group(3))));
        }
        assertFalse(runs.isEmpty(), "qemu-img map lists no data");
        return runs;
    }

    /** The guest bytes {@code fileBytes} hold; every byte must be in a stored run. */
    private static List<ByteRange> guestRuns(ByteRange fileBytes, List<StoredRun> stored) {
        List<ByteRange> guest = new ArrayList<>();
        for (long at = fileBytes.offset(); at < fileBytes.end(); ) {
            long position = at;
            Optional<StoredRun> holding = stored.stream()
                    .filter(r -> r.fileOffset() <= position && position < r.fileEnd()).findFirst();
            assertTrue(holding.isPresent(), "free file byte " + at + " holds no guest data (VMDK metadata?)");
            long end = Math.min(fileBytes.end(), holding.get().fileEnd());
            guest.add(new ByteRange(holding.get().guestOffset() + at - holding.get().fileOffset(), end - at));
            at = end;
        }
        return guest;
    }

    /**
     * {@code scrubbedRaw} (the guest disk of a copy with the map's free bytes zeroed) must be the original
     * disk with exactly the guest-free bytes zeroed, with clean file systems holding the same files.
     */
    private void assertIntactButFreeZeroed(Ext4Disk disk, Path scrubbedRaw, List<ByteRange> guestFree)
            throws Exception {
        byte[] expected = Files.readAllBytes(disk.raw());
        for (ByteRange free : guestFree) {
            Arrays.fill(expected, (int) free.offset(), (int) free.end(), (byte) 0);
        }
        byte[] actual = Files.readAllBytes(scrubbedRaw);
        assertEquals(expected.length, actual.length);
        assertEquals(-1, Arrays.mismatch(expected, actual), "first byte not as expected");
        for (Ext4Partition p : disk.partitions()) {
            Path copy = extract(scrubbedRaw, p.offset(), (long) p.sizeMib() * MIB, "copy.ext4");
            run("e2fsck", "-fn", copy.toString());
            for (Path file : filesIn(p.tree())) {
                Path out = dir.resolve("dumped");
                Files.deleteIfExists(out);
                run("debugfs", "-R", "dump /" + p.tree().relativize(file) + " " + out, copy.toString());
                assertEquals(sha256(file), sha256(out), file.toString());
            }
        }
    }

    /**
     * {@link FileUsageMap#freeWithin} and {@link FileUsageMap#whollyFree} agree with clipping the free list,
     * on windows that match, cross and fall between its ranges.
     */
    private static void assertProbesAgree(FileUsageMap map) {
        List<ByteRange> free = map.free();
        assertFalse(free.isEmpty());
        List<long[]> windows = new ArrayList<>();
        windows.add(new long[] {0, map.fileSize()});
        windows.add(new long[] {free.get(0).offset(), 0});
        for (int i : new int[] {0, free.size() / 2, free.size() - 1}) {
            ByteRange r = free.get(i);
            windows.add(new long[] {r.offset(), r.length()});
            windows.add(new long[] {r.offset() - 1, r.length() + 2});
            windows.add(new long[] {r.offset() + 1, r.length() - 2});
            windows.add(new long[] {r.offset() - 1, 2});
            windows.add(new long[] {r.end() - 1, 2});
            windows.add(new long[] {r.end(), 1});
            if (i + 1 < free.size()) {
                windows.add(new long[] {r.end() - 1, free.get(i + 1).offset() - r.end() + 2});
                windows.add(new long[] {r.end(), free.get(i + 1).offset() - r.end()});
            }
        }
        for (long[] w : windows) {
            List<ByteRange> clipped = new ArrayList<>();
            for (ByteRange r : free) {
                long from = Math.max(w[0], r.offset());
                long to = Math.min(w[0] + w[1], r.end());
                if (from < to) {
                    clipped.add(new ByteRange(from, to - from));
                }
            }
            String window = "[" + w[0] + ", +" + w[1] + ")";
            assertEquals(clipped, map.freeWithin(w[0], w[1]), window);
            long clippedBytes = clipped.stream().mapToLong(ByteRange::length).sum();
            assertEquals(w[1] > 0 && clippedBytes == w[1], map.whollyFree(w[0], w[1]), window);
        }
        ByteRange first = free.get(0);
        assertTrue(map.whollyFree(first.offset(), first.length()));
        assertFalse(map.whollyFree(first.offset() - 1, first.length() + 1));
    }

    /** Free ranges not empty, inside the file. */
    private static void assertInsideTheFile(FileUsageMap map, long fileSize, String what) {
        for (ByteRange r : map.free()) {
            assertTrue(r.length() > 0 && r.offset() >= 0 && r.end() <= fileSize, what + ": " + r);
        }
    }

    private static void assertRefusedNaming(Path file, String otherFile) {
        Exception refused = assertThrows(Exception.class, () -> map(file));
        assertTrue(refused instanceof IOException || refused instanceof UnsupportedFormatException,
                "refused with " + refused);
        assertTrue(refused.getMessage() != null && refused.getMessage().contains(otherFile), refused.toString());
    }

    /** Either the map refuses the file, or it calls none of it free. */
    private static void assertRefusedOrNoneFree(Path file) throws Exception {
        try {
            assertEquals(List.of(), map(file).free(), file.getFileName() + " read alone");
        } catch (IOException | UnsupportedFormatException refused) {
            assertTrue(refused.getMessage() != null && !refused.getMessage().isBlank(), refused.toString());
        }
    }

    private static FileUsageMap map(Path file) throws Exception {
        try (FileSource source = FileSource.open(file)) {
            return FileUsageMap.read(source, file.getFileName().toString());
        }
    }

    /** A copy of {@code file} with the map's free bytes set to zero, as the receiving appliance writes it. */
    private Path scrubbedCopy(Path file, FileUsageMap map, String name) throws IOException {
        Path copy = Files.copy(file, dir.resolve(name));
        ByteBuffer zeros = ByteBuffer.allocate(1 << 16);
        try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            for (ByteRange free : map.free()) {
                for (long at = free.offset(); at < free.end(); ) {
                    zeros.clear().limit((int) Math.min(zeros.capacity(), free.end() - at));
                    at += channel.write(zeros, at);
                }
            }
        }
        return copy;
    }

    private Path sizedFile(String name, int mib) throws IOException {
        Path file = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength((long) mib * MIB);
        }
        return file;
    }

    private void partition(Path disk, String partitions) throws Exception {
        Path script = Files.writeString(dir.resolve("sfdisk.script"), "label: dos\n" + partitions);
        run("sh", "-c", "sfdisk -q --no-reread --no-tell-kernel '" + disk + "' < '" + script + "'");
    }

    private static void writeAt(Path source, Path disk, long offset) throws Exception {
        run("dd", "if=" + source, "of=" + disk, "bs=1M", "oflag=seek_bytes", "seek=" + offset, "conv=notrunc",
                "status=none");
    }

    private Path extract(Path disk, long offset, long length, String name) throws Exception {
        Path target = dir.resolve(name);
        run("dd", "if=" + disk, "of=" + target, "bs=1M", "iflag=skip_bytes,count_bytes", "skip=" + offset,
                "count=" + length, "status=none");
        return target;
    }

    private static void patchLong(Path file, long offset, long value) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value), offset);
        }
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static List<Path> filesIn(Path tree) throws IOException {
        try (Stream<Path> files = Files.walk(tree)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static String sha256(Path file) throws IOException {
        try (FileSource source = FileSource.open(file)) {
            return Sha256.of(source);
        }
    }

    /** The distinct 4 KiB clusters of {@code data}. */
    private static Set<ByteBuffer> clusters(byte[] data) {
        Set<ByteBuffer> clusters = new HashSet<>();
        for (int at = 0; at + CLUSTER <= data.length; at += CLUSTER) {
            clusters.add(ByteBuffer.wrap(Arrays.copyOfRange(data, at, at + CLUSTER)));
        }
        return clusters;
    }

    /** How many 4 KiB clusters of the volume {@code fs} are among {@code wanted}. */
    private static long clustersFound(Path fs, Set<ByteBuffer> wanted) throws IOException {
        byte[] volume = Files.readAllBytes(fs);
        long found = 0;
        for (int at = 0; at + CLUSTER <= volume.length; at += CLUSTER) {
            if (wanted.contains(ByteBuffer.wrap(volume, at, CLUSTER))) {
                found++;
            }
        }
        return found;
    }
}
