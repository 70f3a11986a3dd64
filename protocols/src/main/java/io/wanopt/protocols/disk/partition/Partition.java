package io.wanopt.protocols.disk.partition;

/**
 * One partition of a guest disk (MBR primary or logical, or GPT entry), in bytes of the guest disk.
 *
 * @param number 1-4 primary and 5.. logical MBR partitions (as Linux numbers them), GPT entry index + 1
 * @param offset first byte on the disk
 * @param length bytes
 * @param type   the MBR type as {@code 0x83}, or the GPT type GUID in upper case
 */
public record Partition(int number, long offset, long length, String type) {

    /** One past the last byte. */
    public long end() {
        return offset + length;
    }
}
