package io.wanopt.protocols.disk.ext4;

import static io.wanopt.protocols.disk.SourceReads.u16;
import static io.wanopt.protocols.disk.SourceReads.u32;

import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.disk.ByteRange;
import io.wanopt.protocols.disk.FileSystemUsage;
import io.wanopt.protocols.disk.RandomAccessSource;
import io.wanopt.protocols.disk.SourceReads;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Free blocks of an ext2/3/4 file system from its block bitmaps: 32- or 64-byte group descriptors
 * (in one table, or spread over meta groups with meta_bg), bitmaps wherever the descriptors put them
 * (flex_bg), and BLOCK_UNINIT groups computed rather than read (their on-disk bitmap is not
 * initialised), as e2fsprogs does; with bigalloc a bit is a cluster. A file system needing journal
 * recovery, marked with errors or not cleanly unmounted is wholly in use (its bitmaps may be stale), as
 * is a bigalloc one with BLOCK_UNINIT groups (not computed yet).
 */
public final class Ext4BlockBitmaps {

    /** Largest group descriptor table read (64 MiB: 1M groups of 64 bytes, a 128 TiB file system). */
    public static final long MAX_DESCRIPTOR_BYTES = 64L << 20;
    /** Most free ranges listed; a file system more fragmented than this counts as wholly in use. */
    public static final int MAX_FREE_RANGES = 1 << 22;

    private static final int SUPERBLOCK_OFFSET = 1024;
    private static final int MAGIC = 0xef53;
    private static final int STATE_VALID = 0x1;
    private static final int STATE_ERRORS = 0x2;
    private static final long COMPAT_SPARSE_SUPER2 = 0x200;
    private static final long INCOMPAT_RECOVER = 0x4;
    private static final long INCOMPAT_META_BG = 0x10;
    private static final long INCOMPAT_64BIT = 0x80;
    private static final long RO_COMPAT_SPARSE_SUPER = 0x1;
    private static final long RO_COMPAT_GDT_CSUM = 0x10;
    private static final long RO_COMPAT_BIGALLOC = 0x200;
    private static final long RO_COMPAT_METADATA_CSUM = 0x400;
    private static final int BG_BLOCK_UNINIT = 0x2;

    private Ext4BlockBitmaps() {
    }

    /** Whether {@code fs} has the ext2/3/4 superblock magic. */
    public static boolean probe(RandomAccessSource fs) throws IOException {
        byte[] magic = new byte[2];
        return fs.size() >= SUPERBLOCK_OFFSET + 1024 && fs.read(SUPERBLOCK_OFFSET + 0x38, magic, 0, 2) == 2
                && u16(magic, 0) == MAGIC;
    }

    /** Reads the superblock, group descriptors and block bitmaps of the file system {@code fs}. */
    public static FileSystemUsage read(RandomAccessSource fs) throws IOException {
        Superblock sb = Superblock.read(fs);
        Optional<String> notReadable = sb.reasonAllInUse();
        if (notReadable.isPresent()) {
            return FileSystemUsage.allInUse("ext4", sb.blockSize, sb.blocks, notReadable.get());
        }
        int groups = sb.groups();
        byte[] descriptors = descriptors(fs, sb);
        List<List<long[]>> uninitMetadata = uninitGroupMetadata(sb, descriptors, groups);
        if (sb.clusterRatio > 1 && uninitMetadata.stream().anyMatch(m -> m != null)) {
            return FileSystemUsage.allInUse("ext4", sb.blockSize, sb.blocks,
                    "BLOCK_UNINIT groups with bigalloc are not computed yet");
        }
        // A bitmap bit is one cluster (one block without bigalloc, where first_data_block may be 1).
        FreeRanges free = new FreeRanges(sb.blockSize * sb.clusterRatio, sb.clusterRatio);
        long units = (sb.blocks + sb.clusterRatio - 1) / sb.clusterRatio;
        long unitsPerGroup = sb.blocksPerGroup / sb.clusterRatio;
        for (int g = 0; g < groups; g++) {
            long first = sb.firstDataBlock + (long) g * unitsPerGroup;
            int count = (int) Math.min(unitsPerGroup, units - first);
            byte[] bitmap;
            if (uninitMetadata.get(g) != null) {
                bitmap = synthesisedBitmap(sb, g, first, count, uninitMetadata.get(g));
            } else {
                long block = descriptorBlock(sb, descriptors, g, 0x00, 0x20);
                bitmap = SourceReads.read(fs, block * sb.blockSize, sb.blockSize, sb.blockSize,
                        "ext4 block bitmap of group " + g);
            }
            for (int i = 0; i < count; i++) {
                if ((bitmap[i >>> 3] >> (i & 7) & 1) == 0) {
                    if (!free.add(first + i)) {
                        return FileSystemUsage.allInUse("ext4", sb.blockSize, sb.blocks,
                                "more than " + MAX_FREE_RANGES + " free ranges");
                    }
                }
            }
        }
        return new FileSystemUsage("ext4", sb.blockSize, sb.blocks, free.blocks, List.copyOf(free.ranges),
                Optional.empty());
    }

    /**
     * All group descriptors. Without meta_bg they are one table after the superblock; with it, the
     * descriptor blocks from s_first_meta_bg on each sit at the start of the first group of their meta
     * group (after its superblock copy, if it has one).
     */
    private static byte[] descriptors(RandomAccessSource fs, Superblock sb) throws IOException {
        long length = (long) sb.groups() * sb.descSize;
        if (!sb.metaBg()) {
            return SourceReads.read(fs, sb.firstDescriptorBlock() * sb.blockSize, length, MAX_DESCRIPTOR_BYTES,
                    "ext4 group descriptors");
        }
        byte[] all = new byte[(int) length];
        long perBlock = sb.blockSize / sb.descSize;
        for (long block = 0; block * sb.blockSize < length; block++) {
            long location;
            if (block < sb.firstMetaBg) {
                location = sb.firstDescriptorBlock() + block;
            } else {
                long group = block * perBlock;
                location = sb.firstDataBlock + group * sb.blocksPerGroup + (sb.hasSuperblockCopy(group) ? 1 : 0);
            }
            int n = (int) Math.min(sb.blockSize, length - block * sb.blockSize);
            byte[] part = SourceReads.read(fs, location * sb.blockSize, n, sb.blockSize,
                    "ext4 group descriptor block " + block);
            System.arraycopy(part, 0, all, (int) (block * sb.blockSize), n);
        }
        return all;
    }

    /**
     * For each BLOCK_UNINIT group (null for the others), the block runs {@code {start, length}} of every
     * group's bitmaps and inode table that lie in it: with flex_bg they sit in some other group.
     */
    private static List<List<long[]>> uninitGroupMetadata(Superblock sb, byte[] descriptors, int groups) {
        boolean honoured = (sb.roCompat & (RO_COMPAT_GDT_CSUM | RO_COMPAT_METADATA_CSUM)) != 0;
        List<List<long[]>> metadata = new ArrayList<>(groups);
        for (int g = 0; g < groups; g++) {
            int flags = u16(descriptors, g * sb.descSize + 0x12);
            metadata.add(honoured && g > 0 && (flags & BG_BLOCK_UNINIT) != 0 ? new ArrayList<>() : null);
        }
        long tableBlocks = ((long) sb.inodesPerGroup * sb.inodeSize + sb.blockSize - 1) / sb.blockSize;
        for (int g = 0; g < groups; g++) {
            addRun(sb, metadata, descriptorBlock(sb, descriptors, g, 0x00, 0x20), 1);
            addRun(sb, metadata, descriptorBlock(sb, descriptors, g, 0x04, 0x24), 1);
            addRun(sb, metadata, descriptorBlock(sb, descriptors, g, 0x08, 0x28), tableBlocks);
        }
        return metadata;
    }

    /** Adds a run to the lists of the uninit groups it falls in, split at group boundaries. */
    private static void addRun(Superblock sb, List<List<long[]>> metadata, long start, long length) {
        long end = Math.min(start + length, sb.blocks);
        for (long at = start; at < end; ) {
            int group = (int) ((at - sb.firstDataBlock) / sb.blocksPerGroup);
            long groupEnd = sb.firstDataBlock + (group + 1L) * sb.blocksPerGroup;
            long runEnd = Math.min(end, groupEnd);
            if (at >= sb.firstDataBlock && metadata.get(group) != null) {
                metadata.get(group).add(new long[] {at, runEnd - at});
            }
            at = runEnd;
        }
    }

    /**
     * The bitmap e2fsprogs ({@code ext2fs_super_and_bgd_loc2}) computes for a BLOCK_UNINIT group: the
     * superblock copy and the descriptor blocks stored in the group, plus the metadata in it.
     */
    private static byte[] synthesisedBitmap(Superblock sb, int group, long first, int count, List<long[]> metadata) {
        byte[] bitmap = new byte[(count + 7) / 8];
        boolean hasSuper = sb.hasSuperblockCopy(group);
        long perBlock = sb.blockSize / sb.descSize;
        if (!sb.metaBg() || group / perBlock < sb.firstMetaBg) {
            if (hasSuper) {
                long gdtBlocks = sb.metaBg() ? sb.firstMetaBg
                        : ((long) sb.groups() * sb.descSize + sb.blockSize - 1) / sb.blockSize + sb.reservedGdtBlocks;
                mark(bitmap, 0, Math.min(count, 1 + gdtBlocks));
            }
        } else {
            if (hasSuper) {
                mark(bitmap, 0, 1);
            }
            long inMetaGroup = group % perBlock;
            if (inMetaGroup == 0 || inMetaGroup == 1 || inMetaGroup == perBlock - 1) {
                mark(bitmap, hasSuper ? 1 : 0, 1);
            }
        }
        for (long[] run : metadata) {
            mark(bitmap, run[0] - first, run[1]);
        }
        return bitmap;
    }

    private static void mark(byte[] bitmap, long from, long length) {
        for (long i = from; i < from + length && i < bitmap.length * 8L; i++) {
            bitmap[(int) (i >>> 3)] |= (byte) (1 << (i & 7));
        }
    }

    /** A block number from a descriptor's lo field and, with 64-byte descriptors, its hi field. */
    private static long descriptorBlock(Superblock sb, byte[] descriptors, int group, int lo, int hi) {
        int at = group * sb.descSize;
        long block = u32(descriptors, at + lo) | (sb.descSize >= 64 ? u32(descriptors, at + hi) << 32 : 0);
        // The first data block holds the superblock, so no bitmap or inode table can start there or before.
        if (block <= sb.firstDataBlock || block >= sb.blocks) {
            throw MalformedInputException.invalid("ext4 group " + group + " metadata block", block,
                    "above " + sb.firstDataBlock + ", below " + sb.blocks, sb.firstDescriptorBlock() * sb.blockSize + at + lo);
        }
        return block;
    }

    /** Free blocks as merged byte ranges. */
    private static final class FreeRanges {
        private final long blockSize;
        private final long blocksPerUnit;
        private final List<ByteRange> ranges = new ArrayList<>();
        private long blocks;

        /** Ranges of units (blocks, or clusters of {@code blocksPerUnit} blocks) of {@code blockSize} bytes. */
        FreeRanges(long blockSize, long blocksPerUnit) {
            this.blockSize = blockSize;
            this.blocksPerUnit = blocksPerUnit;
        }

        /** Adds a free unit; false when the range count would exceed its cap. */
        boolean add(long block) {
            blocks += blocksPerUnit;
            long offset = block * blockSize;
            if (!ranges.isEmpty() && ranges.get(ranges.size() - 1).end() == offset) {
                ByteRange last = ranges.get(ranges.size() - 1);
                ranges.set(ranges.size() - 1, new ByteRange(last.offset(), last.length() + blockSize));
                return true;
            }
            if (ranges.size() == MAX_FREE_RANGES) {
                return false;
            }
            ranges.add(new ByteRange(offset, blockSize));
            return true;
        }
    }

    /** The superblock fields the bitmaps need, checked. */
    private record Superblock(long blocks, long firstDataBlock, long blockSize, long blocksPerGroup,
            long inodesPerGroup, int inodeSize, int state, long compat, long incompat, long roCompat,
            int reservedGdtBlocks, int descSize, long firstMetaBg, long[] backupGroups, long clusterRatio) {

        static Superblock read(RandomAccessSource fs) throws IOException {
            byte[] s = SourceReads.read(fs, SUPERBLOCK_OFFSET, 1024, 1024, "ext4 superblock");
            if (u16(s, 0x38) != MAGIC) {
                throw MalformedInputException.invalid("ext4 magic", u16(s, 0x38), "0xef53", SUPERBLOCK_OFFSET + 0x38);
            }
            long logBlockSize = u32(s, 0x18);
            if (logBlockSize > 6) {
                throw MalformedInputException.outOfRange("ext4 s_log_block_size", logBlockSize, 6,
                        SUPERBLOCK_OFFSET + 0x18);
            }
            long blockSize = 1024L << logBlockSize;
            long incompat = u32(s, 0x60);
            boolean is64 = (incompat & INCOMPAT_64BIT) != 0;
            long blocks = u32(s, 0x04) | (is64 ? u32(s, 0x150) << 32 : 0);
            long limit = fs.size() / blockSize;
            if (blocks > limit) {
                throw MalformedInputException.outOfRange("ext4 block count", blocks, limit, SUPERBLOCK_OFFSET + 4);
            }
            long firstDataBlock = u32(s, 0x14);
            if (firstDataBlock > 1 || firstDataBlock >= blocks) {
                throw MalformedInputException.invalid("ext4 s_first_data_block", firstDataBlock,
                        "0 or 1, below the block count", SUPERBLOCK_OFFSET + 0x14);
            }
            long clusterRatio = 1;
            long roCompat = u32(s, 0x64);
            if ((roCompat & RO_COMPAT_BIGALLOC) != 0) {
                long logClusterSize = u32(s, 0x1c);
                if (logClusterSize < logBlockSize || logClusterSize > logBlockSize + 16 || firstDataBlock != 0) {
                    throw MalformedInputException.invalid("ext4 bigalloc s_log_cluster_size", logClusterSize,
                            logBlockSize + ".." + (logBlockSize + 16) + " with s_first_data_block 0",
                            SUPERBLOCK_OFFSET + 0x1c);
                }
                clusterRatio = 1L << (logClusterSize - logBlockSize);
            }
            long blocksPerGroup = u32(s, 0x20);
            long clustersPerGroup = clusterRatio == 1 ? blocksPerGroup : u32(s, 0x24);
            if (clustersPerGroup < 8 || clustersPerGroup > 8 * blockSize
                    || blocksPerGroup != clustersPerGroup * clusterRatio) {
                throw MalformedInputException.invalid("ext4 s_blocks_per_group", blocksPerGroup,
                        "8.." + 8 * blockSize + " bitmap bits per group, " + clusterRatio + " blocks each",
                        SUPERBLOCK_OFFSET + 0x20);
            }
            long descriptorBytes = groupCount(blocks, firstDataBlock, blocksPerGroup) * (is64 ? u16(s, 0xfe) : 32);
            if (descriptorBytes > MAX_DESCRIPTOR_BYTES) {
                throw MalformedInputException.outOfRange("ext4 group descriptor table length", descriptorBytes,
                        MAX_DESCRIPTOR_BYTES, SUPERBLOCK_OFFSET + 4);
            }
            int descSize = is64 ? u16(s, 0xfe) : 32;
            if (descSize < 32 || descSize > 1024 || Integer.bitCount(descSize) != 1 || is64 && descSize < 64) {
                throw MalformedInputException.invalid("ext4 s_desc_size", descSize, is64 ? "64..1024, a power of two"
                        : "32", SUPERBLOCK_OFFSET + 0xfe);
            }
            int inodeSize = u32(s, 0x4c) == 0 ? 128 : u16(s, 0x58);
            if (inodeSize < 128 || inodeSize > blockSize) {
                throw MalformedInputException.invalid("ext4 s_inode_size", inodeSize, "128.." + blockSize,
                        SUPERBLOCK_OFFSET + 0x58);
            }
            return new Superblock(blocks, firstDataBlock, blockSize, blocksPerGroup, u32(s, 0x28), inodeSize,
                    u16(s, 0x3a), u32(s, 0x5c), incompat, roCompat, u16(s, 0xce), descSize, u32(s, 0x104),
                    new long[] {u32(s, 0x24c), u32(s, 0x250)}, clusterRatio);
        }

        /**
         * The block after the superblock's: block 2 with 1 KiB blocks (block 0 is the boot block, even
         * under bigalloc where s_first_data_block is 0), block 1 otherwise.
         */
        long firstDescriptorBlock() {
            return SUPERBLOCK_OFFSET / blockSize + 1;
        }

        boolean metaBg() {
            return (incompat & INCOMPAT_META_BG) != 0;
        }

        int groups() {
            return (int) groupCount(blocks, firstDataBlock, blocksPerGroup);
        }

        static long groupCount(long blocks, long firstDataBlock, long blocksPerGroup) {
            return (blocks - firstDataBlock + blocksPerGroup - 1) / blocksPerGroup;
        }

        Optional<String> reasonAllInUse() {
            if ((incompat & INCOMPAT_RECOVER) != 0) {
                return Optional.of("needs_recovery: the journal is not replayed, so the bitmaps may be stale");
            }
            if ((state & STATE_ERRORS) != 0) {
                return Optional.of("the file system is marked with errors");
            }
            if ((state & STATE_VALID) == 0) {
                return Optional.of("the file system was not cleanly unmounted");
            }
            return Optional.empty();
        }

        /** Whether {@code group} starts with a superblock backup (and so a GDT copy). */
        boolean hasSuperblockCopy(long group) {
            if (group == 0) {
                return true;
            }
            if ((compat & COMPAT_SPARSE_SUPER2) != 0) {
                return group == backupGroups[0] || group == backupGroups[1];
            }
            if ((roCompat & RO_COMPAT_SPARSE_SUPER) == 0) {
                return true;
            }
            return group == 1 || isPowerOf(group, 3) || isPowerOf(group, 5) || isPowerOf(group, 7);
        }

        private static boolean isPowerOf(long value, int base) {
            long power = base;
            while (power < value) {
                power *= base;
            }
            return power == value;
        }
    }
}
