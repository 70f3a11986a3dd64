package io.wanopt.protocols.oncrpc;

import io.netty.buffer.ByteBuf;
import io.wanopt.protocols.MalformedInputException;
import java.nio.charset.StandardCharsets;

/**
 * Reads XDR (RFC 4506) items from a bounded region of a record payload without moving the buffer's
 * indexes. Every read checks what remains in the region first, and every variable-length item checks
 * its declared length against a cap and against what remains <em>before</em> anything is allocated
 * or sliced, so a hostile length can cost neither memory nor a wrong slice. Violations throw
 * {@link MalformedInputException} naming the item, the value, the limit and the payload offset.
 *
 * <p>Items that are only stepped over (a cap of {@code Integer.MAX_VALUE}) allocate nothing and are
 * bounded by the record, whose own length the framer capped; counts of such items still promise at
 * least a minimum size per item ({@link #readCount}), so walking them is linear in the record length.
 *
 * <p>Offsets ({@link #offset()}, {@link PayloadRange}) count from the start of the payload the first
 * reader was made for, also in readers made by {@link #readOpaqueBody}. Not thread-safe.
 */
public final class XdrReader {

    private final ByteBuf buf;
    /** Buffer index of payload offset 0. */
    private final int base;
    /** Buffer index just past the readable region. */
    private final int limit;
    private int index;

    /** A reader over {@code payload}'s readable bytes; offset 0 is its reader index. */
    public XdrReader(ByteBuf payload) {
        this(payload, payload.readerIndex(), payload.readerIndex(), payload.writerIndex());
    }

    /**
     * A reader over the payload bytes {@code [offset, payload length)}; offsets are still counted from
     * the payload's reader index, e.g. to read procedure arguments at {@link RpcCall#argumentsOffset()}.
     */
    public XdrReader(ByteBuf payload, int offset) {
        this(payload, payload.readerIndex(), checkedStart(payload, offset), payload.writerIndex());
    }

    private XdrReader(ByteBuf buf, int base, int index, int limit) {
        this.buf = buf;
        this.base = base;
        this.index = index;
        this.limit = limit;
    }

    private static int checkedStart(ByteBuf payload, int offset) {
        if (offset < 0 || offset > payload.readableBytes()) {
            throw new IllegalArgumentException("offset " + offset + " outside the payload (0-" + payload.readableBytes()
                    + ')');
        }
        return payload.readerIndex() + offset;
    }

    /** The payload offset of the next item. */
    public int offset() {
        return index - base;
    }

    /** Bytes left in this reader's region. */
    public int remaining() {
        return limit - index;
    }

    /** Throws unless at least {@code needed} bytes remain. */
    public void require(long needed, String what) {
        if (needed > remaining()) {
            throw MalformedInputException.truncated(what, needed, remaining(), offset());
        }
    }

    /** XDR {@code int} (also {@code enum}): 4 bytes, signed. */
    public int readInt(String what) {
        require(4, what);
        int value = buf.getInt(index);
        index += 4;
        return value;
    }

    /** XDR {@code unsigned int}. */
    public long readUnsignedInt(String what) {
        return readInt(what) & 0xFFFF_FFFFL;
    }

    /** XDR {@code hyper} or {@code unsigned hyper} (the caller decides how to read the sign bit). */
    public long readHyper(String what) {
        require(8, what);
        long value = buf.getLong(index);
        index += 8;
        return value;
    }

    /** XDR {@code bool}: only 0 and 1 are allowed. */
    public boolean readBool(String what) {
        int at = offset();
        int value = readInt(what);
        if (value != 0 && value != 1) {
            throw MalformedInputException.invalid(what, value & 0xFFFF_FFFFL, "0 or 1", at);
        }
        return value == 1;
    }

    /** Skips {@code length} bytes (no padding is added). */
    public void skip(int length, String what) {
        require(length, what);
        index += length;
    }

    /** Fixed-length {@code opaque[length]}, with its padding to a multiple of 4. */
    public byte[] readFixedOpaque(int length, String what) {
        require(padded(length), what);
        byte[] bytes = new byte[length];
        buf.getBytes(index, bytes);
        index += (int) padded(length);
        return bytes;
    }

    /**
     * The element count of a variable-length array: at most {@code cap}, and {@code count * minItemBytes}
     * must fit in what remains (so a count can never promise more items than there are bytes).
     */
    public int readCount(String what, int cap, int minItemBytes) {
        int at = offset();
        long count = readUnsignedInt(what);
        if (count > cap) {
            throw MalformedInputException.outOfRange(what, count, cap, at);
        }
        if (count * minItemBytes > remaining()) {
            throw MalformedInputException.truncated(what + " (" + count + " items)", count * minItemBytes, remaining(),
                    offset());
        }
        return (int) count;
    }

    /**
     * Variable-length {@code opaque<>}: checks the declared length against {@code cap} and what remains
     * (data plus padding), then skips it and returns where its data lies.
     */
    public PayloadRange readOpaque(String what, int cap) {
        int at = offset();
        long length = readUnsignedInt(what + " length");
        if (length > cap) {
            throw MalformedInputException.outOfRange(what + " length", length, cap, at);
        }
        require(padded(length), what);
        PayloadRange range = new PayloadRange(offset(), (int) length);
        index += (int) padded(length);
        return range;
    }

    /** Variable-length {@code opaque<>} copied out; meant for small items (file handles, verifiers). */
    public byte[] readOpaqueBytes(String what, int cap) {
        PayloadRange range = readOpaque(what, cap);
        byte[] bytes = new byte[range.length()];
        buf.getBytes(base + range.offset(), bytes);
        return bytes;
    }

    /** XDR {@code string<>} decoded as UTF-8 (invalid sequences become U+FFFD; NFS names are bytes). */
    public String readString(String what, int cap) {
        PayloadRange range = readOpaque(what, cap);
        return buf.toString(base + range.offset(), range.length(), StandardCharsets.UTF_8);
    }

    /**
     * A reader confined to the data of the next {@code opaque<>} (e.g. an {@code opaque_auth} body or an
     * NFSv4 {@code attrlist4}), so nothing inside it can read past its declared length; this reader moves
     * past the data and its padding.
     */
    public XdrReader readOpaqueBody(String what, int cap) {
        PayloadRange range = readOpaque(what, cap);
        return new XdrReader(buf, base, base + range.offset(), base + range.end());
    }

    private static long padded(long length) {
        return (length + 3) & ~3L;
    }
}
