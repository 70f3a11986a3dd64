package io.wanopt.protocols.disk.vmdk;

import static io.wanopt.protocols.disk.SourceReads.u32;

import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.disk.RandomAccessSource;
import io.wanopt.protocols.disk.SourceReads;
import java.io.IOException;

/**
 * The header of an ESX redo log ({@code COWD}, VMFSSPARSE, {@code x-000001-delta.vmdk}); sizes and
 * offsets in 512-byte sectors. Its grain tables always hold {@link #GTES_PER_GT} entries.
 *
 * @param capacity  guest sectors
 * @param grainSize sectors per grain (a power of two)
 * @param gdOffset  grain directory
 * @param gdEntries grain directory entries
 */
public record CowdHeader(long capacity, long grainSize, long gdOffset, long gdEntries) {

    /** Grain-table entries per table (qemu hard-codes it too). */
    public static final int GTES_PER_GT = 4096;

    private static final long MAGIC = 0x44574f43L; // "COWD" read little-endian

    /** Whether {@code sector0} starts with {@code COWD}. */
    public static boolean isCowd(byte[] sector0) {
        return sector0.length >= 4 && u32(sector0, 0) == MAGIC;
    }

    /** Reads and checks the header at the start of {@code extent}. */
    public static CowdHeader read(RandomAccessSource extent) throws IOException {
        byte[] h = SourceReads.read(extent, 0, 32, 32, "VMDK COWD header");
        if (!isCowd(h)) {
            throw MalformedInputException.invalid("VMDK COWD magic", u32(h, 0), "0x44574f43 (COWD)", 0);
        }
        long grainSize = u32(h, 16);
        if (grainSize < 1 || grainSize > SparseExtentHeader.MAX_GRAIN_SIZE || Long.bitCount(grainSize) != 1) {
            throw MalformedInputException.invalid("VMDK COWD grainSize", grainSize, "a power of two up to "
                    + SparseExtentHeader.MAX_GRAIN_SIZE, 16);
        }
        long capacity = u32(h, 12);
        long needed = (capacity + GTES_PER_GT * grainSize - 1) / (GTES_PER_GT * grainSize);
        long gdEntries = u32(h, 24);
        if (gdEntries < needed) {
            throw MalformedInputException.invalid("VMDK COWD grain directory entries", gdEntries, "at least " + needed
                    + " for the capacity", 24);
        }
        return new CowdHeader(capacity, grainSize, u32(h, 20), needed);
    }
}
