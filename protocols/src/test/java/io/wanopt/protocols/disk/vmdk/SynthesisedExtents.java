package io.wanopt.protocols.disk.vmdk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * VMDK extents no tool on the test machines writes (COWD, SE sparse, VMware's streamOptimized layout),
 * built from a raw disk or a qemu-made file; tests check qemu reads them as the source.
 */
public final class SynthesisedExtents {

    private static final int GRAIN = 64 << 10;

    private SynthesisedExtents() {
    }

    /** An SE sparse file: const header, volatile header, journal, GD, one GT, then the non-zero 4 KiB grains. */
    public static byte[] seSparse(byte[] disk) {
        int grainBytes = 4096;
        long[] layout = {1, 1, 2, 1, 3, 1, 4, 1, 5, 64, 69, 1, 70, 1, 71, disk.length / 512};
        ByteBuffer out = ByteBuffer.allocate(disk.length + 71 * 512).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(0xcafebabeL).putLong(0x0000000200000001L).putLong(disk.length / 512).putLong(8).putLong(64);
        out.position(80);
        for (long sectors : layout) {
            out.putLong(sectors);
        }
        out.putLong(512, 0xcafecafeL).putLong(512 + 8, 1).putLong(512 + 16, 1);
        out.putLong(4 * 512, 0x10000000L << 32);        // grain directory entry 0 -> grain table 0
        long grain = 0;
        for (int g = 0; g < disk.length / grainBytes; g++) {
            byte[] data = Arrays.copyOfRange(disk, g * grainBytes, (g + 1) * grainBytes);
            if (allZero(data)) {
                continue;
            }
            long entry = 3L << 60 | (grain & 0xfff) << 48 | grain >>> 12;
            out.putLong(5 * 512 + 8 * g, entry);
            out.put((int) (71 * 512 + grain * grainBytes), data);
            grain++;
        }
        return Arrays.copyOf(out.array(), (int) (71 * 512 + grain * grainBytes));
    }

    /** A COWD file holding the non-zero 64 KiB grains of {@code disk}: header, GD, one GT, grains. */
    public static byte[] cowd(byte[] disk) {
        int grains = disk.length / GRAIN;
        ByteBuffer out = ByteBuffer.allocate(disk.length + 64 * 512).order(ByteOrder.LITTLE_ENDIAN);
        out.put("COWD".getBytes(StandardCharsets.US_ASCII)).putInt(1).putInt(3)
                .putInt(disk.length / 512).putInt(GRAIN / 512).putInt(4).putInt(1);
        int gtSector = 5;
        int grainSector = gtSector + 4096 * 4 / 512;
        out.putInt(grainSector + grains * (GRAIN / 512));   // nextFreeSector (upper bound)
        out.putInt(4 * 512, gtSector);
        for (int g = 0; g < grains; g++) {
            byte[] grain = Arrays.copyOfRange(disk, g * GRAIN, (g + 1) * GRAIN);
            if (allZero(grain)) {
                continue;
            }
            out.putInt(gtSector * 512 + 4 * g, grainSector);
            out.put(grainSector * 512, grain);
            grainSector += GRAIN / 512;
        }
        return Arrays.copyOf(out.array(), grainSector * 512);
    }

    /**
     * qemu's streamOptimized file rewritten as VMware lays it out: header (gdOffset = GD_AT_END),
     * descriptor, grain markers, GT markers + GTs, GD marker + GD, footer marker + footer, end marker.
     */
    public static byte[] vmwareLayout(byte[] qemu) {
        ByteBuffer in = ByteBuffer.wrap(qemu).order(ByteOrder.LITTLE_ENDIAN);
        long capacity = in.getLong(12);
        long grainSize = in.getLong(20);
        int perTable = in.getInt(44);
        int tables = (int) ((capacity + perTable * grainSize - 1) / (perTable * grainSize));
        long gd = in.getLong(56) * 512;
        ByteBuffer out = ByteBuffer.allocate(qemu.length + (tables * 5 + 64) * 512).order(ByteOrder.LITTLE_ENDIAN);
        byte[] header = Arrays.copyOf(qemu, 512);
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(8, h.getInt(8) & ~0x2);    // no redundant grain directory
        h.putLong(48, 0);
        h.putLong(56, SparseExtentHeader.GD_AT_END);
        h.putLong(64, 21);                  // overHead: header + descriptor
        out.put(header).put(qemu, 512, 20 * 512);
        int[][] tablesOut = new int[tables][perTable];
        for (int t = 0; t < tables; t++) {
            long gt = (in.getInt((int) gd + 4 * t) & 0xffffffffL) * 512;
            for (int i = 0; i < perTable && gt != 0; i++) {
                long marker = (in.getInt((int) gt + 4 * i) & 0xffffffffL) * 512;
                if (marker == 0) {
                    continue;
                }
                int length = 12 + in.getInt((int) marker + 8);
                tablesOut[t][i] = out.position() / 512;
                out.put(qemu, (int) marker, length);
                out.position((out.position() + 511) / 512 * 512);
            }
        }
        int[] gtSectors = new int[tables];
        for (int t = 0; t < tables; t++) {
            metadataMarker(out, perTable * 4 / 512, 1);
            gtSectors[t] = out.position() / 512;
            for (int entry : tablesOut[t]) {
                out.putInt(entry);
            }
        }
        int gdSectors = (tables * 4 + 511) / 512;
        metadataMarker(out, gdSectors, 2);
        int gdSector = out.position() / 512;
        for (int sector : gtSectors) {
            out.putInt(sector);
        }
        out.position((gdSector + gdSectors) * 512);
        metadataMarker(out, 1, 3);
        h.putLong(56, gdSector);
        out.put(header);
        out.put(new byte[512]);             // end-of-stream marker
        return Arrays.copyOf(out.array(), out.position());
    }

    private static void metadataMarker(ByteBuffer out, long sectors, int type) {
        int at = out.position();
        out.putLong(sectors).putInt(0).putInt(type).put(new byte[496]);
        out.position(at + 512);
    }

    private static boolean allZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
