package io.wanopt.protocols.oncrpc;

/**
 * A range of bytes in a record's reassembled payload (offset 0 is the first byte after the first
 * record-marking header). {@link RpcRecord#wireRanges(PayloadRange)} maps it to the record's wire bytes.
 */
public record PayloadRange(int offset, int length) {

    public PayloadRange {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset (" + offset + ") and length (" + length + ") must be >= 0");
        }
    }

    /** The offset just past the range. */
    public int end() {
        return offset + length;
    }
}
