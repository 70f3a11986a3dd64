package io.wanopt.protocols.smb;

import io.wanopt.protocols.FramingDecoder;

/**
 * Frames an SMB Direct TCP stream into {@link SmbFrame}s ([MS-SMB2] 2.1), with the limit of its
 * {@link DirectTcpFramer}; what a {@link FramingDecoder} does on malformed input and at the end.
 */
public final class DirectTcpDecoder extends FramingDecoder {

    /** A decoder with the framer's default limit. */
    public DirectTcpDecoder() {
        this(new DirectTcpFramer());
    }

    /** A decoder that uses {@code framer}, which must be new (it keeps the stream's offset). */
    public DirectTcpDecoder(DirectTcpFramer framer) {
        super(framer);
    }
}
