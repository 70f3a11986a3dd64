package io.wanopt.proxy.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One decoded tunnel frame: its type, the flow it belongs to (0 for tunnel-wide frames), the
 * payload after the flow id, and where the frame started in the tunnel's byte stream.
 */
final class TunnelFrame extends DefaultByteBufHolder {

    final int type;
    final int flowId;
    final long streamOffset;
    final int wireLength;

    TunnelFrame(int type, int flowId, ByteBuf payload, long streamOffset, int wireLength) {
        super(payload);
        this.type = type;
        this.flowId = flowId;
        this.streamOffset = streamOffset;
        this.wireLength = wireLength;
    }
}
