package io.wanopt.protocols.disk;

import java.util.List;
import java.util.Optional;

/**
 * Which blocks of a file system its own allocation bitmaps call free. Offsets are bytes from the start
 * of the file system (the partition). A file system that is not clean, or uses a layout not read yet,
 * is wholly in use: {@link #free} is empty and {@link #allInUseReason} says why.
 *
 * @param type           e.g. {@code ext4}
 * @param blockSize      bytes per allocation block
 * @param blocks         blocks in the file system
 * @param freeBlocks     blocks the bitmaps call free (0 when wholly in use)
 * @param free           the free blocks as byte ranges, in order, adjacent ones merged
 * @param allInUseReason why every block counts as in use, if it does
 */
public record FileSystemUsage(String type, long blockSize, long blocks, long freeBlocks, List<ByteRange> free,
        Optional<String> allInUseReason) {

    /** A file system counted wholly in use, for {@code reason}. */
    public static FileSystemUsage allInUse(String type, long blockSize, long blocks, String reason) {
        return new FileSystemUsage(type, blockSize, blocks, 0, List.of(), Optional.of(reason));
    }

    /** Bytes in use: everything but the free blocks. */
    public long usedBytes() {
        return (blocks - freeBlocks) * blockSize;
    }
}
