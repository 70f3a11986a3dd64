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
}
