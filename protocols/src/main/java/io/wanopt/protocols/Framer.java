package io.wanopt.protocols;

import io.netty.buffer.ByteBuf;

/**
 * Finds whole protocol frames (records, messages) in a byte stream.
 *
 * @param <T> the frame type, reference counted
 */
public interface Framer<T> {

    /**
     * The next whole frame at {@code in}'s reader index, consuming its bytes, or {@code null}
     * (nothing consumed) until all of it is readable.
     *
     * @throws MalformedInputException when a header breaks a rule or a limit; {@code in} is left as it was
     */
    T poll(ByteBuf in);
}
