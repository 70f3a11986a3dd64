package io.wanopt.protocols.smb;

import io.netty.buffer.ByteBuf;
import io.netty.util.AbstractReferenceCounted;

/**
 * One Direct TCP frame ([MS-SMB2] 2.1) exactly as it crossed the stream: the 4-byte transport header
 * (a zero byte and a 3-byte big-endian length) and the SMB message it carries, classified by
 * {@link FrameKind}. The bytes are a retained slice of the input, not a copy, so a proxy can forward
 * {@link #wire()} unchanged; every {@link FrameRange} found while parsing indexes into it.
 *
 * <p>Reference-counted: {@link #wire()} and {@link #message()} are valid until the frame is released.
 */
public final class SmbFrame extends AbstractReferenceCounted {

    /** The Direct TCP header: a zero byte and the 24-bit message length. */
    public static final int TRANSPORT_HEADER_LENGTH = 4;

    private final ByteBuf wire;
    private final FrameKind kind;
    private final long streamOffset;

    /** Takes ownership of one reference to {@code wire}. */
    SmbFrame(ByteBuf wire, long streamOffset) {
        this.wire = wire;
        this.streamOffset = streamOffset;
        this.kind = FrameKind.of(wire, wire.readerIndex() + TRANSPORT_HEADER_LENGTH, messageLength());
    }

    /** The frame as on the wire, transport header included. */
    public ByteBuf wire() {
        return wire;
    }

    /** The SMB message without the transport header (a derived slice: not retained). */
    public ByteBuf message() {
        return wire.slice(wire.readerIndex() + TRANSPORT_HEADER_LENGTH, messageLength());
    }

    public FrameKind kind() {
        return kind;
    }

    /** Length of the SMB message (the transport header's length field). */
    public int messageLength() {
        return wire.readableBytes() - TRANSPORT_HEADER_LENGTH;
    }

    /** Offset of the frame's first byte in its TCP stream (as seen by the framer). */
    public long streamOffset() {
        return streamOffset;
    }

    @Override
    public SmbFrame retain() {
        super.retain();
        return this;
    }

    @Override
    public SmbFrame retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public SmbFrame touch() {
        return touch(null);
    }

    @Override
    public SmbFrame touch(Object hint) {
        wire.touch(hint);
        return this;
    }

    @Override
    protected void deallocate() {
        wire.release();
    }

    @Override
    public String toString() {
        return "SmbFrame(" + kind + ", streamOffset=" + streamOffset + ", message=" + messageLength() + " bytes)";
    }
}
