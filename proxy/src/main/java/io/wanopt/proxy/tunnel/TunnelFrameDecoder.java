package io.wanopt.proxy.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.wanopt.protocols.MalformedInputException;
import java.util.List;

/**
 * Frames the tunnel's byte stream ({@code u32 length, u8 type, payload}) into {@link TunnelFrame}s.
 * Waits for whole frames; a length over the cap or an unknown type is malformed input, which closes
 * the tunnel (a peer that breaks the framing cannot be trusted with the rest of the stream).
 */
final class TunnelFrameDecoder extends ByteToMessageDecoder {

    private final int maxFrameSize;
    private long streamOffset;

    TunnelFrameDecoder(int maxFrameSize) {
        this.maxFrameSize = maxFrameSize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 4) {
            return;
        }
        long length = in.getUnsignedInt(in.readerIndex());
        if (length < 1 || length > maxFrameSize) {
            in.skipBytes(in.readableBytes());
            throw new MalformedInputException("tunnel frame length " + length + " (expected: 1-" + maxFrameSize
                    + ") at offset " + streamOffset);
        }
        if (in.readableBytes() < 4 + length) {
            return;
        }
        long frameOffset = streamOffset;
        in.skipBytes(4);
        int type = in.readUnsignedByte();
        int payloadLength = (int) length - 1;
        if (type < FrameType.HELLO || type > FrameType.HAVE) {
            in.skipBytes(in.readableBytes());
            throw new MalformedInputException("unknown tunnel frame type " + type + " at offset " + frameOffset);
        }
        int flowId = 0;
        if (FrameType.isFlowFrame(type)) {
            if (payloadLength < 4) {
                in.skipBytes(in.readableBytes());
                throw new MalformedInputException("tunnel frame of type " + type + " too short for a flow id ("
                        + payloadLength + " bytes) at offset " + frameOffset);
            }
            flowId = in.readInt();
            payloadLength -= 4;
        }
        streamOffset += 4 + length;
        out.add(new TunnelFrame(type, flowId, in.readRetainedSlice(payloadLength), frameOffset, (int) (4 + length)));
    }
}
