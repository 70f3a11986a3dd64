package io.wanopt.protocols.disk.ntfs;

import static io.wanopt.protocols.disk.SourceReads.u16;
import static io.wanopt.protocols.disk.SourceReads.u32;
import static io.wanopt.protocols.disk.SourceReads.u64;

import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.disk.ByteRange;
import io.wanopt.protocols.disk.FileSystemUsage;
import io.wanopt.protocols.disk.RandomAccessSource;
import io.wanopt.protocols.disk.SourceReads;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Free clusters of an NTFS volume from its {@code $Bitmap} (MFT record 6), found through {@code $MFT}'s
 * own run list (the MFT may be fragmented) with update-sequence fix-ups applied. A volume marked dirty
 * in {@code $Volume}, or hibernated (a root {@code hiberfil.sys} starting with {@code hibr}), is wholly
 * in use; so is one whose {@code $Bitmap} data sits behind an attribute list (not read yet).
 */
public final class NtfsBitmap {

    /** Most free ranges listed; a volume more fragmented than this counts as wholly in use. */
    public static final int MAX_FREE_RANGES = 1 << 22;
    /** Most runs accepted in one run list. */
    public static final int MAX_RUNS = 1 << 16;

    private static final long RECORD_MAGIC = 0x454c4946L; // "FILE" read little-endian
    private static final int UPDATE_STRIDE = 512;
    private static final int RECORD_VOLUME = 3;
    private static final int RECORD_ROOT = 5;
    private static final int RECORD_BITMAP = 6;
    private static final long ATTR_INDEX_ROOT = 0x90;
    private static final long ATTR_INDEX_ALLOCATION = 0xa0;
    private static final long INDEX_MAGIC = 0x58444e49L; // "INDX" read little-endian
    private static final long INDEX_ENTRY_LAST = 0x2;
    /** Largest root directory index read. */
    private static final long MAX_INDEX_BYTES = 64L << 20;
    private static final long ATTR_ATTRIBUTE_LIST = 0x20;
    private static final long ATTR_VOLUME_INFORMATION = 0x70;
    private static final long ATTR_DATA = 0x80;
    private static final long ATTR_END = 0xffffffffL;
    private static final int VOLUME_IS_DIRTY = 0x1;
    private static final int READ_CHUNK = 1 << 20;

    private NtfsBitmap() {
    }

    /** Whether {@code volume} starts with an NTFS boot sector. */
    public static boolean probe(RandomAccessSource volume) throws IOException {
        byte[] oem = new byte[8];
        return volume.size() >= 512 && volume.read(3, oem, 0, 8) == 8
                && new String(oem, StandardCharsets.US_ASCII).equals("NTFS    ");
    }

    /** Reads the boot sector, {@code $MFT}'s run list, {@code $Volume} and {@code $Bitmap} of {@code volume}. */
    public static FileSystemUsage read(RandomAccessSource volume) throws IOException {
        BootSector boot = BootSector.read(volume);
        byte[] mftRecord0 = fixedUp(SourceReads.read(volume, boot.mftLcn * boot.clusterSize, boot.recordSize,
                boot.recordSize, "NTFS $MFT record 0"), boot.mftLcn * boot.clusterSize);
        Attribute mftData = find(mftRecord0, ATTR_DATA, boot.mftLcn * boot.clusterSize)
                .orElseThrow(() -> new MalformedInputException("NTFS $MFT has no unnamed $DATA attribute"));
        List<Run> mftRuns = mftData.runs(boot);

        byte[] volumeRecord = record(volume, boot, mftRuns, RECORD_VOLUME);
        Optional<Attribute> info = find(volumeRecord, ATTR_VOLUME_INFORMATION, -1);
        if (info.isPresent() && info.get().residentValueLength() >= 12
                && (u16(volumeRecord, info.get().residentValueOffset() + 10) & VOLUME_IS_DIRTY) != 0) {
            return FileSystemUsage.allInUse("ntfs", boot.clusterSize, boot.clusters,
                    "the volume is marked dirty: $LogFile not replayed, so $Bitmap may be stale");
        }
        if (hibernated(volume, boot, mftRuns)) {
            return FileSystemUsage.allInUse("ntfs", boot.clusterSize, boot.clusters,
                    "Windows is hibernated (hiberfil.sys starts with \"hibr\"): the volume is in use by a sleeping"
                    + " system");
        }
        byte[] bitmapRecord = record(volume, boot, mftRuns, RECORD_BITMAP);
        Optional<Attribute> bitmapData = find(bitmapRecord, ATTR_DATA, -1);
        if (bitmapData.isEmpty()) {
            if (find(bitmapRecord, ATTR_ATTRIBUTE_LIST, -1).isPresent()) {
                return FileSystemUsage.allInUse("ntfs", boot.clusterSize, boot.clusters,
                        "$Bitmap data behind an attribute list is not read yet");
            }
            throw new MalformedInputException("NTFS $Bitmap has no unnamed $DATA attribute");
        }
        List<Run> bitmapRuns = bitmapData.get().runs(boot);
        long needed = (boot.clusters + 7) / 8;
        if (bitmapData.get().dataSize() < needed) {
            throw MalformedInputException.truncated("NTFS $Bitmap", needed, bitmapData.get().dataSize(), -1);
        }
        return freeClusters(volume, boot, bitmapRuns, needed);
    }

    /**
     * Whether the root directory holds a {@code hiberfil.sys} whose data starts with {@code hibr}, as
     * Windows leaves it while hibernated or after a fast-startup shutdown (ntfs-3g refuses such volumes).
     * Every index entry is scanned, in the root node and in each index block, without walking the tree.
     */
    private static boolean hibernated(RandomAccessSource volume, BootSector boot, List<Run> mftRuns)
            throws IOException {
        byte[] root = record(volume, boot, mftRuns, RECORD_ROOT);
        Attribute indexRoot = find(root, ATTR_INDEX_ROOT, -RECORD_ROOT, true)
                .orElseThrow(() -> new MalformedInputException("NTFS root directory has no $INDEX_ROOT"));
        int value = indexRoot.residentValueOffset();
        long rootLength = indexRoot.residentValueLength();
        if (rootLength < 32) {
            throw MalformedInputException.truncated("NTFS $INDEX_ROOT", 32, rootLength, -RECORD_ROOT);
        }
        List<Long> candidates = new ArrayList<>();
        indexEntries(root, value + 16, (int) (value + rootLength), candidates);
        Optional<Attribute> allocation = find(root, ATTR_INDEX_ALLOCATION, -RECORD_ROOT, true);
        if (allocation.isPresent()) {
            long blockSize = u32(root, value + 8);
            if (blockSize < 512 || blockSize > 65536 || Long.bitCount(blockSize) != 1) {
                throw MalformedInputException.invalid("NTFS index block size", blockSize,
                        "a power of two in 512..65536", -RECORD_ROOT);
            }
            long size = allocation.get().dataSize();
            if (size < 0 || size > MAX_INDEX_BYTES) {
                throw MalformedInputException.outOfRange("NTFS root index size", size, MAX_INDEX_BYTES, -RECORD_ROOT);
            }
            List<Run> runs = allocation.get().runs(boot);
            byte[] block = new byte[(int) blockSize];
            for (long at = 0; at + blockSize <= size; at += blockSize) {
                readStream(volume, boot, runs, at, block, block.length);
                // Blocks not in use may hold anything; only INDX blocks hold entries.
                if (u32(block, 0) == INDEX_MAGIC) {
                    fixedUp(block, INDEX_MAGIC, -RECORD_ROOT);
                    indexEntries(block, 0x18, block.length, candidates);
                }
            }
        }
        for (long number : candidates) {
            if (number >= Integer.MAX_VALUE / boot.recordSize) {
                throw MalformedInputException.outOfRange("NTFS hiberfil.sys record", number,
                        Integer.MAX_VALUE / boot.recordSize, -RECORD_ROOT);
            }
            byte[] file = record(volume, boot, mftRuns, (int) number);
            Optional<Attribute> data = find(file, ATTR_DATA, -number);
            if (data.isEmpty()) {
                continue;
            }
            byte[] magic = new byte[4];
            if (data.get().residentValueLength() >= 4) {
                System.arraycopy(file, data.get().residentValueOffset(), magic, 0, 4);
            } else if (data.get().residentValueLength() < 0 && data.get().dataSize() >= 4) {
                readStream(volume, boot, data.get().runs(boot), 0, magic, 4);
            }
            if (new String(magic, StandardCharsets.US_ASCII).equalsIgnoreCase("hibr")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Adds the MFT record numbers of entries named {@code hiberfil.sys} in the index node whose header
     * is at {@code node} and which must end by {@code limit}.
     */
    private static void indexEntries(byte[] b, int node, int limit, List<Long> hiberfil) {
        long first = node + u32(b, node);
        long end = Math.min(limit, node + u32(b, node + 4));
        for (long at = first; at + 16 <= end; ) {
            int i = (int) at;
            int length = u16(b, i + 8);
            int keyLength = u16(b, i + 10);
            if (length < 16 || length % 8 != 0 || at + length > end || 16 + keyLength > length) {
                throw MalformedInputException.invalid("NTFS index entry length", length,
                        "a multiple of 8 from 16 within the node", at);
            }
            if ((u32(b, i + 12) & INDEX_ENTRY_LAST) != 0) {
                return;
            }
            if (keyLength >= 0x42) {
                int nameLength = b[i + 16 + 0x40] & 0xff;
                if (0x42 + 2 * nameLength <= keyLength && new String(b, i + 16 + 0x42, 2 * nameLength,
                        StandardCharsets.UTF_16LE).equalsIgnoreCase("hiberfil.sys")) {
                    hiberfil.add(u64(b, i) & 0xffffffffffffL);
                }
            }
            at += length;
        }
    }

    private static FileSystemUsage freeClusters(RandomAccessSource volume, BootSector boot, List<Run> runs,
            long bitmapBytes) throws IOException {
        List<ByteRange> free = new ArrayList<>();
        long freeClusters = 0;
        byte[] chunk = new byte[(int) Math.min(READ_CHUNK, bitmapBytes)];
        for (long at = 0; at < bitmapBytes; at += chunk.length) {
            int n = (int) Math.min(chunk.length, bitmapBytes - at);
            readStream(volume, boot, runs, at, chunk, n);
            for (int i = 0; i < n * 8; i++) {
                long lcn = at * 8 + i;
                if (lcn >= boot.clusters) {
                    break;
                }
                if ((chunk[i >>> 3] >> (i & 7) & 1) != 0) {
                    continue;
                }
                freeClusters++;
                long offset = lcn * boot.clusterSize;
                if (!free.isEmpty() && free.get(free.size() - 1).end() == offset) {
                    ByteRange last = free.get(free.size() - 1);
                    free.set(free.size() - 1, new ByteRange(last.offset(), last.length() + boot.clusterSize));
                } else if (free.size() == MAX_FREE_RANGES) {
                    return FileSystemUsage.allInUse("ntfs", boot.clusterSize, boot.clusters,
                            "more than " + MAX_FREE_RANGES + " free ranges");
                } else {
                    free.add(new ByteRange(offset, boot.clusterSize));
                }
            }
        }
        return new FileSystemUsage("ntfs", boot.clusterSize, boot.clusters, freeClusters, List.copyOf(free),
                Optional.empty());
    }

    /** MFT record {@code number}, read through the MFT's runs and fixed up. */
    private static byte[] record(RandomAccessSource volume, BootSector boot, List<Run> mftRuns, int number)
            throws IOException {
        byte[] record = new byte[boot.recordSize];
        readStream(volume, boot, mftRuns, (long) number * boot.recordSize, record, record.length);
        return fixedUp(record, -number);
    }

    /** Reads {@code length} bytes at {@code offset} of a non-resident stream; sparse runs read as zeros. */
    private static void readStream(RandomAccessSource volume, BootSector boot, List<Run> runs, long offset,
            byte[] dst, int length) throws IOException {
        int done = 0;
        for (Run run : runs) {
            long runStart = run.vcn * boot.clusterSize;
            long runEnd = runStart + run.length * boot.clusterSize;
            while (done < length && offset + done >= runStart && offset + done < runEnd) {
                long at = offset + done;
                int n = (int) Math.min(length - done, runEnd - at);
                if (run.lcn < 0) {
                    Arrays.fill(dst, done, done + n, (byte) 0);
                } else {
                    SourceReads.readFully(volume, run.lcn * boot.clusterSize + (at - runStart), dst, done, n,
                            "NTFS stream");
                }
                done += n;
            }
        }
        if (done < length) {
            throw MalformedInputException.truncated("NTFS stream read", length, done, offset);
        }
    }

    /**
     * Checks a record's magic and applies its update-sequence fix-ups: the last two bytes of every
     * 512-byte stride must equal the sequence number and are replaced by the saved originals.
     * {@code where} is the record's byte offset, or minus its number, for errors.
     */
    private static byte[] fixedUp(byte[] record, long where) {
        return fixedUp(record, RECORD_MAGIC, where);
    }

    /** {@link #fixedUp(byte[], long)} for a record or index block with the given magic. */
    private static byte[] fixedUp(byte[] record, long magic, long where) {
        if (u32(record, 0) != magic) {
            throw MalformedInputException.invalid("NTFS record magic", u32(record, 0), "0x" + Long.toHexString(magic),
                    where);
        }
        int usaOffset = u16(record, 4);
        int usaCount = u16(record, 6);
        int strides = record.length / UPDATE_STRIDE;
        if (usaCount != strides + 1 || usaOffset < 0x18 || usaOffset + 2 * usaCount > record.length) {
            throw MalformedInputException.invalid("NTFS update sequence count", usaCount, (strides + 1)
                    + " within the record", where);
        }
        for (int i = 0; i < strides; i++) {
            int end = (i + 1) * UPDATE_STRIDE - 2;
            if (u16(record, end) != u16(record, usaOffset)) {
                throw MalformedInputException.invalid("NTFS fix-up (torn write)", u16(record, end),
                        String.valueOf(u16(record, usaOffset)), where);
            }
            record[end] = record[usaOffset + 2 + 2 * i];
            record[end + 1] = record[usaOffset + 3 + 2 * i];
        }
        return record;
    }

    /** The first unnamed attribute of {@code type} in a fixed-up record. */
    private static Optional<Attribute> find(byte[] record, long type, long where) {
        return find(record, type, where, false);
    }

    /** The first attribute of {@code type} in a fixed-up record, unnamed unless {@code anyName}. */
    private static Optional<Attribute> find(byte[] record, long type, long where, boolean anyName) {
        int used = (int) Math.min(u32(record, 0x18), record.length);
        int at = u16(record, 0x14);
        while (at + 8 <= used) {
            long attrType = u32(record, at);
            if (attrType == ATTR_END) {
                return Optional.empty();
            }
            long length = u32(record, at + 4);
            if (length < 24 || length % 8 != 0 || at + length > used) {
                throw MalformedInputException.invalid("NTFS attribute length", length,
                        "a multiple of 8 from 24 within the record", where);
            }
            if (attrType == type && (anyName || record[at + 9] == 0)) {
                return Optional.of(new Attribute(record, at, (int) length));
            }
            at += (int) length;
        }
        return Optional.empty();
    }

    /** A cluster run of a non-resident stream; {@code lcn} is -1 for a sparse run. */
    private record Run(long vcn, long lcn, long length) {
    }

    /** One attribute within a record. */
    private record Attribute(byte[] record, int at, int length) {

        long residentValueLength() {
            return record[at + 8] == 0 ? u32(record, at + 0x10) : -1;
        }

        int residentValueOffset() {
            int offset = at + u16(record, at + 0x14);
            if (offset + residentValueLength() > at + length) {
                throw MalformedInputException.outOfRange("NTFS resident value end", offset + residentValueLength(),
                        at + length, at);
            }
            return offset;
        }

        long dataSize() {
            return u64(record, at + 0x30);
        }

        /** Decodes the run list: per run a header (low nibble length bytes, high nibble LCN-delta bytes). */
        List<Run> runs(BootSector boot) {
            if (record[at + 8] == 0 || length < 0x40) {
                throw new MalformedInputException("NTFS attribute at " + at + " is not non-resident");
            }
            int p = at + u16(record, at + 0x20);
            int end = at + length;
            long vcn = u64(record, at + 0x10);
            if (vcn != 0) {
                // Only base-record attributes are read, and those start at VCN 0.
                throw MalformedInputException.invalid("NTFS attribute start VCN", vcn, "0", at + 0x10);
            }
            long lcn = 0;
            List<Run> runs = new ArrayList<>();
            while (p < end && record[p] != 0) {
                int header = record[p] & 0xff;
                int lengthBytes = header & 0xf;
                int lcnBytes = header >>> 4;
                if (lengthBytes == 0 || lengthBytes > 8 || lcnBytes > 8 || p + 1 + lengthBytes + lcnBytes > end) {
                    throw MalformedInputException.invalid("NTFS run header", header, "length 1..8 and LCN 0..8 bytes"
                            + " within the attribute", p);
                }
                long count = signed(record, p + 1, lengthBytes);
                if (count <= 0 || count > boot.clusters) {
                    throw MalformedInputException.outOfRange("NTFS run length", count, boot.clusters, p);
                }
                long runLcn = -1;
                if (lcnBytes > 0) {
                    lcn += signed(record, p + 1 + lengthBytes, lcnBytes);
                    if (lcn < 0 || lcn > boot.clusters - count) {
                        throw MalformedInputException.outOfRange("NTFS run end cluster", lcn + count, boot.clusters, p);
                    }
                    runLcn = lcn;
                }
                if (runs.size() == MAX_RUNS) {
                    throw MalformedInputException.outOfRange("NTFS run count", MAX_RUNS + 1L, MAX_RUNS, p);
                }
                runs.add(new Run(vcn, runLcn, count));
                vcn += count;
                p += 1 + lengthBytes + lcnBytes;
            }
            return runs;
        }

        private static long signed(byte[] b, int at, int bytes) {
            long value = b[at + bytes - 1]; // sign-extends the top byte
            for (int i = bytes - 2; i >= 0; i--) {
                value = value << 8 | (b[at + i] & 0xff);
            }
            return value;
        }
    }

    /** The boot-sector fields the bitmap needs, checked. */
    private record BootSector(long clusterSize, long clusters, long mftLcn, int recordSize) {

        static BootSector read(RandomAccessSource volume) throws IOException {
            byte[] b = SourceReads.read(volume, 0, 512, 512, "NTFS boot sector");
            if (!new String(b, 3, 8, StandardCharsets.US_ASCII).equals("NTFS    ")) {
                throw new MalformedInputException("NTFS boot sector has no \"NTFS    \" OEM id at offset 3");
            }
            int bytesPerSector = u16(b, 0x0b);
            if (bytesPerSector < 256 || bytesPerSector > 4096 || Integer.bitCount(bytesPerSector) != 1) {
                throw MalformedInputException.invalid("NTFS bytes per sector", bytesPerSector,
                        "a power of two in 256..4096", 0x0b);
            }
            int spc = b[0x0d] & 0xff;
            long sectorsPerCluster = spc <= 0x80 ? spc : spc >= 0xf4 ? 1L << (256 - spc) : 0;
            if (sectorsPerCluster == 0 || Long.bitCount(sectorsPerCluster) != 1) {
                throw MalformedInputException.invalid("NTFS sectors per cluster", spc, "1..128 or 0xf4..0xff", 0x0d);
            }
            long clusterSize = bytesPerSector * sectorsPerCluster;
            long sectors = u64(b, 0x28);
            long limit = volume.size() / bytesPerSector;
            if (sectors < 0 || sectors > limit) {
                throw MalformedInputException.outOfRange("NTFS total sectors", sectors, limit, 0x28);
            }
            long clusters = sectors / sectorsPerCluster;
            long mftLcn = u64(b, 0x30);
            if (mftLcn < 0 || mftLcn >= clusters) {
                throw MalformedInputException.outOfRange("NTFS $MFT cluster", mftLcn, clusters, 0x30);
            }
            int perRecord = b[0x40];
            long recordSize = perRecord > 0 ? perRecord * clusterSize : perRecord < 0 && perRecord >= -31
                    ? 1L << -perRecord : 0;
            if (recordSize < 512 || recordSize > 65536 || Long.bitCount(recordSize) != 1) {
                throw MalformedInputException.invalid("NTFS MFT record size", recordSize, "a power of two in 512..65536",
                        0x40);
            }
            return new BootSector(clusterSize, clusters, mftLcn, (int) recordSize);
        }
    }
}
