package io.wanopt.cache.codec;

import io.netty.buffer.ByteBuf;
import io.wanopt.protocols.MalformedInputException;

/**
 * The body of a DATA frame: one batch of a flow's bytes as tokens plus their literal block.
 *
 * <pre>
 * u8      literal codec ({@link LiteralCodec})
 * varint  token count
 * token*  u8 kind, varint length, then for REF, LITERAL and SLICE the 32-byte chunk id, and for
 *         SLICE a varint offset
 * varint  literal bytes before compression (the sum of the LITERAL lengths)
 * varint  literal block length on the wire
 * bytes   literal block (LITERAL chunks back to back, in token order, compressed together)
 * </pre>
 *
 * ZERO(length) stands for that many zero bytes, REF(length, id) for a chunk the receiver holds,
 * LITERAL(length, id) for a chunk whose bytes are in the literal block, SLICE(length, id, offset)
 * for {@code length} bytes at {@code offset} of a chunk the receiver holds (a read or write that
 * covers only part of a file block sent before). Varints are unsigned LEB128 of at most 5 bytes.
 */
public final class BatchFormat {

    /** Token kind: a run of zero bytes. */
    public static final int ZERO = 0;
    /** Token kind: a chunk the receiver holds, by id. */
    public static final int REF = 1;
    /** Token kind: a chunk whose bytes follow in the literal block. */
    public static final int LITERAL = 2;
    /** Token kind: part of a chunk the receiver holds, by id and offset. */
    public static final int SLICE = 3;

    /** Longest chunk a token may stand for (callers that cut their own chunks must stay under it). */
    public static final int MAX_CHUNK_LENGTH = 1 << 20;
    /** Most LAN bytes one batch may decode to; bounds the receiver's memory per batch. */
    public static final int MAX_DECODED_LENGTH = 8 << 20;
    /** Largest configurable batch size, so that a batch plus one chunk stays under the decoded cap. */
    public static final int MAX_BATCH_SIZE = 4 << 20;

    private BatchFormat() {
    }

    static void writeVarint(ByteBuf out, int value) {
        while ((value & ~0x7f) != 0) {
            out.writeByte((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out.writeByte(value);
    }

    /** Reads an unsigned varint that must not exceed {@code limit}; {@code base} is the stream offset of {@code in}'s index 0. */
    static int readVarint(ByteBuf in, String what, int limit, long base) {
        long offset = base + in.readerIndex();
        long value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (!in.isReadable()) {
                throw new MalformedInputException("truncated " + what + " at offset " + offset);
            }
            int b = in.readByte();
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                if (value > limit) {
                    throw MalformedInputException.outOfRange(what, value, limit, offset);
                }
                return (int) value;
            }
        }
        throw new MalformedInputException(what + " varint longer than 5 bytes at offset " + offset);
    }
}
