package io.wanopt.protocols.disk.vmdk;

import static io.wanopt.protocols.disk.SourceReads.u32;
import static io.wanopt.protocols.disk.SourceReads.u64;

import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.disk.ExtentOpener;
import io.wanopt.protocols.disk.RandomAccessSource;
import io.wanopt.protocols.disk.SourceReads;
import io.wanopt.protocols.disk.UnsupportedFormatException;
import io.wanopt.protocols.disk.vmdk.GuestRange.Allocation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A VMDK opened as its guest disk: the map of guest ranges (stored at which file offset, zeroed, or
 * unallocated) and, as a {@link RandomAccessSource}, the guest disk's bytes read through that map.
 * Reads hosted sparse extents ({@code KDMV}: monolithicSparse, twoGbMaxExtentSparse, and streamOptimized
 * both as qemu writes it, with the grain directory up front, and as VMware does, with it named in the
 * footer), flat extents (monolithicFlat, twoGbMaxExtentFlat, vmfs) and ZERO extents, from a {@code KDMV}
 * file or a text descriptor, and ESX redo logs ({@code COWD}, VMFSSPARSE; grains not in the log are
 * UNALLOCATED unless a parent is named) and SE sparse extents, named by a descriptor. A child disk
 * (snapshot delta) whose descriptor names a parent ({@code parentFileNameHint}, {@code parentCID}) is
 * read through its chain: its unallocated ranges map to the parents' ranges. Reads of
 * compressed grains are not safe from several threads at once. Other extent types (raw device
 * mappings) give {@link UnsupportedFormatException}.
 */
public final class VmdkImage implements RandomAccessSource {

    /** Most parents followed in a snapshot chain. */
    public static final int MAX_CHAIN_DEPTH = 32;
    /** Most guest ranges kept; a map needing more is refused rather than held in memory. */
    public static final int MAX_RANGES = 1 << 22;
    /** Largest grain directory read: 64 MiB covers 512 TiB at the usual 32 MiB per grain table. */
    public static final long MAX_GRAIN_DIRECTORY_BYTES = 64L << 20;

    private static final int SECTOR = 512;
    /** A grain marker: u64 guest sector, u32 compressed length, then the zlib data. */
    private static final int MARKER_LENGTH = 12;
    /** Metadata marker type of the footer. */
    private static final long MARKER_FOOTER = 3;

    private GuestRange inflatedRange;
    private byte[] inflatedGrain;

    private final Optional<VmdkDescriptor> descriptor;
    private final List<String> extentFiles;
    private final List<RandomAccessSource> extentSources;
    private final List<RandomAccessSource> owned;
    private final List<GuestRange> ranges;
    private final long[] rangeStarts;
    private final long size;

    private VmdkImage(Optional<VmdkDescriptor> descriptor, List<String> extentFiles,
            List<RandomAccessSource> extentSources, List<RandomAccessSource> owned, List<GuestRange> ranges) {
        this.descriptor = descriptor;
        this.extentFiles = List.copyOf(extentFiles);
        this.extentSources = List.copyOf(extentSources);
        this.owned = List.copyOf(owned);
        this.ranges = List.copyOf(ranges);
        this.rangeStarts = ranges.stream().mapToLong(GuestRange::guestOffset).toArray();
        this.size = ranges.isEmpty() ? 0 : ranges.get(ranges.size() - 1).guestEnd();
    }

    /**
     * Opens the VMDK whose first file is {@code file} (named {@code fileName}; a {@code KDMV} file or a
     * text descriptor). Extent files a descriptor names are opened with {@code opener} and closed by
     * {@link #close()}; {@code file} itself stays the caller's.
     */
    public static VmdkImage open(RandomAccessSource file, String fileName, ExtentOpener opener)
            throws IOException, UnsupportedFormatException {
        return withParent(openOne(file, fileName, opener), opener, 0);
    }

    /**
     * When {@code child}'s descriptor names a parent (a snapshot chain), opens it (and its parents) and
     * fills the child's unallocated ranges from it, after checking the parent's CID is the child's parentCID.
     */
    private static VmdkImage withParent(VmdkImage child, ExtentOpener opener, int depth)
            throws IOException, UnsupportedFormatException {
        if (child.descriptor.isEmpty() || !child.descriptor.get().hasParent()) {
            return child;
        }
        VmdkDescriptor descriptor = child.descriptor.get();
        if (depth >= MAX_CHAIN_DEPTH) {
            throw MalformedInputException.outOfRange("VMDK snapshot chain depth", depth + 1L, MAX_CHAIN_DEPTH, 0);
        }
        RandomAccessSource parentFile = opener.open(descriptor.parentFileNameHint());
        VmdkImage parent;
        try {
            parent = withParent(openOne(parentFile, descriptor.parentFileNameHint(), opener), opener, depth + 1);
            String parentCid = parent.descriptor.map(VmdkDescriptor::cid).orElse("");
            if (!parentCid.equals(descriptor.parentCid())) {
                parent.close();
                throw new MalformedInputException("VMDK parent " + descriptor.parentFileNameHint() + " has CID "
                        + parentCid + " but the child expects parentCID " + descriptor.parentCid());
            }
        } catch (IOException | UnsupportedFormatException | RuntimeException e) {
            closeAll(List.of(parentFile), e);
            closeAll(child.owned, e);
            throw e;
        }
        int shift = child.extentSources.size();
        RangeList ranges = new RangeList();
        for (GuestRange range : child.ranges) {
            if (range.allocation() != Allocation.UNALLOCATED) {
                ranges.add(range.guestOffset(), range.length(), range.allocation(), range.extentIndex(),
                        range.fileOffset());
                continue;
            }
            for (long at = range.guestOffset(); at < range.guestEnd(); ) {
                if (at >= parent.size) {
                    ranges.add(at, range.guestEnd() - at, Allocation.UNALLOCATED, -1, -1);
                    break;
                }
                GuestRange from = parent.rangeAt(at);
                long end = Math.min(range.guestEnd(), from.guestEnd());
                long into = at - from.guestOffset();
                if (from.allocation() == Allocation.COMPRESSED && (into != 0 || end != from.guestEnd())) {
                    throw new UnsupportedFormatException("VMDK child grain at " + at
                            + " covers part of a compressed parent grain");
                }
                ranges.add(at, end - at, from.allocation(), from.extentIndex() < 0 ? -1 : from.extentIndex() + shift,
                        from.allocation() == Allocation.DATA ? from.fileOffset() + into : from.fileOffset());
                at = end;
            }
        }
        List<String> names = new ArrayList<>(child.extentFiles);
        names.addAll(parent.extentFiles);
        List<RandomAccessSource> sources = new ArrayList<>(child.extentSources);
        sources.addAll(parent.extentSources);
        List<RandomAccessSource> owned = new ArrayList<>(child.owned);
        owned.add(parentFile);
        owned.addAll(parent.owned);
        return new VmdkImage(child.descriptor, names, sources, owned, ranges.ranges);
    }

    private static VmdkImage openOne(RandomAccessSource file, String fileName, ExtentOpener opener)
            throws IOException, UnsupportedFormatException {
        byte[] first = SourceReads.read(file, 0, Math.min(file.size(), SECTOR), SECTOR, "VMDK first sector");
        RangeList ranges = new RangeList();
        if (SparseExtentHeader.isSparseExtent(first)) {
            SparseExtentHeader header = SparseExtentHeader.read(file);
            Optional<VmdkDescriptor> descriptor = embeddedDescriptor(file, header);
            mapSparse(file, header, 0, 0, header.capacity(), ranges);
            return new VmdkImage(descriptor, List.of(fileName), List.of(file), List.of(), ranges.ranges);
        }
        if (CowdHeader.isCowd(first)) {
            CowdHeader header = CowdHeader.read(file);
            mapCowd(file, header, 0, 0, header.capacity(), ranges);
            return new VmdkImage(Optional.empty(), List.of(fileName), List.of(file), List.of(), ranges.ranges);
        }
        if (file.size() > VmdkDescriptor.MAX_LENGTH) {
            throw MalformedInputException.outOfRange("VMDK descriptor file size", file.size(),
                    VmdkDescriptor.MAX_LENGTH, 0);
        }
        VmdkDescriptor descriptor = VmdkDescriptor.parse(new String(
                SourceReads.read(file, 0, file.size(), VmdkDescriptor.MAX_LENGTH, "VMDK descriptor"),
                StandardCharsets.UTF_8));
        List<String> names = new ArrayList<>();
        List<RandomAccessSource> sources = new ArrayList<>();
        try {
            long guestSector = 0;
            for (VmdkDescriptor.Extent extent : descriptor.extents()) {
                mapExtent(extent, guestSector, opener, names, sources, ranges);
                guestSector += extent.sectors();
            }
        } catch (IOException | UnsupportedFormatException | RuntimeException e) {
            closeAll(sources, e);
            throw e;
        }
        return new VmdkImage(Optional.of(descriptor), names, sources, sources, ranges.ranges);
    }

    private static void mapExtent(VmdkDescriptor.Extent extent, long guestSector, ExtentOpener opener,
            List<String> names, List<RandomAccessSource> sources, RangeList ranges)
            throws IOException, UnsupportedFormatException {
        long guestOffset = guestSector * SECTOR;
        long length = extent.sectors() * SECTOR;
        switch (extent.type()) {
            case ZERO -> ranges.add(guestOffset, length, Allocation.ZERO, -1, -1);
            case FLAT, VMFS -> {
                RandomAccessSource source = openExtent(extent, opener, names, sources);
                long start = extent.offsetSectors() * SECTOR;
                if (source.size() < start + length) {
                    throw MalformedInputException.truncated("VMDK flat extent " + extent.fileName(), start + length,
                            source.size(), start);
                }
                ranges.add(guestOffset, length, Allocation.DATA, sources.size() - 1, start);
            }
            case SPARSE -> {
                RandomAccessSource source = openExtent(extent, opener, names, sources);
                SparseExtentHeader header = SparseExtentHeader.read(source);
                mapSparse(source, header, sources.size() - 1, guestOffset, extent.sectors(), ranges);
            }
            case SESPARSE -> {
                RandomAccessSource source = openExtent(extent, opener, names, sources);
                mapSeSparse(source, SeSparseHeader.read(source), sources.size() - 1, guestOffset, extent.sectors(),
                        ranges);
            }
            case VMFSSPARSE -> {
                RandomAccessSource source = openExtent(extent, opener, names, sources);
                mapCowd(source, CowdHeader.read(source), sources.size() - 1, guestOffset, extent.sectors(), ranges);
            }
            default -> throw new UnsupportedFormatException("VMDK extent type " + extent.type() + " ("
                    + extent.fileName() + ") is not mapped yet");
        }
    }

    private static RandomAccessSource openExtent(VmdkDescriptor.Extent extent, ExtentOpener opener,
            List<String> names, List<RandomAccessSource> sources) throws IOException {
        RandomAccessSource source = opener.open(extent.fileName());
        names.add(extent.fileName());
        sources.add(source);
        return source;
    }

    private static Optional<VmdkDescriptor> embeddedDescriptor(RandomAccessSource file, SparseExtentHeader header)
            throws IOException {
        if (header.descriptorOffset() == 0 || header.descriptorSize() == 0) {
            return Optional.empty();
        }
        long length = checkedSectors(header.descriptorSize(), "VMDK descriptorSize", 36);
        byte[] text = SourceReads.read(file, checkedSectors(header.descriptorOffset(), "VMDK descriptorOffset", 28),
                length, VmdkDescriptor.MAX_LENGTH, "VMDK embedded descriptor");
        return Optional.of(VmdkDescriptor.parse(new String(text, StandardCharsets.UTF_8)));
    }

    /** Maps an ESX redo log: grains it does not hold are UNALLOCATED (they come from the parent disk). */
    private static void mapCowd(RandomAccessSource extent, CowdHeader header, int extentIndex, long guestOffset,
            long sectors, RangeList ranges) throws IOException {
        mapGrains(extent, new GrainLayout(header.capacity(), header.grainSize(), CowdHeader.GTES_PER_GT,
                checkedSectors(header.gdOffset(), "VMDK COWD gdOffset", 20), header.gdEntries(), false, false),
                extentIndex, guestOffset, sectors, ranges);
    }

    /**
     * Maps an SE sparse extent. Directory entries are 0 (no table) or 0x10000000 in the top 32 bits and a
     * table number below; table entries say by their top nibble: 0 unallocated, 1 unmapped and 2 zero
     * (both read as zeros), 3 allocated, with the grain number's low 12 bits in bits 48-59 and the rest in
     * bits 0-47.
     */
    private static void mapSeSparse(RandomAccessSource extent, SeSparseHeader header, int extentIndex,
            long guestOffset, long sectors, RangeList ranges) throws IOException {
        long perTable = SeSparseHeader.GRAIN_TABLE_SIZE * SECTOR / 8;
        long grainSize = SeSparseHeader.GRAIN_SIZE;
        long tableSectors = perTable * grainSize;
        long tables = (header.capacity() + tableSectors - 1) / tableSectors;
        if (tables * 8 > header.grainDirSize() * SECTOR) {
            throw MalformedInputException.outOfRange("VMDK SE sparse grain directory entries needed", tables,
                    header.grainDirSize() * SECTOR / 8, 136);
        }
        byte[] directory = SourceReads.read(extent, header.grainDirOffset() * SECTOR, tables * 8,
                MAX_GRAIN_DIRECTORY_BYTES, "VMDK SE sparse grain directory");
        long fileSize = extent.size();
        long end = Math.min(sectors, header.capacity());
        long tableCount = header.grainTablesSize() / SeSparseHeader.GRAIN_TABLE_SIZE;
        for (int t = 0; t < tables && t * tableSectors < end; t++) {
            long tableStart = t * tableSectors;
            long tableEnd = Math.min(end, tableStart + tableSectors);
            long dirEntry = u64(directory, t * 8);
            long dirAt = header.grainDirOffset() * SECTOR + t * 8L;
            if (dirEntry == 0) {
                ranges.add(guestOffset + tableStart * SECTOR, (tableEnd - tableStart) * SECTOR, Allocation.UNALLOCATED,
                        -1, -1);
                continue;
            }
            long tableIndex = dirEntry & 0xffffffffL;
            if (dirEntry >>> 32 != 0x10000000L || tableIndex >= tableCount) {
                throw MalformedInputException.invalid("VMDK SE sparse grain directory entry", dirEntry,
                        "0x10000000 above a table number below " + tableCount, dirAt);
            }
            long tableAt = (header.grainTables() + tableIndex * SeSparseHeader.GRAIN_TABLE_SIZE) * SECTOR;
            byte[] table = SourceReads.read(extent, tableAt, perTable * 8, perTable * 8, "VMDK SE sparse grain table");
            for (long grainStart = tableStart; grainStart < tableEnd; grainStart += grainSize) {
                int index = (int) ((grainStart - tableStart) / grainSize);
                long entry = u64(table, index * 8);
                long guest = guestOffset + grainStart * SECTOR;
                long length = Math.min(grainSize * SECTOR, (tableEnd - grainStart) * SECTOR);
                switch ((int) (entry >>> 60)) {
                    case 0 -> {
                        if (entry != 0) {
                            throw MalformedInputException.invalid("VMDK SE sparse grain table entry", entry,
                                    "0 for an unallocated grain", tableAt + index * 8L);
                        }
                        ranges.add(guest, length, Allocation.UNALLOCATED, -1, -1);
                    }
                    case 1, 2 -> ranges.add(guest, length, Allocation.ZERO, -1, -1);
                    case 3 -> {
                        long grain = (entry & 0x0fff000000000000L) >>> 48 | (entry & 0x0000ffffffffffffL) << 12;
                        long fileOffset = (header.grains() + grain * grainSize) * SECTOR;
                        if (grain > VmdkDescriptor.MAX_SECTORS || fileOffset + length > fileSize) {
                            throw MalformedInputException.outOfRange("VMDK SE sparse grain end", fileOffset + length,
                                    fileSize, tableAt + index * 8L);
                        }
                        ranges.add(guest, length, Allocation.DATA, extentIndex, fileOffset);
                    }
                    default -> throw MalformedInputException.invalid("VMDK SE sparse grain table entry type",
                            entry >>> 60, "0, 1, 2 or 3", tableAt + index * 8L);
                }
            }
        }
        if (sectors > end) {
            ranges.add(guestOffset + end * SECTOR, (sectors - end) * SECTOR, Allocation.UNALLOCATED, -1, -1);
        }
    }

    /** Maps {@code sectors} guest sectors from {@code guestOffset} through the extent's GD and GTs. */
    private static void mapSparse(RandomAccessSource extent, SparseExtentHeader header, int extentIndex,
            long guestOffset, long sectors, RangeList ranges) throws IOException {
        if (header.gdOffset() == SparseExtentHeader.GD_AT_END) {
            header = footer(extent);
        }
        if (header.compressed() && header.compressAlgorithm() != 1) {
            throw MalformedInputException.invalid("VMDK compressAlgorithm", header.compressAlgorithm(), "1 (deflate)",
                    77);
        }
        long tableSectors = header.numGTEsPerGT() * header.grainSize();
        long tables = (header.capacity() + tableSectors - 1) / tableSectors;
        mapGrains(extent, new GrainLayout(header.capacity(), header.grainSize(), (int) header.numGTEsPerGT(),
                checkedSectors(header.gdOffset(), "VMDK gdOffset", 56), tables, header.zeroedGrainEntries(),
                header.compressed()), extentIndex, guestOffset, sectors, ranges);
    }

    /**
     * How an extent's grain directory and tables are laid out.
     *
     * @param capacity       guest sectors the extent covers
     * @param grainSize      sectors per grain
     * @param perTable       entries per grain table
     * @param directoryAt    the grain directory's byte offset
     * @param tables         grain directory entries to read
     * @param zeroedEntries  whether entry 1 means a zeroed grain
     * @param compressed     whether entries point at grain markers of compressed grains
     */
    private record GrainLayout(long capacity, long grainSize, int perTable, long directoryAt, long tables,
            boolean zeroedEntries, boolean compressed) {
    }

    /** Maps {@code sectors} guest sectors from {@code guestOffset} through a grain directory and its tables. */
    private static void mapGrains(RandomAccessSource extent, GrainLayout layout, int extentIndex, long guestOffset,
            long sectors, RangeList ranges) throws IOException {
        long grainBytes = layout.grainSize() * SECTOR;
        long tableSectors = layout.perTable() * layout.grainSize();
        long capacity = layout.capacity();
        long tables = layout.tables();
        byte[] directory = SourceReads.read(extent, layout.directoryAt(), tables * 4, MAX_GRAIN_DIRECTORY_BYTES,
                "VMDK grain directory");
        long fileSize = extent.size();
        long end = Math.min(sectors, capacity);
        for (int t = 0; t < tables && t * tableSectors < end; t++) {
            long tableStart = t * tableSectors;
            long tableEnd = Math.min(end, tableStart + tableSectors);
            long tableSector = u32(directory, t * 4);
            if (tableSector == 0) {
                ranges.add(guestOffset + tableStart * SECTOR, (tableEnd - tableStart) * SECTOR, Allocation.UNALLOCATED,
                        -1, -1);
                continue;
            }
            byte[] table = SourceReads.read(extent, tableSector * SECTOR, layout.perTable() * 4L,
                    CowdHeader.GTES_PER_GT * 4, "VMDK grain table " + t);
            for (long grainStart = tableStart; grainStart < tableEnd; grainStart += layout.grainSize()) {
                int index = (int) ((grainStart - tableStart) / layout.grainSize());
                long entry = u32(table, index * 4);
                long guest = guestOffset + grainStart * SECTOR;
                long length = Math.min(grainBytes, (tableEnd - grainStart) * SECTOR);
                if (entry == 0) {
                    ranges.add(guest, length, Allocation.UNALLOCATED, -1, -1);
                } else if (entry == 1 && layout.zeroedEntries()) {
                    ranges.add(guest, length, Allocation.ZERO, -1, -1);
                } else if (layout.compressed()) {
                    // The grain's length is known only from its marker, which reading checks.
                    if (entry * SECTOR + MARKER_LENGTH > fileSize) {
                        throw MalformedInputException.outOfRange("VMDK grain marker " + grainStart / layout.grainSize()
                                + " end", entry * SECTOR + MARKER_LENGTH, fileSize, tableSector * SECTOR + index * 4L);
                    }
                    ranges.add(guest, length, Allocation.COMPRESSED, extentIndex, entry * SECTOR);
                } else {
                    long fileOffset = entry * SECTOR;
                    if (fileOffset + length > fileSize) {
                        throw MalformedInputException.outOfRange("VMDK grain " + grainStart / layout.grainSize()
                                + " end", fileOffset + length, fileSize, tableSector * SECTOR + index * 4L);
                    }
                    ranges.add(guest, length, Allocation.DATA, extentIndex, fileOffset);
                }
            }
        }
        if (sectors > end) {
            // The descriptor gives the extent more sectors than its header: they were never written.
            ranges.add(guestOffset + end * SECTOR, (sectors - end) * SECTOR, Allocation.UNALLOCATED, -1, -1);
        }
    }

    /**
     * The footer of a streamOptimized extent written in VMware's layout: a header copy that holds the real
     * gdOffset, in the sector before the end-of-stream marker and after a footer marker (checked as
     * qemu checks them).
     */
    private static SparseExtentHeader footer(RandomAccessSource extent) throws IOException {
        long size = extent.size();
        if (size < 3L * SECTOR) {
            throw MalformedInputException.truncated("VMDK stream footer", 3L * SECTOR, size, 0);
        }
        long markerAt = size - 3L * SECTOR;
        byte[] marker = SourceReads.read(extent, markerAt, SECTOR, SECTOR, "VMDK footer marker");
        if (u32(marker, 8) != 0 || u32(marker, 12) != MARKER_FOOTER) {
            throw MalformedInputException.invalid("VMDK footer marker type", u32(marker, 12), MARKER_FOOTER
                    + " with size 0", markerAt + 12);
        }
        byte[] endOfStream = SourceReads.read(extent, size - SECTOR, 16, 16, "VMDK end-of-stream marker");
        if (u64(endOfStream, 0) != 0 || u32(endOfStream, 8) != 0 || u32(endOfStream, 12) != 0) {
            throw MalformedInputException.invalid("VMDK end-of-stream marker type", u32(endOfStream, 12),
                    "0 with sector count and size 0", size - SECTOR);
        }
        SparseExtentHeader footer = SparseExtentHeader.read(extent, size - 2L * SECTOR);
        if (footer.gdOffset() == SparseExtentHeader.GD_AT_END) {
            throw MalformedInputException.invalid("VMDK footer gdOffset", footer.gdOffset(), "a sector",
                    size - 2L * SECTOR + 56);
        }
        return footer;
    }

    private static long checkedSectors(long sectors, String what, long headerOffset) {
        if (sectors < 0 || sectors > VmdkDescriptor.MAX_SECTORS) {
            throw MalformedInputException.outOfRange(what, sectors, VmdkDescriptor.MAX_SECTORS, headerOffset);
        }
        return sectors * SECTOR;
    }

    private static void closeAll(List<RandomAccessSource> sources, Exception cause) {
        for (RandomAccessSource source : sources) {
            try {
                source.close();
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
    }

    /** The descriptor (embedded or the file itself), if the VMDK has one. */
    public Optional<VmdkDescriptor> descriptor() {
        return descriptor;
    }

    /** The files holding extents, as {@link GuestRange#extentIndex()} counts them. */
    public List<String> extentFiles() {
        return extentFiles;
    }

    /** The guest disk as contiguous ranges in order, adjacent alike ranges merged. */
    public List<GuestRange> ranges() {
        return ranges;
    }

    /** Guest bytes of the given allocation. */
    public long bytes(Allocation allocation) {
        return ranges.stream().filter(r -> r.allocation() == allocation).mapToLong(GuestRange::length).sum();
    }

    /** The guest range holding {@code guestOffset} (which must be below {@link #size()}). */
    public GuestRange rangeAt(long guestOffset) {
        int i = Arrays.binarySearch(rangeStarts, guestOffset);
        return ranges.get(i >= 0 ? i : -i - 2);
    }

    /** Reads guest-disk bytes: stored ranges from their extent, zeroed and unallocated ranges as zeros. */
    @Override
    public int read(long offset, byte[] dst, int dstOff, int len) throws IOException {
        if (offset >= size) {
            return -1;
        }
        int total = (int) Math.min(len, size - offset);
        int done = 0;
        while (done < total) {
            long at = offset + done;
            GuestRange range = rangeAt(at);
            int n = (int) Math.min(total - done, range.guestEnd() - at);
            if (range.allocation() == Allocation.COMPRESSED) {
                System.arraycopy(inflated(range), (int) (at - range.guestOffset()), dst, dstOff + done, n);
            } else if (range.allocation() == Allocation.DATA) {
                SourceReads.readFully(extentSources.get(range.extentIndex()), range.fileOffset() + at - range.guestOffset(),
                        dst, dstOff + done, n, "VMDK extent " + extentFiles.get(range.extentIndex()));
            } else {
                Arrays.fill(dst, dstOff + done, dstOff + done + n, (byte) 0);
            }
            done += n;
        }
        return total;
    }

    /** The guest bytes of a compressed grain, kept for the next read (reads are mostly sequential). */
    private synchronized byte[] inflated(GuestRange range) throws IOException {
        if (range.equals(inflatedRange)) {
            return inflatedGrain;
        }
        RandomAccessSource extent = extentSources.get(range.extentIndex());
        String what = "VMDK grain marker at " + range.fileOffset();
        byte[] marker = SourceReads.read(extent, range.fileOffset(), MARKER_LENGTH, MARKER_LENGTH, what);
        long compressedLength = u32(marker, 8);
        // zlib never grows data by more than a few bytes per 16 KiB block; allow generous slack.
        long cap = range.length() + range.length() / 8 + 1024;
        byte[] compressed = SourceReads.read(extent, range.fileOffset() + MARKER_LENGTH, compressedLength, cap, what);
        byte[] grain = new byte[(int) range.length()];
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(compressed);
            int produced = 0;
            while (produced < grain.length && !inflater.finished()) {
                int n = inflater.inflate(grain, produced, grain.length - produced);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                produced += n;
            }
            if (produced < grain.length) {
                throw MalformedInputException.truncated(what + " inflated", grain.length, produced, range.fileOffset());
            }
        } catch (DataFormatException e) {
            throw new MalformedInputException(what + " holds invalid zlib data: " + e.getMessage());
        } finally {
            inflater.end();
        }
        inflatedRange = range;
        inflatedGrain = grain;
        return grain;
    }

    /** The guest disk size in bytes. */
    @Override
    public long size() {
        return size;
    }

    /** Closes the extent files this image opened. */
    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (RandomAccessSource source : owned) {
            try {
                source.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Ranges in guest order, merging a range into the previous one when they continue each other. */
    private static final class RangeList {
        private final List<GuestRange> ranges = new ArrayList<>();

        void add(long guestOffset, long length, Allocation allocation, int extentIndex, long fileOffset) {
            if (length == 0) {
                return;
            }
            if (!ranges.isEmpty()) {
                GuestRange last = ranges.get(ranges.size() - 1);
                boolean continues = last.allocation() == allocation && last.extentIndex() == extentIndex
                        && allocation != Allocation.COMPRESSED
                        && (allocation != Allocation.DATA || last.fileOffset() + last.length() == fileOffset);
                if (continues) {
                    ranges.set(ranges.size() - 1, new GuestRange(last.guestOffset(), last.length() + length, allocation,
                            extentIndex, last.fileOffset()));
                    return;
                }
            }
            if (ranges.size() == MAX_RANGES) {
                throw MalformedInputException.outOfRange("VMDK guest range count", MAX_RANGES + 1L, MAX_RANGES,
                        fileOffset);
            }
            ranges.add(new GuestRange(guestOffset, length, allocation, extentIndex, fileOffset));
        }
    }
}
