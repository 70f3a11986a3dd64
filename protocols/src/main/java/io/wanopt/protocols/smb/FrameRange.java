package io.wanopt.protocols.smb;

/**
 * A range of bytes in a frame as it crossed the wire ({@link SmbFrame#wire()}: offset 0 is the first byte of
 * the 4-byte Direct TCP header), e.g. where READ data lies. Nothing is copied: the range says where to look.
 */
public record FrameRange(int offset, int length) {

    public FrameRange {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset (" + offset + ") and length (" + length + ") must be >= 0");
        }
    }

    /** The offset just past the range. */
    public int end() {
        return offset + length;
    }
}
