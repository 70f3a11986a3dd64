package io.wanopt.protocols.oncrpc;

import io.netty.buffer.ByteBuf;
import io.netty.util.AbstractReferenceCounted;
import java.util.ArrayList;
import java.util.List;

/**
 * One ONC RPC record as it crossed the TCP stream (RFC 5531 §11): its exact wire bytes, fragment
 * headers included, so a proxy can forward it unchanged, and a view of the reassembled payload (the RPC
 * message) for parsing. Neither is a copy: the wire bytes are a retained slice of the input; the payload
 * is a slice of the wire bytes for a one-fragment record and a composite of slices otherwise.
 *
 * <p>Offsets found while parsing the payload ({@link PayloadRange}) map back to the wire bytes with
 * {@link #wireOffset(int)} and {@link #wireRanges(PayloadRange)}: a range can span fragment headers.
 *
 * <p>Reference-counted: {@link #wire()} and {@link #payload()} are valid until the record is released;
 * whoever keeps either longer must {@code retain()} it (or {@code retainedSlice()}).
 */
public final class RpcRecord extends AbstractReferenceCounted {

    /** Size of a record-marking header: last-fragment bit and 31-bit fragment length. */
    public static final int FRAGMENT_HEADER_LENGTH = 4;

    private final ByteBuf wire;
    private final ByteBuf payload;
    /** The payload when this record holds its own reference to it (a composite), else null. */
    private final ByteBuf ownedPayload;
    /** Payload offset at which each fragment's data starts, in wire order. */
    private final int[] fragmentStarts;
    private final long streamOffset;

    /**
     * Takes ownership of {@code wire} (one reference) and of {@code payload} when it is not a derived
     * slice of {@code wire} ({@code ownsPayload}).
     */
    RpcRecord(ByteBuf wire, ByteBuf payload, boolean ownsPayload, int[] fragmentStarts, long streamOffset) {
        this.wire = wire;
        this.payload = payload;
        this.ownedPayload = ownsPayload ? payload : null;
        this.fragmentStarts = fragmentStarts;
        this.streamOffset = streamOffset;
    }

    /** The record exactly as on the wire, fragment headers included. */
    public ByteBuf wire() {
        return wire;
    }

    /** The reassembled record (the RPC message), without fragment headers. */
    public ByteBuf payload() {
        return payload;
    }

    /** Number of fragments the record was sent in. */
    public int fragmentCount() {
        return fragmentStarts.length;
    }

    /** Offset of the record's first wire byte in its TCP stream (as seen by the framer). */
    public long streamOffset() {
        return streamOffset;
    }

    /**
     * The wire offset of payload byte {@code payloadOffset} (or, for the payload length, the wire length):
     * the payload offset plus the headers of all fragments that start at or before it.
     */
    public int wireOffset(int payloadOffset) {
        if (payloadOffset < 0 || payloadOffset > payload.readableBytes()) {
            throw new IndexOutOfBoundsException("payload offset " + payloadOffset + " outside 0-"
                    + payload.readableBytes());
        }
        return payloadOffset + fragmentsStartingAtOrBefore(payloadOffset) * FRAGMENT_HEADER_LENGTH;
    }

    /**
     * The wire byte ranges that hold payload {@code range}, in order: one range, or several when fragment
     * headers fall inside it. An empty range gives an empty list.
     */
    public List<WireRange> wireRanges(PayloadRange range) {
        if (range.end() > payload.readableBytes()) {
            throw new IndexOutOfBoundsException(range + " outside the payload (" + payload.readableBytes() + " bytes)");
        }
        List<WireRange> ranges = new ArrayList<>(1);
        int position = range.offset();
        // the last fragment starting at or before the position holds it (empty fragments share their start)
        for (int fragment = fragmentsStartingAtOrBefore(position) - 1; position < range.end(); fragment++) {
            int fragmentEnd = fragment + 1 < fragmentStarts.length ? fragmentStarts[fragment + 1] : payload.readableBytes();
            int pieceEnd = Math.min(range.end(), fragmentEnd);
            if (pieceEnd > position) {
                ranges.add(new WireRange(position + (fragment + 1) * FRAGMENT_HEADER_LENGTH, pieceEnd - position));
                position = pieceEnd;
            }
        }
        return ranges;
    }

    private int fragmentsStartingAtOrBefore(int payloadOffset) {
        int low = 0;
        int high = fragmentStarts.length;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (fragmentStarts[middle] <= payloadOffset) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }

    /** A range of {@link #wire()} bytes. */
    public record WireRange(int offset, int length) {
    }

    @Override
    public RpcRecord retain() {
        super.retain();
        return this;
    }

    @Override
    public RpcRecord retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public RpcRecord touch() {
        return touch(null);
    }

    @Override
    public RpcRecord touch(Object hint) {
        wire.touch(hint);
        if (ownedPayload != null) {
            ownedPayload.touch(hint);
        }
        return this;
    }

    @Override
    protected void deallocate() {
        if (ownedPayload != null) {
            ownedPayload.release();
        }
        wire.release();
    }

    @Override
    public String toString() {
        return "RpcRecord(streamOffset=" + streamOffset + ", wire=" + wire.readableBytes() + " bytes, payload="
                + payload.readableBytes() + " bytes, fragments=" + fragmentStarts.length + ')';
    }
}
