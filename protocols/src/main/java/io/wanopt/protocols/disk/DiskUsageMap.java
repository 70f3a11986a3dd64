package io.wanopt.protocols.disk;

import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.disk.ext4.Ext4BlockBitmaps;
import io.wanopt.protocols.disk.ntfs.NtfsBitmap;
import io.wanopt.protocols.disk.partition.Partition;
import io.wanopt.protocols.disk.partition.PartitionTable;
import io.wanopt.protocols.disk.vmdk.GuestRange;
import io.wanopt.protocols.disk.vmdk.VmdkImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The in-use map of a guest disk: every byte is unallocated in the image, zeroed in the image, stored
 * but free in the guest file system, or in use. Partitions of unknown type, gaps between partitions,
 * file systems that are not clean or not readable, and malformed tables count as in use; each volume
 * says why.
 *
 * @param size    the guest disk size in bytes
 * @param scheme  the partition table found ({@code NONE} also when it was malformed)
 * @param tableNote what to know about how the partition table was read (the backup GPT was used)
 * @param regions the whole disk in order, adjacent alike regions merged
 * @param volumes what was found in each partition (or in the whole disk when there is no table)
 */
public record DiskUsageMap(long size, PartitionTable.Scheme scheme, Optional<String> tableNote, List<Region> regions,
        List<Volume> volumes) {

    /** What a region of the guest disk holds. */
    public enum State {
        /** Not stored in the image (nor its parents): reads as zeros. */
        UNALLOCATED,
        /** Stored as zeros or marked zeroed: reads as zeros, takes no space. */
        ZERO,
        /** Stored in the image but free in the guest file system: usually stale data. */
        FREE,
        /** Stored and in use (or not known to be free). */
        IN_USE
    }

    /**
     * A run of the guest disk.
     *
     * @param offset first byte
     * @param length bytes
     * @param state  what it holds
     */
    public record Region(long offset, long length, State state) {
    }

    /**
     * A partition (or the whole disk) and its file system's usage.
     *
     * @param offset     first byte on the guest disk
     * @param length     bytes
     * @param type       the partition type ({@code 0x83}, a GPT GUID) or {@code disk}
     * @param fileSystem the file system's free blocks, when one was read
     * @param inUseNote  why the whole volume counts as in use, when it does
     */
    public record Volume(long offset, long length, String type, Optional<FileSystemUsage> fileSystem,
            Optional<String> inUseNote) {
    }

    /** The map of a VMDK's guest disk, with the image's unallocated and zeroed ranges. */
    public static DiskUsageMap of(VmdkImage image) throws IOException {
        List<Region> storage = new ArrayList<>();
        for (GuestRange r : image.ranges()) {
            State state = switch (r.allocation()) {
                case DATA, COMPRESSED -> State.IN_USE;
                case ZERO -> State.ZERO;
                case UNALLOCATED -> State.UNALLOCATED;
            };
            storage.add(new Region(r.guestOffset(), r.length(), state));
        }
        return build(image, storage);
    }

    /** The map of a raw disk (or a flat extent): every byte stored. */
    public static DiskUsageMap ofRaw(RandomAccessSource disk) throws IOException {
        return build(disk, List.of(new Region(0, disk.size(), State.IN_USE)));
    }

    /** Bytes in the given state. */
    public long bytes(State state) {
        return regions.stream().filter(r -> r.state() == state).mapToLong(Region::length).sum();
    }

    private static DiskUsageMap build(RandomAccessSource disk, List<Region> storage) throws IOException {
        long size = disk.size();
        List<Volume> volumes = new ArrayList<>();
        PartitionTable.Scheme scheme;
        Optional<String> tableNote = Optional.empty();
        try {
            PartitionTable table = PartitionTable.read(disk);
            scheme = table.scheme();
            tableNote = table.note();
            if (table.scheme() == PartitionTable.Scheme.NONE) {
                volumes.add(volume(disk, 0, size, "disk"));
            } else {
                for (Partition p : table.partitions()) {
                    volumes.add(volume(disk, p.offset(), p.length(), p.type()));
                }
            }
        } catch (MalformedInputException e) {
            scheme = PartitionTable.Scheme.NONE;
            volumes.add(new Volume(0, size, "disk", Optional.empty(), Optional.of("partition table: " + e.getMessage())));
        }
        List<ByteRange> free = new ArrayList<>();
        for (Volume v : volumes) {
            v.fileSystem().ifPresent(fs -> fs.free().forEach(r -> free.add(new ByteRange(v.offset() + r.offset(),
                    r.length()))));
        }
        free.sort(Comparator.comparingLong(ByteRange::offset));
        return new DiskUsageMap(size, scheme, tableNote, overlay(storage, free), List.copyOf(volumes));
    }

    /** Reads the file system of one volume; an unknown or malformed one counts as in use, with the reason. */
    private static Volume volume(RandomAccessSource disk, long offset, long length, String type) throws IOException {
        SliceSource slice = new SliceSource(disk, offset, length);
        try {
            Optional<FileSystemUsage> usage = Ext4BlockBitmaps.probe(slice) ? Optional.of(Ext4BlockBitmaps.read(slice))
                    : NtfsBitmap.probe(slice) ? Optional.of(NtfsBitmap.read(slice)) : Optional.empty();
            if (usage.isEmpty()) {
                return new Volume(offset, length, type, usage, Optional.of("no file system read (type " + type + ")"));
            }
            return new Volume(offset, length, type, usage, usage.get().allInUseReason()
                    .map(reason -> usage.get().type() + ": " + reason));
        } catch (MalformedInputException e) {
            return new Volume(offset, length, type, Optional.empty(), Optional.of("malformed: " + e.getMessage()));
        }
    }

    /** Marks the guest-free parts of stored regions FREE; both lists are sorted and the free ranges disjoint. */
    private static List<Region> overlay(List<Region> storage, List<ByteRange> free) {
        List<Region> out = new ArrayList<>();
        int f = 0;
        for (Region region : storage) {
            if (region.state() != State.IN_USE) {
                append(out, region.offset(), region.length(), region.state());
                continue;
            }
            long at = region.offset();
            long end = region.offset() + region.length();
            while (f < free.size() && free.get(f).end() <= at) {
                f++;
            }
            for (int i = f; i < free.size() && free.get(i).offset() < end && at < end; i++) {
                ByteRange range = free.get(i);
                long freeStart = Math.max(at, range.offset());
                long freeEnd = Math.min(end, range.end());
                append(out, at, freeStart - at, State.IN_USE);
                append(out, freeStart, freeEnd - freeStart, State.FREE);
                at = freeEnd;
            }
            append(out, at, end - at, State.IN_USE);
        }
        return List.copyOf(out);
    }

    private static void append(List<Region> out, long offset, long length, State state) {
        if (length <= 0) {
            return;
        }
        if (!out.isEmpty()) {
            Region last = out.get(out.size() - 1);
            if (last.state() == state && last.offset() + last.length() == offset) {
                out.set(out.size() - 1, new Region(last.offset(), last.length() + length, state));
                return;
            }
        }
        out.add(new Region(offset, length, state));
    }
}
