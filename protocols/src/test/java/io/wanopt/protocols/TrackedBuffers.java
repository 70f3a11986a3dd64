package io.wanopt.protocols;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * Test input buffers from {@link ByteBufAllocator#DEFAULT}, which Netty's leak detector tracks; in Netty
 * 4.2 {@code Unpooled.copiedBuffer}/{@code Unpooled.buffer} are not tracked, so a leak of them (or of a
 * slice of them) would go unnoticed.
 */
public final class TrackedBuffers {

    private TrackedBuffers() {
    }

    public static ByteBuf of(byte[] bytes) {
        return of(bytes, 0, bytes.length);
    }

    public static ByteBuf of(byte[] bytes, int offset, int length) {
        return ByteBufAllocator.DEFAULT.heapBuffer(length).writeBytes(bytes, offset, length);
    }

    public static ByteBuf ascii(String text) {
        return of(text.getBytes(StandardCharsets.US_ASCII));
    }
}
