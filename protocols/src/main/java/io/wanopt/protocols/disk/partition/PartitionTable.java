package io.wanopt.protocols.disk.partition;

import static io.wanopt.protocols.disk.SourceReads.u16;
import static io.wanopt.protocols.disk.SourceReads.u32;
import static io.wanopt.protocols.disk.SourceReads.u64;

import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.disk.ByteRange;
import io.wanopt.protocols.disk.RandomAccessSource;
import io.wanopt.protocols.disk.SourceReads;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * The partitions of a guest disk with 512-byte sectors: an MBR (primary partitions and the logical
 * partitions of an extended partition's EBR chain) or a GPT (behind its protective MBR; from the backup
 * header at the last LBA when the primary one or its entry array is corrupt). Extended containers are
 * not listed; their EBR sectors fall in {@link #gaps()}, which a map counts as in use like partitions of
 * unknown type (gaps can hold boot loaders).
 *
 * @param scheme     what kind of table the disk has
 * @param diskSize   the disk's size in bytes
 * @param partitions the partitions, by start offset
 * @param note       how the table was read when not from its primary copy: which backup was used and why
 *                   the primary was refused
 */
public record PartitionTable(Scheme scheme, long diskSize, List<Partition> partitions, Optional<String> note) {

    /** Most logical partitions followed in an EBR chain. */
    public static final int MAX_LOGICAL_PARTITIONS = 256;
    /** Largest GPT entry array read (128 entries of 128 bytes need 16 KiB). */
    public static final int MAX_GPT_ENTRY_BYTES = 1 << 20;

    private static final int SECTOR = 512;
    private static final int MBR_ENTRIES = 446;
    private static final int GPT_PROTECTIVE = 0xee;
    private static final long GPT_SIGNATURE = 0x5452415020494645L; // "EFI PART" read little-endian
    private static final long PRIMARY_GPT_LBA = 1;

    /** The kinds of partition table. */
    public enum Scheme {
        /** No partition table (a whole-disk file system, or unrecognised): the disk is one unit. */
        NONE,
        /** MS-DOS master boot record. */
        MBR,
        /** GUID partition table. */
        GPT
    }

    /** Reads the partition table of {@code disk}. */
    public static PartitionTable read(RandomAccessSource disk) throws IOException {
        long size = disk.size();
        if (size < 2 * SECTOR) {
            return new PartitionTable(Scheme.NONE, size, List.of(), Optional.empty());
        }
        byte[] mbr = SourceReads.read(disk, 0, SECTOR, SECTOR, "MBR");
        if (u16(mbr, 510) != 0xaa55 || wholeDiskFileSystem(disk, mbr)) {
            return new PartitionTable(Scheme.NONE, size, List.of(), Optional.empty());
        }
        for (int i = 0; i < 4; i++) {
            if ((mbr[MBR_ENTRIES + 16 * i + 4] & 0xff) == GPT_PROTECTIVE) {
                return readGpt(disk, size);
            }
        }
        return readMbr(disk, mbr, size);
    }

    /** The parts of the disk no partition covers (table sectors, EBRs, boot loaders, unused space). */
    public List<ByteRange> gaps() {
        List<ByteRange> gaps = new ArrayList<>();
        long at = 0;
        for (Partition p : partitions) {
            if (p.offset() > at) {
                gaps.add(new ByteRange(at, p.offset() - at));
            }
            at = Math.max(at, p.end());
        }
        if (at < diskSize) {
            gaps.add(new ByteRange(at, diskSize - at));
        }
        return gaps;
    }

    private static boolean wholeDiskFileSystem(RandomAccessSource disk, byte[] sector0) throws IOException {
        // An NTFS boot sector also ends in 55 AA and would parse as nonsense partitions.
        if (new String(sector0, 3, 8, StandardCharsets.US_ASCII).equals("NTFS    ")) {
            return true;
        }
        byte[] magic = new byte[2];
        return disk.size() >= 1082 && disk.read(1080, magic, 0, 2) == 2 && u16(magic, 0) == 0xef53;
    }

    private static PartitionTable readMbr(RandomAccessSource disk, byte[] mbr, long size) throws IOException {
        List<Partition> partitions = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int entry = MBR_ENTRIES + 16 * i;
            int type = mbr[entry + 4] & 0xff;
            long start = u32(mbr, entry + 8) * SECTOR;
            long length = u32(mbr, entry + 12) * SECTOR;
            if (type == 0 || length == 0) {
                continue;
            }
            checkInside("MBR partition " + (i + 1), start, length, size, entry);
            if (type == 0x05 || type == 0x0f || type == 0x85) {
                readLogical(disk, start, length, partitions);
            } else {
                partitions.add(new Partition(i + 1, start, length, String.format(Locale.ROOT, "0x%02x", type)));
            }
        }
        partitions.sort(Comparator.comparingLong(Partition::offset));
        return new PartitionTable(Scheme.MBR, size, List.copyOf(partitions), Optional.empty());
    }

    /**
     * Follows the EBR chain: each EBR's first entry is a logical partition relative to that EBR, its
     * second entry the next EBR relative to the extended partition's start.
     */
    private static void readLogical(RandomAccessSource disk, long extendedStart, long extendedLength,
            List<Partition> partitions) throws IOException {
        Set<Long> seen = new HashSet<>();
        long ebr = extendedStart;
        int number = 5;
        while (true) {
            if (!seen.add(ebr)) {
                throw MalformedInputException.invalid("EBR chain offset", ebr, "an EBR not visited before", ebr);
            }
            if (seen.size() > MAX_LOGICAL_PARTITIONS) {
                throw MalformedInputException.outOfRange("logical partition count", seen.size(),
                        MAX_LOGICAL_PARTITIONS, ebr);
            }
            byte[] sector = SourceReads.read(disk, ebr, SECTOR, SECTOR, "EBR");
            if (u16(sector, 510) != 0xaa55) {
                throw MalformedInputException.invalid("EBR signature", u16(sector, 510), "0xaa55", ebr + 510);
            }
            int type = sector[MBR_ENTRIES + 4] & 0xff;
            long start = ebr + u32(sector, MBR_ENTRIES + 8) * SECTOR;
            long length = u32(sector, MBR_ENTRIES + 12) * SECTOR;
            if (type != 0 && length != 0) {
                checkInside("logical partition " + number, start, length, extendedStart + extendedLength,
                        ebr + MBR_ENTRIES);
                partitions.add(new Partition(number, start, length, String.format(Locale.ROOT, "0x%02x", type)));
                number++;
            }
            int next = MBR_ENTRIES + 16;
            if ((sector[next + 4] & 0xff) == 0 || u32(sector, next + 12) == 0) {
                return;
            }
            ebr = extendedStart + u32(sector, next + 8) * SECTOR;
            checkInside("next EBR", ebr, SECTOR, extendedStart + extendedLength, ebr);
        }
    }

    /**
     * The GPT behind a protective MBR. UEFI 2.x §5.3.2: when the primary header at LBA 1 or the entry
     * array it names fails its checks, the backup header at the disk's last LBA (with its own entry
     * array) describes the same partitions; only when both fail is the table malformed.
     */
    private static PartitionTable readGpt(RandomAccessSource disk, long size) throws IOException {
        try {
            return new PartitionTable(Scheme.GPT, size, gptPartitions(disk, size, PRIMARY_GPT_LBA), Optional.empty());
        } catch (MalformedInputException primaryError) {
            long lastLba = size / SECTOR - 1;
            try {
                List<Partition> partitions = gptPartitions(disk, size, lastLba);
                return new PartitionTable(Scheme.GPT, size, partitions, Optional.of("backup GPT header at LBA "
                        + lastLba + " used, the primary at LBA 1 is unusable: " + primaryError.getMessage()));
            } catch (MalformedInputException backupError) {
                MalformedInputException both = new MalformedInputException("primary GPT header at LBA 1: "
                        + primaryError.getMessage() + "; backup GPT header at LBA " + lastLba + ": "
                        + backupError.getMessage());
                both.initCause(primaryError);
                both.addSuppressed(backupError);
                throw both;
            }
        }
    }

    /** The partitions of the GPT whose header is at {@code headerLba}, once header and entry array pass. */
    private static List<Partition> gptPartitions(RandomAccessSource disk, long size, long headerLba)
            throws IOException {
        long sectors = size / SECTOR;
        long headerAt = headerLba * SECTOR;
        byte[] header = SourceReads.read(disk, headerAt, SECTOR, SECTOR, "GPT header");
        if (u64(header, 0) != GPT_SIGNATURE) {
            throw MalformedInputException.invalid("GPT signature", u64(header, 0), "\"EFI PART\"", headerAt);
        }
        long headerSize = u32(header, 12);
        if (headerSize < 92 || headerSize > SECTOR) {
            throw MalformedInputException.invalid("GPT header size", headerSize, "92..512", headerAt + 12);
        }
        long headerCrc = u32(header, 16);
        byte[] crcInput = header.clone();
        crcInput[16] = crcInput[17] = crcInput[18] = crcInput[19] = 0;
        checkCrc("GPT header", crcInput, (int) headerSize, headerCrc, headerAt + 16);
        // A header copied to the wrong place (or a stale backup after the disk grew) names another LBA.
        long myLba = u64(header, 24);
        if (myLba != headerLba) {
            throw MalformedInputException.invalid("GPT header MyLBA", myLba, "its own LBA " + headerLba,
                    headerAt + 24);
        }
        long entriesLba = u64(header, 72);
        long count = u32(header, 80);
        long entrySize = u32(header, 84);
        if (entrySize < 128 || entrySize > 4096 || entrySize % 8 != 0) {
            throw MalformedInputException.invalid("GPT entry size", entrySize, "a multiple of 8 in 128..4096",
                    headerAt + 84);
        }
        if (entriesLba < 0 || entriesLba > sectors) {
            throw MalformedInputException.outOfRange("GPT entries LBA", entriesLba, sectors, headerAt + 72);
        }
        byte[] entries = SourceReads.read(disk, entriesLba * SECTOR, count * entrySize, MAX_GPT_ENTRY_BYTES,
                "GPT entry array");
        checkCrc("GPT entry array", entries, entries.length, u32(header, 88), entriesLba * SECTOR);
        List<Partition> partitions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int at = (int) (i * entrySize);
            if (u64(entries, at) == 0 && u64(entries, at + 8) == 0) {
                continue;
            }
            long first = u64(entries, at + 32);
            long last = u64(entries, at + 40);
            long where = entriesLba * SECTOR + at;
            if (first < 0 || last < first || last >= sectors) {
                throw MalformedInputException.outOfRange("GPT partition " + (i + 1) + " last LBA", last,
                        sectors - 1, where + 40);
            }
            partitions.add(new Partition(i + 1, first * SECTOR, (last - first + 1) * SECTOR, guid(entries, at)));
        }
        partitions.sort(Comparator.comparingLong(Partition::offset));
        return List.copyOf(partitions);
    }

    private static void checkCrc(String what, byte[] bytes, int length, long expected, long offset) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, length);
        if (crc.getValue() != expected) {
            throw MalformedInputException.invalid(what + " CRC32", crc.getValue(), "the stored " + expected, offset);
        }
    }

    private static void checkInside(String what, long start, long length, long limit, long offset) {
        if (start + length > limit) {
            throw MalformedInputException.outOfRange(what + " end", start + length, limit, offset);
        }
    }

    /** A GUID as text: the first three fields are stored little-endian, the rest as bytes. */
    private static String guid(byte[] b, int at) {
        return String.format(Locale.ROOT, "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X", u32(b, at),
                u16(b, at + 4), u16(b, at + 6), b[at + 8], b[at + 9], b[at + 10], b[at + 11], b[at + 12], b[at + 13],
                b[at + 14], b[at + 15]);
    }
}
