package io.wanopt.protocols.smb;

import io.wanopt.protocols.MalformedInputException;

/**
 * [MS-SMB2] 2.2.41 SMB2 TRANSFORM_HEADER: an encrypted message follows. Only these 52 bytes are readable;
 * the frame is passed on untouched and counted for its session.
 *
 * <pre>
 *  0 ProtocolId (4) 0xFD 'SMB'   4 Signature (16)   20 Nonce (16)   36 OriginalMessageSize (4)
 * 40 Reserved (2)   42 Flags/EncryptionAlgorithm (2)   44 SessionId (8)   52 encrypted message
 * </pre>
 *
 * @param originalMessageSize the size of the message before encryption (unsigned)
 * @param flags               SMB 3.1.1 {@link #FLAG_ENCRYPTED}; in SMB 3.0/3.0.2 the EncryptionAlgorithm
 * @param sessionId           the session whose key encrypted it
 * @param encryptedLength     bytes of encrypted message after the header
 */
public record TransformHeader(long originalMessageSize, int flags, long sessionId, int encryptedLength)
        implements FrameContent {

    public static final int LENGTH = 52;
    public static final int FLAG_ENCRYPTED = 0x0001;

    static TransformHeader read(SmbFrame frame) {
        MessageReader message = new MessageReader(frame.wire(), SmbFrame.TRANSPORT_HEADER_LENGTH, frame.messageLength());
        if (frame.messageLength() < LENGTH) {
            throw MalformedInputException.truncated("SMB2 TRANSFORM_HEADER", LENGTH, frame.messageLength(),
                    SmbFrame.TRANSPORT_HEADER_LENGTH);
        }
        return new TransformHeader(message.u32(36, "OriginalMessageSize"), message.u16(42, "Flags"),
                message.u64(44, "SessionId"), frame.messageLength() - LENGTH);
    }

    @Override
    public FrameKind kind() {
        return FrameKind.ENCRYPTED;
    }
}
