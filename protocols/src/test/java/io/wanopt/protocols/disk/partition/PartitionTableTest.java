package io.wanopt.protocols.disk.partition;

import static io.wanopt.protocols.disk.ExternalCommand.assumeInstalled;
import static io.wanopt.protocols.disk.ExternalCommand.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.disk.ByteRange;
import io.wanopt.protocols.disk.DiskUsageMap;
import io.wanopt.protocols.disk.FileSource;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PartitionTableTest {

    private static final Pattern DUMP_LINE = Pattern.compile(
            "(\\d+) : start=\\s*(\\d+), size=\\s*(\\d+), type=([0-9A-Fa-f-]+)");

    @TempDir
    Path dir;

    @Test
    void mbrWithExtendedAndLogicalPartitionsMatchesSfdisk() throws Exception {
        assumeInstalled("sfdisk");
        Path disk = mbrDisk();
        try (FileSource source = FileSource.open(disk)) {
            PartitionTable table = PartitionTable.read(source);
            assertEquals(PartitionTable.Scheme.MBR, table.scheme());
            assertEquals(sfdiskDump(disk), table.partitions());
            // Primary 1 and 3 plus logical 5 and 6, whose EBRs chain from the extended partition 2.
            assertEquals(List.of(1, 5, 6, 3), table.partitions().stream().map(Partition::number).toList());
            assertCovers(table);
        }
    }

    @Test
    void gptMatchesSfdisk() throws Exception {
        assumeInstalled("sgdisk", "sfdisk");
        Path disk = dir.resolve("gpt.img");
        allocate(disk, 32 << 20);
        run("sgdisk", "-n", "1:2048:+4M", "-t", "1:8300", "-n", "2:0:+8M", "-t", "2:0700", "-n", "3:0:+2M",
                "-t", "3:8e00", disk.toString());
        try (FileSource source = FileSource.open(disk)) {
            PartitionTable table = PartitionTable.read(source);
            assertEquals(PartitionTable.Scheme.GPT, table.scheme());
            assertEquals(sfdiskDump(disk), table.partitions());
            assertEquals("0FC63DAF-8483-4772-8E79-3D69D8477DE4", table.partitions().get(0).type());
            assertCovers(table);
        }
    }

    @Test
    void corruptMbrTablesGiveMalformedInput() throws Exception {
        assumeInstalled("sfdisk");
        Path mbr = mbrDisk();
        // The first EBR (at 8192 sectors) names itself as the next EBR: a loop.
        patch(mbr, 8192L * 512 + 446 + 16 + 4, new byte[] {0x05});
        patch(mbr, 8192L * 512 + 446 + 16 + 8, le32(0));
        patch(mbr, 8192L * 512 + 446 + 16 + 12, le32(2048));
        assertMalformed(mbr);

        Path pastEnd = mbrDisk();
        patch(pastEnd, 446 + 12, le32(0x7fffffff)); // partition 1 length past the disk
        assertMalformed(pastEnd);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgdisk", "sfdisk"})
    void zeroedPrimaryHeaderFallsBackToBackup(String tool) throws Exception {
        assumeInstalled("sfdisk");
        Path disk = gptDisk(tool);
        PartitionTable before = read(disk);
        assertEquals(Optional.empty(), before.note());
        assertEquals(sfdiskDump(disk), before.partitions());
        patch(disk, 512, new byte[512]);

        PartitionTable after = read(disk);
        assertEquals(PartitionTable.Scheme.GPT, after.scheme());
        assertEquals(before.partitions(), after.partitions());
        assertEquals(3, after.partitions().size());
        assertEquals(sfdiskDump(disk), after.partitions()); // libfdisk falls back to the backup too
        String note = after.note().orElseThrow();
        assertTrue(note.startsWith("backup GPT header at LBA " + lastLba(disk) + " used"), note);
        assertTrue(note.contains("GPT signature"), note);
        assertCovers(after);
    }

    @Test
    void corruptPrimaryEntryArrayFallsBackToBackup() throws Exception {
        assumeInstalled("sfdisk");
        Path disk = gptDisk("sgdisk");
        PartitionTable before = read(disk);
        patch(disk, 2 * 512 + 32, new byte[] {1});     // entry 1's first LBA: the array's CRC32 fails

        PartitionTable after = read(disk);
        assertEquals(before.partitions(), after.partitions());
        assertEquals(sfdiskDump(disk), after.partitions());
        String note = after.note().orElseThrow();
        assertTrue(note.contains("GPT entry array CRC32"), note);
        // The partitions still show through the map, from the backup.
        try (FileSource source = FileSource.open(disk)) {
            DiskUsageMap map = DiskUsageMap.ofRaw(source);
            assertEquals(PartitionTable.Scheme.GPT, map.scheme());
            assertEquals(Optional.of(note), map.tableNote(), "the map says the backup was used");
            assertEquals(before.partitions().stream().map(Partition::offset).toList(),
                    map.volumes().stream().map(DiskUsageMap.Volume::offset).toList());
        }
    }

    @Test
    void bothHeadersCorruptIsMalformedAndCountsInUse() throws Exception {
        Path zeroed = gptDisk("sgdisk");
        patch(zeroed, 512, new byte[512]);
        patch(zeroed, lastLba(zeroed) * 512, new byte[512]);
        assertBothRefused(zeroed, "GPT signature");

        Path badArrays = gptDisk("sgdisk");
        long backupEntries = le64(badArrays, lastLba(badArrays) * 512 + 72);
        patch(badArrays, 2 * 512 + 32, new byte[] {1});
        patch(badArrays, backupEntries * 512 + 32, new byte[] {1});
        assertBothRefused(badArrays, "GPT entry array CRC32");

        Path hugeCount = gptDisk("sgdisk");
        patch(hugeCount, 512 + 80, le32(0x7fffffff));  // header CRC fails before the count is used
        patch(hugeCount, lastLba(hugeCount) * 512 + 80, le32(0x7fffffff));
        assertBothRefused(hugeCount, "GPT header CRC32");
    }

    @Test
    void backupLeftBehindByGrownDiskIsRefused() throws Exception {
        Path disk = gptDisk("sgdisk");
        long oldLast = lastLba(disk);
        byte[] backup = new byte[512];
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.seek(oldLast * 512);
            f.readFully(backup);
            f.setLength(f.length() + (1 << 20));
        }
        // A valid backup header, CRC and all, but at the old end: its MyLBA is not the new last LBA.
        patch(disk, lastLba(disk) * 512, backup);
        assertEquals(Optional.empty(), read(disk).note());
        patch(disk, 512, new byte[512]);
        assertBothRefused(disk, "MyLBA " + oldLast);
    }

    /** Random bytes changed in the backup header and entry array behind a zeroed primary. */
    @Test
    void mutatedBackupIsReadOrRefusedCleanly() throws Exception {
        Path disk = gptDisk("sgdisk");
        List<Partition> good = read(disk).partitions();
        patch(disk, 512, new byte[512]);
        int tailLength = 33 * 512; // the backup entry array (32 sectors) and the backup header
        long tailAt = Files.size(disk) - tailLength;
        byte[] tail = new byte[tailLength];
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw"); FileSource source = FileSource.open(disk)) {
            f.seek(tailAt);
            f.readFully(tail);
            Random random = new Random(7);
            int read = 0;
            for (int round = 0; round < 300; round++) {
                byte[] bad = tail.clone();
                for (int i = 1 + random.nextInt(4); i > 0; i--) {
                    // Half the changes in the header, where every field matters.
                    int at = random.nextBoolean() ? tailLength - 512 + random.nextInt(92)
                            : random.nextInt(tailLength);
                    bad[at] = (byte) random.nextInt(256);
                }
                f.seek(tailAt);
                f.write(bad);
                try {
                    PartitionTable table = PartitionTable.read(source);
                    assertEquals(good, table.partitions(), "round " + round);
                    read++;
                } catch (MalformedInputException expected) {
                    // Refused the way callers rely on.
                }
            }
            // Every byte but the header sector's reserved tail (past its 92 bytes) is under a CRC32.
            assertTrue(read > 0, "no round read the backup");
        }
    }

    @Test
    void diskWithoutTableIsOneUnit() throws Exception {
        Path blank = dir.resolve("blank.img");
        allocate(blank, 1 << 20);
        try (FileSource source = FileSource.open(blank)) {
            PartitionTable table = PartitionTable.read(source);
            assertEquals(PartitionTable.Scheme.NONE, table.scheme());
            assertEquals(List.of(new ByteRange(0, 1 << 20)), table.gaps());
        }
    }

    private Path mbrDisk() throws Exception {
        Path disk = Files.createTempFile(dir, "mbr", ".img");
        allocate(disk, 32 << 20);
        Files.writeString(dir.resolve("mbr.sfdisk"), """
                label: dos
                unit: sectors
                start=2048, size=4096, type=83
                start=8192, size=40960, type=5
                start=51200, size=8192, type=7
                start=10240, size=8192, type=83
                start=20480, size=4096, type=82
                """);
        run("sh", "-c", "sfdisk --no-reread --no-tell-kernel " + disk + " < " + dir.resolve("mbr.sfdisk"));
        return disk;
    }

    /** The data partitions {@code sfdisk -d} lists (extended containers left out), by start. */
    private static List<Partition> sfdiskDump(Path disk) throws Exception {
        List<Partition> partitions = new ArrayList<>();
        Matcher m = DUMP_LINE.matcher(run("sfdisk", "-d", disk.toString()).replace(disk.toString(), ""));
        while (m.find()) {
            String type = m.group(4).toUpperCase(Locale.ROOT);
            if (type.equals("5") || type.equals("F") || type.equals("85")) {
                continue;
            }
            String shown = type.contains("-") ? type : String.format(Locale.ROOT, "0x%02x", Integer.parseInt(type, 16));
            partitions.add(new Partition(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)) * 512,
                    Long.parseLong(m.group(3)) * 512, shown));
        }
        partitions.sort(Comparator.comparingLong(Partition::offset));
        return partitions;
    }

    private static void assertCovers(PartitionTable table) {
        List<ByteRange> pieces = new ArrayList<>(table.gaps());
        table.partitions().forEach(p -> pieces.add(new ByteRange(p.offset(), p.length())));
        pieces.sort(Comparator.comparingLong(ByteRange::offset));
        long at = 0;
        for (ByteRange piece : pieces) {
            assertEquals(at, piece.offset());
            at = piece.end();
        }
        assertEquals(table.diskSize(), at);
    }

    /** A 32 MiB GPT disk with three partitions, written by {@code sgdisk} or {@code sfdisk}. */
    private Path gptDisk(String tool) throws Exception {
        assumeInstalled(tool);
        Path disk = Files.createTempFile(dir, "gpt", ".img");
        allocate(disk, 32 << 20);
        if (tool.equals("sgdisk")) {
            run("sgdisk", "-n", "1:2048:+4M", "-t", "1:8300", "-n", "2:0:+8M", "-t", "2:0700", "-n", "3:0:+2M",
                    "-t", "3:8e00", disk.toString());
        } else {
            Path script = dir.resolve("gpt.sfdisk");
            Files.writeString(script, """
                    label: gpt
                    unit: sectors
                    start=2048, size=8192, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4
                    start=10240, size=16384, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7
                    start=26624, size=4096, type=E6D6D379-F507-44C2-A23C-238F2A3DF928
                    """);
            run("sh", "-c", "sfdisk --no-reread --no-tell-kernel " + disk + " < " + script);
        }
        return disk;
    }

    private static PartitionTable read(Path disk) throws IOException {
        try (FileSource source = FileSource.open(disk)) {
            return PartitionTable.read(source);
        }
    }

    /** Both headers refused: the table is malformed and the map counts the whole disk in use, saying why. */
    private static void assertBothRefused(Path disk, String backupReason) throws IOException {
        try (FileSource source = FileSource.open(disk)) {
            MalformedInputException e = assertThrows(MalformedInputException.class,
                    () -> PartitionTable.read(source));
            assertTrue(e.getMessage().startsWith("primary GPT header at LBA 1: "), e.getMessage());
            assertTrue(e.getMessage().contains("; backup GPT header at LBA " + lastLba(disk) + ": "), e.getMessage());
            assertTrue(e.getMessage().contains(backupReason), e.getMessage());

            DiskUsageMap map = DiskUsageMap.ofRaw(source);
            assertEquals(PartitionTable.Scheme.NONE, map.scheme());
            assertEquals(1, map.volumes().size());
            assertEquals("partition table: " + e.getMessage(), map.volumes().get(0).inUseNote().orElseThrow());
            assertEquals(Files.size(disk), map.bytes(DiskUsageMap.State.IN_USE));
        }
    }

    private static long lastLba(Path disk) throws IOException {
        return Files.size(disk) / 512 - 1;
    }

    private static long le64(Path file, long at) throws IOException {
        byte[] bytes = new byte[8];
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            f.seek(at);
            f.readFully(bytes);
        }
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private void assertMalformed(Path disk) throws IOException {
        try (FileSource source = FileSource.open(disk)) {
            assertThrows(MalformedInputException.class, () -> PartitionTable.read(source), disk.toString());
        }
    }

    private static void allocate(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
    }

    private static void patch(Path file, long at, byte[] bytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            f.write(bytes);
        }
    }

    private static byte[] le32(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
    }
}
