package io.wanopt.protocols.disk.vmdk;

/**
 * A range of the guest disk and where its bytes are.
 *
 * @param guestOffset first byte on the guest disk
 * @param length      bytes
 * @param allocation  whether the bytes are stored, zeroed or absent
 * @param extentIndex which extent file holds them (index into {@link VmdkImage#extentFiles()}), -1 if none
 * @param fileOffset  where the first byte is in that file (DATA), where the grain's marker is (COMPRESSED),
 *                    -1 otherwise
 */
public record GuestRange(long guestOffset, long length, Allocation allocation, int extentIndex, long fileOffset) {

    /** What a guest range holds. */
    public enum Allocation {
        /** Stored in an extent file at {@link #fileOffset}. */
        DATA,
        /** One grain stored compressed (streamOptimized) behind a grain marker at {@link #fileOffset}. */
        COMPRESSED,
        /** A zeroed grain or a ZERO extent: reads as zeros, takes no space. */
        ZERO,
        /** Written in none of the layers read (this disk and its parents): reads as zeros. */
        UNALLOCATED
    }

    /** One past the last guest byte. */
    public long guestEnd() {
        return guestOffset + length;
    }
}
