package io.wanopt.protocols.nfs;

/**
 * Where to cut the data of a READ reply or WRITE call so that dedupe chunks line up with the file, not
 * with the message: at every file offset that is a multiple of the chunk size. The same file block then
 * gives the same chunk whatever call, XID, read size or offset carried it; a read at an odd offset cuts
 * at the same file positions as an aligned one (its first and last pieces are partial chunks).
 *
 * <pre>
 *  file:    |0        |32K       |64K       |96K
 *  region:        [5000 ............... 70000)        fileOffset 5000, length 65000
 *  cuts:               ^27768    ^60536               (region-relative)
 * </pre>
 */
public final class FileBlockCuts {

    /** The file-system block the chunk size must be a multiple of. */
    public static final int BLOCK_SIZE = 4096;
    /** Eight 4 KiB blocks per chunk. */
    public static final int DEFAULT_CHUNK_SIZE = 32 * 1024;

    private FileBlockCuts() {
    }

    /**
     * The positions, relative to the region's start and in ascending order, where file offset
     * {@code fileOffset + position} is a multiple of {@code chunkSize}, with {@code 0 < position < length}
     * (the region's own ends are not cuts).
     *
     * @param fileOffset file offset of the region's first byte, read as unsigned (NFS {@code offset3}/{@code offset4})
     * @param length     the region's length in bytes, {@code >= 0}
     * @param chunkSize  a positive multiple of {@link #BLOCK_SIZE}
     */
    public static int[] cuts(long fileOffset, int length, int chunkSize) {
        if (chunkSize <= 0 || chunkSize % BLOCK_SIZE != 0) {
            throw new IllegalArgumentException("chunkSize (" + chunkSize + ") must be a positive multiple of "
                    + BLOCK_SIZE);
        }
        if (length < 0) {
            throw new IllegalArgumentException("length (" + length + ") must be >= 0");
        }
        long intoChunk = Long.remainderUnsigned(fileOffset, chunkSize);
        long first = intoChunk == 0 ? chunkSize : chunkSize - intoChunk;
        if (first >= length) {
            return new int[0];
        }
        int[] cuts = new int[(int) ((length - 1 - first) / chunkSize) + 1];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = (int) (first + (long) i * chunkSize);
        }
        return cuts;
    }
}
