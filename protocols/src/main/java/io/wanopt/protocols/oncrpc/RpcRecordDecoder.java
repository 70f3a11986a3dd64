package io.wanopt.protocols.oncrpc;

import io.wanopt.protocols.FramingDecoder;

/**
 * Frames an ONC RPC over TCP stream into {@link RpcRecord}s (RFC 5531 §11), with the limits of its
 * {@link RpcRecordFramer}; what a {@link FramingDecoder} does on malformed input and at the end.
 */
public final class RpcRecordDecoder extends FramingDecoder {

    /** A decoder with the framer's default limits. */
    public RpcRecordDecoder() {
        this(new RpcRecordFramer());
    }

    /** A decoder that uses {@code framer}, which must be new (it keeps the stream's state). */
    public RpcRecordDecoder(RpcRecordFramer framer) {
        super(framer);
    }
}
