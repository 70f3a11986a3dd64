package io.wanopt.protocols;

import io.netty.handler.codec.DecoderException;

/**
 * wanopt's own {@link DecoderException}: input that breaks its protocol's rules (a length over its
 * cap, an impossible value). The message names the value, the limit and the stream offset, so a
 * log line alone says what was wrong and where.
 */
public class MalformedInputException extends DecoderException {

    private static final long serialVersionUID = 1L;

    public MalformedInputException(String message) {
        super(message);
    }

    /**
     * A value outside its allowed range, e.g. {@code outOfRange("chunk length", 70000, 65536, 1234)}
     * gives "chunk length 70000 exceeds 65536 at offset 1234".
     */
    public static MalformedInputException outOfRange(String what, long value, long limit, long offset) {
        return new MalformedInputException(what + ' ' + value + " exceeds " + limit + " at offset " + offset);
    }

    /**
     * An item that needs more bytes than its enclosing unit (record, attribute list, body) has left,
     * e.g. {@code truncated("READ3args", 12, 8, 40)} gives "READ3args needs 12 bytes but only 8 remain
     * at offset 40".
     */
    public static MalformedInputException truncated(String what, long needed, long remaining, long offset) {
        return new MalformedInputException(what + " needs " + needed + " bytes but only " + remaining
                + " remain at offset " + offset);
    }

    /**
     * A value the protocol does not allow at all (not a limit but a closed set), e.g.
     * {@code invalid("XDR bool", 7, "0 or 1", 16)} gives "XDR bool 7 is invalid (expected: 0 or 1) at offset 16".
     */
    public static MalformedInputException invalid(String what, long value, String expected, long offset) {
        return new MalformedInputException(what + ' ' + value + " is invalid (expected: " + expected + ") at offset "
                + offset);
    }
}
