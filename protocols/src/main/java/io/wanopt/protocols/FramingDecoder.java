package io.wanopt.protocols;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Frames a stream with a {@link Framer}. Partial input waits; it never throws for it.
 *
 * <p>Nothing is ever dropped, so a proxy behind it stays byte-exact: when a header breaks a rule or
 * a limit, the decoder emits the rest of its input as a plain {@link ByteBuf}, throws the
 * {@link MalformedInputException}, and from then on passes every byte through as plain
 * {@code ByteBuf}s (the stream cannot be resynchronised). At end of input, an incomplete frame's
 * bytes are emitted as a plain {@code ByteBuf} too. Downstream handlers therefore see frames or
 * {@code ByteBuf}s and must release both.
 */
public class FramingDecoder extends ByteToMessageDecoder {

    private final Framer<?> framer;
    private boolean passThrough;

    /** A decoder that uses {@code framer}, which must be new (it keeps the stream's state). */
    protected FramingDecoder(Framer<?> framer) {
        this.framer = framer;
    }

    /** Whether a malformed header switched the decoder to passing bytes through. */
    public final boolean isPassingThrough() {
        return passThrough;
    }

    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (passThrough) {
            out.add(in.readRetainedSlice(in.readableBytes()));
            return;
        }
        Object frame;
        try {
            frame = framer.poll(in);
        } catch (MalformedInputException e) {
            passThrough = true;
            // the bytes go on unparsed before the error is reported, so the relay loses nothing
            out.add(in.readRetainedSlice(in.readableBytes()));
            throw e;
        }
        if (frame != null) {
            out.add(frame);
        }
    }

    @Override
    protected final void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        super.decodeLast(ctx, in, out);
        if (in.isReadable()) {
            out.add(in.readRetainedSlice(in.readableBytes()));
        }
    }
}
