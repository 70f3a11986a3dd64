package io.wanopt.protocols.smb;

import io.wanopt.protocols.MalformedInputException;

/**
 * [MS-SMB2] 2.2.42 SMB2 COMPRESSION_TRANSFORM_HEADER (SMB 3.1.1): a compressed message follows. Both forms
 * start alike:
 *
 * <pre>
 * 0 ProtocolId (4) 0xFC 'SMB'   4 OriginalCompressedSegmentSize (4)
 * 8 CompressionAlgorithm (2)    10 Flags (2)   12 Offset (unchained, 2.2.42.1) or Length (chained, 2.2.42.2) (4)
 * </pre>
 *
 * (in the chained form, 8.. is the first SMB2_COMPRESSION_CHAINED_PAYLOAD_HEADER). The frame is passed on
 * untouched and counted.
 *
 * @param originalSize   OriginalCompressedSegmentSize (unsigned)
 * @param algorithm      CompressionAlgorithm of the (first) payload
 * @param chained        Flags has SMB2_COMPRESSION_FLAG_CHAINED
 * @param offsetOrLength unchained: bytes left uncompressed after the header; chained: first payload's length
 */
public record CompressionTransformHeader(long originalSize, int algorithm, boolean chained, long offsetOrLength)
        implements FrameContent {

    public static final int LENGTH = 16;
    public static final int FLAG_CHAINED = 0x0001;

    static CompressionTransformHeader read(SmbFrame frame) {
        MessageReader message = new MessageReader(frame.wire(), SmbFrame.TRANSPORT_HEADER_LENGTH, frame.messageLength());
        if (frame.messageLength() < LENGTH) {
            throw MalformedInputException.truncated("SMB2 COMPRESSION_TRANSFORM_HEADER", LENGTH, frame.messageLength(),
                    SmbFrame.TRANSPORT_HEADER_LENGTH);
        }
        return new CompressionTransformHeader(message.u32(4, "OriginalCompressedSegmentSize"),
                message.u16(8, "CompressionAlgorithm"), (message.u16(10, "Flags") & FLAG_CHAINED) != 0,
                message.u32(12, "Offset/Length"));
    }

    @Override
    public FrameKind kind() {
        return FrameKind.COMPRESSED;
    }
}
