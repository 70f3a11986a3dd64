package io.wanopt.protocols.disk;

import io.wanopt.protocols.disk.vmdk.GuestRange;
import io.wanopt.protocols.disk.vmdk.VmdkImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which bytes of one VM disk file, as a file server holds it, are guest-free: stored in the file but
 * in blocks the guest's file system calls free. This is what a file protocol reads (file offsets), as
 * opposed to {@link DiskUsageMap}, which is about the guest disk. A hosted-sparse VMDK ({@code KDMV},
 * a single file) maps through its grain tables; a flat extent ({@code *-flat.vmdk}) is the guest disk
 * itself. Compressed grains, VMDK metadata and extents in other files are never free.
 *
 * @param fileSize  bytes in the file when it was mapped
 * @param layout    what the file was read as ({@code hosted sparse}, {@code flat extent})
 * @param disk      the guest disk's map
 * @param free      the file's guest-free bytes, in order, disjoint, adjacent ones merged
 */
public record FileUsageMap(long fileSize, String layout, DiskUsageMap disk, List<ByteRange> free) {

    public FileUsageMap {
        free = List.copyOf(free);
    }

    /**
     * Maps {@code file}, named {@code fileName} (the name decides whether it is a flat extent). A file
     * that needs another file to be read (a descriptor, a snapshot's parent) is unsupported.
     */
    public static FileUsageMap read(RandomAccessSource file, String fileName)
            throws IOException, UnsupportedFormatException {
        if (isFlatExtent(fileName)) {
            DiskUsageMap disk = DiskUsageMap.ofRaw(file);
            return new FileUsageMap(file.size(), "flat extent", disk, guestFree(disk));
        }
        ExtentOpener noOtherFiles = name -> {
            throw new IOException("it names another file, " + name + ", which is read only through its own descriptor");
        };
        try (VmdkImage image = VmdkImage.open(file, fileName, noOtherFiles)) {
            if (image.descriptor().isEmpty()) {
                // Its grains are a delta over another file (a split disk's extent, a redo log): what it
                // lacks is not zeros, so its file systems cannot be read from it alone.
                throw new UnsupportedFormatException("VMDK " + fileName + " has no embedded descriptor: it is one"
                        + " extent of a split disk or a redo log, read only through its descriptor");
            }
            if (image.extentFiles().size() != 1) {
                throw new UnsupportedFormatException("VMDK " + fileName + " keeps its data in other files");
            }
            DiskUsageMap disk = DiskUsageMap.of(image);
            return new FileUsageMap(file.size(), "hosted sparse", disk, storedFree(image, disk));
        }
    }

    /** Whether a file of this name is the raw data of a flat VMDK (a guest disk byte for byte). */
    public static boolean isFlatExtent(String fileName) {
        return fileName.toLowerCase(Locale.ROOT).endsWith("-flat.vmdk");
    }

    /** Guest-free bytes of the file. */
    public long freeBytes() {
        return free.stream().mapToLong(ByteRange::length).sum();
    }

    /** Why volumes of the guest disk count wholly in use, if any do; for logs. */
    public List<String> inUseNotes() {
        return disk.volumes().stream().map(DiskUsageMap.Volume::inUseNote).flatMap(Optional::stream).toList();
    }

    /** The guest-free parts of {@code [offset, offset + length)}, in order. */
    public List<ByteRange> freeWithin(long offset, long length) {
        List<ByteRange> within = new ArrayList<>();
        long end = offset + length;
        for (int i = firstEndingAfter(offset); i < free.size() && free.get(i).offset() < end; i++) {
            ByteRange range = free.get(i);
            long from = Math.max(offset, range.offset());
            within.add(new ByteRange(from, Math.min(end, range.end()) - from));
        }
        return within;
    }

    /** Whether all of {@code [offset, offset + length)} is guest-free. */
    public boolean whollyFree(long offset, long length) {
        int i = firstEndingAfter(offset);
        return length > 0 && i < free.size() && free.get(i).offset() <= offset && free.get(i).end() >= offset + length;
    }

    /** Index of the first free range that ends after {@code offset}. */
    private int firstEndingAfter(long offset) {
        int low = 0;
        int high = free.size();
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (free.get(mid).end() <= offset) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    private static List<ByteRange> guestFree(DiskUsageMap disk) {
        return disk.regions().stream().filter(r -> r.state() == DiskUsageMap.State.FREE)
                .map(r -> new ByteRange(r.offset(), r.length())).toList();
    }

    /**
     * The file bytes that hold guest-free bytes: the guest ranges stored uncompressed in the file itself,
     * less any file bytes that also hold in-use guest bytes (grain tables pointing twice at one grain).
     */
    private static List<ByteRange> storedFree(VmdkImage image, DiskUsageMap disk) {
        List<ByteRange> free = merged(stored(image, disk, DiskUsageMap.State.FREE));
        List<ByteRange> inUse = merged(stored(image, disk, DiskUsageMap.State.IN_USE));
        List<ByteRange> result = new ArrayList<>();
        int u = 0;
        for (ByteRange range : free) {
            long at = range.offset();
            while (u < inUse.size() && inUse.get(u).end() <= at) {
                u++;
            }
            for (int i = u; i < inUse.size() && inUse.get(i).offset() < range.end(); i++) {
                if (inUse.get(i).offset() > at) {
                    result.add(new ByteRange(at, inUse.get(i).offset() - at));
                }
                at = Math.max(at, inUse.get(i).end());
            }
            if (at < range.end()) {
                result.add(new ByteRange(at, range.end() - at));
            }
        }
        return result;
    }

    /** The file bytes of the guest regions in {@code state} stored uncompressed in the file itself, unsorted. */
    private static List<ByteRange> stored(VmdkImage image, DiskUsageMap disk, DiskUsageMap.State state) {
        List<ByteRange> stored = new ArrayList<>();
        for (DiskUsageMap.Region region : disk.regions()) {
            if (region.state() != state) {
                continue;
            }
            long end = region.offset() + region.length();
            for (long at = region.offset(); at < end; ) {
                GuestRange where = image.rangeAt(at);
                long stop = Math.min(end, where.guestEnd());
                if (where.allocation() == GuestRange.Allocation.DATA && where.extentIndex() == 0) {
                    stored.add(new ByteRange(where.fileOffset() + (at - where.guestOffset()), stop - at));
                }
                at = stop;
            }
        }
        return stored;
    }

    /** {@code ranges} sorted, overlapping and touching ones merged. */
    private static List<ByteRange> merged(List<ByteRange> ranges) {
        ByteRange[] sorted = ranges.toArray(ByteRange[]::new);
        Arrays.sort(sorted, (a, b) -> Long.compare(a.offset(), b.offset()));
        List<ByteRange> merged = new ArrayList<>();
        for (ByteRange range : sorted) {
            ByteRange last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && range.offset() <= last.end()) {
                merged.set(merged.size() - 1, new ByteRange(last.offset(), Math.max(last.end(), range.end()) - last.offset()));
            } else {
                merged.add(range);
            }
        }
        return merged;
    }
}
