package io.wanopt.protocols.disk.vmdk;

import static io.wanopt.protocols.disk.SourceReads.u64;

import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.disk.RandomAccessSource;
import io.wanopt.protocols.disk.SourceReads;
import java.io.IOException;

/**
 * The constant header of an SE sparse extent ({@code x-000001-sesparse.vmdk}), all u64, sizes and
 * offsets in 512-byte sectors, checked as strictly as qemu does (the format is not documented): grains
 * of 8 sectors, grain tables of 64 sectors (4096 u64 entries). The volatile header it points at must not
 * ask for a journal replay.
 *
 * @param capacity        guest sectors
 * @param grainDirOffset  grain directory
 * @param grainDirSize    its length
 * @param grainTables     where grain tables are numbered from
 * @param grainTablesSize their total length
 * @param grains          where grains are numbered from
 */
public record SeSparseHeader(long capacity, long grainDirOffset, long grainDirSize, long grainTables,
        long grainTablesSize, long grains) {

    /** Sectors per grain. */
    public static final long GRAIN_SIZE = 8;
    /** Sectors per grain table. */
    public static final long GRAIN_TABLE_SIZE = 64;

    private static final long MAGIC = 0xcafebabeL;
    private static final long VOLATILE_MAGIC = 0xcafecafeL;
    private static final long VERSION = 0x0000000200000001L;

    /** Whether {@code sector0} starts with the SE sparse magic. */
    public static boolean isSeSparse(byte[] sector0) {
        return sector0.length >= 8 && u64(sector0, 0) == MAGIC;
    }

    /** Reads and checks the constant and volatile headers of {@code extent}. */
    public static SeSparseHeader read(RandomAccessSource extent) throws IOException {
        byte[] h = SourceReads.read(extent, 0, 512, 512, "VMDK SE sparse header");
        expect(h, 0, MAGIC, "magic");
        expect(h, 8, VERSION, "version");
        expect(h, 24, GRAIN_SIZE, "grain size");
        expect(h, 32, GRAIN_TABLE_SIZE, "grain table size");
        for (int at = 40; at < 80; at += 8) {
            expect(h, at, 0, "flags and reserved fields");
        }
        long capacity = sectors(h, 16, "capacity");
        long volatileAt = sectors(h, 80, "volatile header offset");
        byte[] v = SourceReads.read(extent, volatileAt * 512, 32, 32, "VMDK SE sparse volatile header");
        expect(v, 0, VOLATILE_MAGIC, "volatile header magic");
        if (u64(v, 24) != 0) {
            throw MalformedInputException.invalid("VMDK SE sparse replay_journal", u64(v, 24),
                    "0 (a journal to replay means the extent is not consistent)", volatileAt * 512 + 24);
        }
        return new SeSparseHeader(capacity, sectors(h, 128, "grain directory offset"),
                sectors(h, 136, "grain directory size"), sectors(h, 144, "grain tables offset"),
                sectors(h, 152, "grain tables size"), sectors(h, 192, "grains offset"));
    }

    private static void expect(byte[] h, int at, long value, String what) {
        if (u64(h, at) != value) {
            throw MalformedInputException.invalid("VMDK SE sparse " + what, u64(h, at), "0x" + Long.toHexString(value),
                    at);
        }
    }

    private static long sectors(byte[] h, int at, String what) {
        long value = u64(h, at);
        if (value < 0 || value > VmdkDescriptor.MAX_SECTORS) {
            throw MalformedInputException.outOfRange("VMDK SE sparse " + what, value, VmdkDescriptor.MAX_SECTORS, at);
        }
        return value;
    }
}
