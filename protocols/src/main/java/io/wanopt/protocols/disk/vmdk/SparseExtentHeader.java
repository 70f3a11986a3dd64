package io.wanopt.protocols.disk.vmdk;

import static io.wanopt.protocols.disk.SourceReads.u16;
import static io.wanopt.protocols.disk.SourceReads.u32;
import static io.wanopt.protocols.disk.SourceReads.u64;

import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.disk.RandomAccessSource;
import io.wanopt.protocols.disk.SourceReads;
import java.io.IOException;

/**
 * The 512-byte header of a hosted sparse extent ({@code KDMV}, sector 0). Sizes and offsets are in
 * 512-byte sectors.
 *
 * @param version           1, 2 (zeroed-grain entries allowed) or 3
 * @param flags             bit 1 redundant GD, bit 2 zeroed-grain GTE, bit 16 compressed, bit 17 markers
 * @param capacity          guest disk sectors this extent covers
 * @param grainSize         sectors per grain (a power of two)
 * @param descriptorOffset  embedded descriptor, 0 if none
 * @param descriptorSize    its length
 * @param numGTEsPerGT      grain-table entries per grain table
 * @param rgdOffset         redundant grain directory
 * @param gdOffset          grain directory ({@link #GD_AT_END}: in the footer)
 * @param compressAlgorithm 0 none, 1 deflate
 */
public record SparseExtentHeader(int version, long flags, long capacity, long grainSize, long descriptorOffset,
        long descriptorSize, long numGTEsPerGT, long rgdOffset, long gdOffset, int compressAlgorithm) {

    /** Header length. */
    public static final int LENGTH = 512;
    /** gdOffset of a streamOptimized file whose grain directory is in the footer. */
    public static final long GD_AT_END = -1L;
    /** Flag: a grain-table entry of 1 is a zeroed grain. */
    public static final long FLAG_ZEROED_GRAIN_GTE = 0x4;
    /** Flag: grains are compressed (streamOptimized). */
    public static final long FLAG_COMPRESSED = 0x10000;
    /** Largest grain accepted, in sectors (32 MiB; VMware and qemu use 128). */
    public static final long MAX_GRAIN_SIZE = 1L << 16;
    /** Most grain-table entries per table accepted (512 for hosted sparse; qemu rejects more). */
    public static final long MAX_GTES_PER_GT = 512;

    private static final long MAGIC = 0x564d444bL; // "KDMV" read little-endian

    /** Whether {@code sector0} starts with {@code KDMV}. */
    public static boolean isSparseExtent(byte[] sector0) {
        return sector0.length >= 4 && u32(sector0, 0) == MAGIC;
    }

    /** Reads and checks the header at the start of {@code extent}. */
    public static SparseExtentHeader read(RandomAccessSource extent) throws IOException {
        return read(extent, 0);
    }

    /** Reads and checks a header (or a streamOptimized footer, which has the same layout) at {@code at}. */
    public static SparseExtentHeader read(RandomAccessSource extent, long at) throws IOException {
        byte[] h = SourceReads.read(extent, at, LENGTH, LENGTH, "VMDK sparse extent header");
        if (!isSparseExtent(h)) {
            throw MalformedInputException.invalid("VMDK sparse magic", u32(h, 0), "0x564d444b (KDMV)", at);
        }
        int version = (int) u32(h, 4);
        if (version < 1 || version > 3) {
            throw MalformedInputException.invalid("VMDK sparse version", version, "1, 2 or 3", 4);
        }
        long capacity = u64(h, 12);
        if (capacity < 0 || capacity > VmdkDescriptor.MAX_SECTORS) {
            throw MalformedInputException.outOfRange("VMDK capacity", capacity, VmdkDescriptor.MAX_SECTORS, 12);
        }
        long grainSize = u64(h, 20);
        if (grainSize < 1 || grainSize > MAX_GRAIN_SIZE || Long.bitCount(grainSize) != 1) {
            throw MalformedInputException.invalid("VMDK grainSize", grainSize, "a power of two up to "
                    + MAX_GRAIN_SIZE, 20);
        }
        long gtes = u32(h, 44);
        if (gtes < 1 || gtes > MAX_GTES_PER_GT) {
            throw MalformedInputException.invalid("VMDK numGTEsPerGT", gtes, "1.." + MAX_GTES_PER_GT, 44);
        }
        return new SparseExtentHeader(version, u32(h, 8), capacity, grainSize, u64(h, 28), u64(h, 36), gtes,
                u64(h, 48), u64(h, 56), u16(h, 77));
    }

    /** Whether grain-table entry 1 means a zeroed grain (version 2+ with the flag). */
    public boolean zeroedGrainEntries() {
        return (flags & FLAG_ZEROED_GRAIN_GTE) != 0;
    }

    /** Whether grains are stored compressed behind grain markers (streamOptimized). */
    public boolean compressed() {
        return (flags & FLAG_COMPRESSED) != 0;
    }
}
