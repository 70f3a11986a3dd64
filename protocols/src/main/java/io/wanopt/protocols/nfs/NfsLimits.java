package io.wanopt.protocols.nfs;

/**
 * Caps on what the NFS decoders accept or keep, beyond the limits the protocols fix themselves (file
 * handles, AUTH_SYS). Every declared length is also checked against what remains in its record.
 *
 * @param maxNameLength         a file name ({@code filename3}, {@code component4}); over it is malformed
 * @param maxPathLength         a MOUNT {@code dirpath}; RFC 1813 {@code MNTPATHLEN} is 1024
 * @param maxDataLength         READ/WRITE data; over it is malformed (the record cap usually bounds it first)
 * @param maxCompoundOps        COMPOUND operations walked; later ones are reported as not understood
 * @param maxTagLength          a COMPOUND tag; over it is malformed
 * @param maxBitmapWords        words of an NFSv4 attribute bitmap; over it is malformed
 * @param maxDirectoryEntries   READDIRPLUS entries kept; the listing is then marked incomplete
 */
public record NfsLimits(int maxNameLength, int maxPathLength, int maxDataLength, int maxCompoundOps,
        int maxTagLength, int maxBitmapWords, int maxDirectoryEntries) {

    public NfsLimits {
        if (maxNameLength < 1 || maxPathLength < 1 || maxDataLength < 0 || maxCompoundOps < 1 || maxTagLength < 0
                || maxBitmapWords < 1 || maxDirectoryEntries < 0) {
            throw new IllegalArgumentException("invalid NFS limits: " + "maxNameLength=" + maxNameLength
                    + " maxPathLength=" + maxPathLength + " maxDataLength=" + maxDataLength + " maxCompoundOps="
                    + maxCompoundOps + " maxTagLength=" + maxTagLength + " maxBitmapWords=" + maxBitmapWords
                    + " maxDirectoryEntries=" + maxDirectoryEntries);
        }
    }

    /**
     * Names up to 1024 bytes ({@code NFS4_OPAQUE_LIMIT}), paths 1024, data 64 MiB, 128 COMPOUND ops (Linux
     * sends at most about 20), tags 1024, bitmaps of 8 words (NFSv4.2 uses 3), 65536 directory entries.
     */
    public static NfsLimits defaults() {
        return new NfsLimits(1024, 1024, 64 * 1024 * 1024, 128, 1024, 8, 65_536);
    }
}
