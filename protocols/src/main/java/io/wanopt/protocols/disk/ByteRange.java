package io.wanopt.protocols.disk;

/**
 * A run of bytes {@code [offset, offset + length)} of a disk, partition or file system.
 *
 * @param offset first byte
 * @param length number of bytes
 */
public record ByteRange(long offset, long length) {

    /** One past the last byte. */
    public long end() {
        return offset + length;
    }
}
