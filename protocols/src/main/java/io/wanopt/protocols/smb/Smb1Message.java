package io.wanopt.protocols.smb;

/**
 * An SMB1 message (0xFF 'SMB'), carried on as generic bytes; clients send one to offer SMB1 and SMB2
 * dialects at once, and a server may answer it with an SMB2 NEGOTIATE response.
 *
 * @param command the SMB1 command byte (0x72 is SMB_COM_NEGOTIATE), or -1 if the message is shorter
 */
public record Smb1Message(int command) implements FrameContent {

    static Smb1Message read(SmbFrame frame) {
        return new Smb1Message(frame.messageLength() > 4
                ? frame.wire().getUnsignedByte(frame.wire().readerIndex() + SmbFrame.TRANSPORT_HEADER_LENGTH + 4) : -1);
    }

    @Override
    public FrameKind kind() {
        return FrameKind.SMB1;
    }
}
