package io.wanopt.protocols.disk.partition;

import static io.wanopt.protocols.disk.ExternalCommand.assumeInstalled;
import static io.wanopt.protocols.disk.ExternalCommand.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.disk.ByteRange;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    void corruptTablesGiveMalformedInput() throws Exception {
        assumeInstalled("sfdisk", "sgdisk");
        Path mbr = mbrDisk();
        // The first EBR (at 8192 sectors) names itself as the next EBR: a loop.
        patch(mbr, 8192L * 512 + 446 + 16 + 4, new byte[] {0x05});
        patch(mbr, 8192L * 512 + 446 + 16 + 8, le32(0));
        patch(mbr, 8192L * 512 + 446 + 16 + 12, le32(2048));
        assertMalformed(mbr);

        Path pastEnd = mbrDisk();
        patch(pastEnd, 446 + 12, le32(0x7fffffff)); // partition 1 length past the disk
        assertMalformed(pastEnd);

        Path gpt = dir.resolve("gpt.img");
        allocate(gpt, 8 << 20);
        run("sgdisk", "-n", "1:2048:+2M", gpt.toString());
        patch(gpt, 1024 + 32, new byte[] {1});          // entry byte changed: entry-array CRC fails
        assertMalformed(gpt);
        run("sgdisk", "-Z", gpt.toString());
        run("sgdisk", "-n", "1:2048:+2M", gpt.toString());
        patch(gpt, 512 + 80, le32(0x7fffffff));          // entry count huge (header CRC fails first)
        assertMalformed(gpt);
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
