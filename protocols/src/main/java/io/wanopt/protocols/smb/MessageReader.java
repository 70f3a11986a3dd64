package io.wanopt.protocols.smb;

import io.netty.buffer.ByteBuf;
import io.wanopt.protocols.MalformedInputException;
import java.nio.charset.StandardCharsets;

/**
 * Reads little-endian fields of one SMB2 message (header and body, up to its NextCommand or the end of its
 * frame) at positions counted from the first byte of its SMB2 header, as [MS-SMB2] counts buffer offsets.
 * Every read checks the message's bounds first; every variable-length buffer is checked against the
 * message (and a cap, for anything copied) before it is sliced or decoded. Violations throw
 * {@link MalformedInputException} with the frame offset of the field. Moves no buffer index.
 */
final class MessageReader {

    private final ByteBuf wire;
    /** Frame offset of the header's first byte. */
    private final int start;
    private final int length;

    /** A reader over the {@code length} bytes at frame offset {@code start} of {@code wire}. */
    MessageReader(ByteBuf wire, int start, int length) {
        this.wire = wire;
        this.start = start;
        this.length = length;
    }

    /** Frame offset of the message's first byte. */
    int start() {
        return start;
    }

    /** The message's length (header included). */
    int length() {
        return length;
    }

    /** Throws unless {@code bytes} bytes lie at message position {@code at}. */
    void require(int at, int bytes, String what) {
        if ((long) at + bytes > length) {
            throw MalformedInputException.truncated(what, bytes, Math.max(0, length - at), start + at);
        }
    }

    int u8(int at, String what) {
        require(at, 1, what);
        return wire.getUnsignedByte(index(at));
    }

    int u16(int at, String what) {
        require(at, 2, what);
        return wire.getUnsignedShortLE(index(at));
    }

    long u32(int at, String what) {
        require(at, 4, what);
        return wire.getUnsignedIntLE(index(at));
    }

    /** A 32-bit field used as flags or a code, where the sign bit is just a bit. */
    int i32(int at, String what) {
        require(at, 4, what);
        return wire.getIntLE(index(at));
    }

    /** A 64-bit field (the caller decides how to read the sign bit). */
    long u64(int at, String what) {
        require(at, 8, what);
        return wire.getLongLE(index(at));
    }

    /**
     * Checks a body's StructureSize (at position 64) and that its fixed part (StructureSize rounded down
     * to even: an odd size counts the first byte of a variable buffer) lies in the message.
     */
    void expectStructure(int expected, String what) {
        int size = u16(Smb2Header.LENGTH, what + " StructureSize");
        if (size != expected) {
            throw MalformedInputException.invalid(what + " StructureSize", size, Integer.toString(expected),
                    start + Smb2Header.LENGTH);
        }
        require(Smb2Header.LENGTH, expected & ~1, what);
    }

    /**
     * A buffer given by an offset from the header's first byte and a length (the offset field is at message
     * position {@code fieldAt}, named in errors): it must start at or after {@code minOffset} (past the
     * fixed fields) and end inside the message. An empty buffer's offset is not checked ([MS-SMB2] lets
     * senders leave it zero); its range is empty.
     */
    FrameRange buffer(String what, int fieldAt, long offset, long bufferLength, int minOffset) {
        if (bufferLength == 0) {
            return new FrameRange(start + (int) Math.min(offset, length), 0);
        }
        if (offset < minOffset) {
            throw MalformedInputException.invalid(what + " offset", offset, ">= " + minOffset, start + fieldAt);
        }
        if (offset + bufferLength > length) {
            throw MalformedInputException.truncated(what, bufferLength, Math.max(0, length - offset),
                    start + Math.min(offset, length));
        }
        return new FrameRange(start + (int) offset, (int) bufferLength);
    }

    /** A UTF-16LE string in {@code range}; at most {@code maxBytes} bytes and an even number of them. */
    String utf16(String what, FrameRange range, int maxBytes) {
        if (range.length() > maxBytes) {
            throw MalformedInputException.outOfRange(what + " length", range.length(), maxBytes, range.offset());
        }
        if ((range.length() & 1) != 0) {
            throw MalformedInputException.invalid(what + " length", range.length(), "an even number of bytes",
                    range.offset());
        }
        return wire.toString(wire.readerIndex() + range.offset(), range.length(), StandardCharsets.UTF_16LE);
    }

    /** Bytes of {@code range} as ISO-8859-1 (create context names are ASCII tags). */
    String latin1(FrameRange range) {
        return wire.toString(wire.readerIndex() + range.offset(), range.length(), StandardCharsets.ISO_8859_1);
    }

    private int index(int at) {
        return wire.readerIndex() + start + at;
    }
}
