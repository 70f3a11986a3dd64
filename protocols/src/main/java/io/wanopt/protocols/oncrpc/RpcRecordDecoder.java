package io.wanopt.protocols.oncrpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.wanopt.protocols.MalformedInputException;
import java.util.List;

/**
 * Frames an ONC RPC over TCP stream into {@link RpcRecord}s (RFC 5531 §11), with the limits of its
 * {@link RpcRecordFramer}. Partial input waits; it never throws.
 *
 * <p>Nothing is ever dropped, so a proxy behind it stays byte-exact: when a fragment header breaks a
 * limit, the decoder emits the rest of its input as a plain {@link ByteBuf}, throws the
 * {@link MalformedInputException}, and from then on passes every byte through as plain {@code ByteBuf}s
 * (the stream cannot be resynchronised). At end of input, an incomplete record's bytes are emitted as
 * a plain {@code ByteBuf} too. Downstream handlers therefore see {@code RpcRecord} or {@code ByteBuf}
 * and must release both.
 */
public final class RpcRecordDecoder extends ByteToMessageDecoder {

    private final RpcRecordFramer framer;
    private boolean passThrough;

    /** A decoder with the framer's default limits. */
    public RpcRecordDecoder() {
        this(new RpcRecordFramer());
    }

    /** A decoder that uses {@code framer}, which must be new (it keeps the stream's state). */
    public RpcRecordDecoder(RpcRecordFramer framer) {
        this.framer = framer;
    }

    /** Whether a malformed header switched the decoder to passing bytes through. */
    public boolean isPassingThrough() {
        return passThrough;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (passThrough) {
            out.add(in.readRetainedSlice(in.readableBytes()));
            return;
        }
        RpcRecord record;
        try {
            record = framer.poll(in);
        } catch (MalformedInputException e) {
            passThrough = true;
            // the bytes go on unparsed before the error is reported, so the relay loses nothing
            out.add(in.readRetainedSlice(in.readableBytes()));
            throw e;
        }
        if (record != null) {
            out.add(record);
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        super.decodeLast(ctx, in, out);
        if (in.isReadable()) {
            out.add(in.readRetainedSlice(in.readableBytes()));
        }
    }
}
