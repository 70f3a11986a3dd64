package io.wanopt.protocols.smb;

import io.wanopt.protocols.MalformedInputException;

/**
 * [MS-SMB2] 2.2.1 SMB2 Packet Header, both forms: 2.2.1.1 ASYNC (flag {@link #FLAGS_ASYNC_COMMAND}: an
 * AsyncId) and 2.2.1.2 SYNC (a TreeId). 64 bytes, little-endian:
 *
 * <pre>
 *  0 ProtocolId (4) 0xFE 'SMB'     4 StructureSize (2) = 64   6 CreditCharge (2)
 *  8 Status (4); in 3.x requests ChannelSequence (2) + Reserved (2)
 * 12 Command (2)                  14 CreditRequest/CreditResponse (2)
 * 16 Flags (4)                    20 NextCommand (4)          24 MessageId (8)
 * 32 async: AsyncId (8) | sync: Reserved (4) + TreeId (4)
 * 40 SessionId (8)                48 Signature (16)
 * </pre>
 *
 * @param creditCharge credits the message consumes (0 in SMB 2.0.2)
 * @param status       Status; in a request of SMB 3.x its low 16 bits are the ChannelSequence
 * @param credits      CreditRequest (request) or CreditResponse (response): credits asked for or granted
 * @param flags        Flags ({@code FLAGS_*})
 * @param nextCommand  offset of the next message of a compounded chain from this header, or 0 (unsigned)
 * @param messageId    MessageId (unsigned; {@link #UNSOLICITED_MESSAGE_ID} for an oplock break notification)
 * @param asyncId      AsyncId when {@link #isAsync()}, else 0
 * @param treeId       TreeId when not {@link #isAsync()}, else 0
 * @param sessionId    SessionId
 * @param signature    where the 16-byte Signature lies in the frame (zero unless {@link #isSigned()})
 */
public record Smb2Header(int creditCharge, NtStatus status, Smb2Command command, int credits, int flags,
        long nextCommand, long messageId, long asyncId, int treeId, long sessionId, FrameRange signature) {

    public static final int LENGTH = 64;
    public static final int SIGNATURE_OFFSET = 48;
    public static final int SIGNATURE_LENGTH = 16;

    /** SMB2_FLAGS_SERVER_TO_REDIR: a response. */
    public static final int FLAGS_SERVER_TO_REDIR = 0x0000_0001;
    public static final int FLAGS_ASYNC_COMMAND = 0x0000_0002;
    /** A compounded message that uses the FileId, SessionId and TreeId of the one before it. */
    public static final int FLAGS_RELATED_OPERATIONS = 0x0000_0004;
    public static final int FLAGS_SIGNED = 0x0000_0008;
    public static final int FLAGS_PRIORITY_MASK = 0x0000_0070;
    public static final int FLAGS_DFS_OPERATIONS = 0x1000_0000;
    public static final int FLAGS_REPLAY_OPERATION = 0x2000_0000;

    /** The MessageId of an oplock or lease break notification, which answers no request ([MS-SMB2] 3.3.4.6). */
    public static final long UNSOLICITED_MESSAGE_ID = 0xFFFF_FFFF_FFFF_FFFFL;
    /** The SessionId and TreeId a related compounded request uses to mean "as before" ([MS-SMB2] 3.2.4.1.4). */
    public static final long RELATED_SESSION_ID = 0xFFFF_FFFF_FFFF_FFFFL;

    /** Reads the header at the start of {@code message}, checking ProtocolId and StructureSize. */
    static Smb2Header read(MessageReader message) {
        message.require(0, LENGTH, "SMB2 header");
        int protocolId = message.i32(0, "ProtocolId");
        if (protocolId != Integer.reverseBytes(FrameKind.SMB2.protocolId())) {
            throw new MalformedInputException(String.format("SMB2 ProtocolId 0x%08X is invalid (expected: 0x%08X) at"
                    + " offset %d", Integer.reverseBytes(protocolId), FrameKind.SMB2.protocolId(), message.start()));
        }
        int structureSize = message.u16(4, "StructureSize");
        if (structureSize != LENGTH) {
            throw MalformedInputException.invalid("SMB2 header StructureSize", structureSize, "64", message.start() + 4);
        }
        int flags = message.i32(16, "Flags");
        boolean async = (flags & FLAGS_ASYNC_COMMAND) != 0;
        return new Smb2Header(
                message.u16(6, "CreditCharge"),
                NtStatus.valueOf(message.i32(8, "Status")),
                Smb2Command.valueOf(message.u16(12, "Command")),
                message.u16(14, "CreditRequest/CreditResponse"),
                flags,
                message.u32(20, "NextCommand"),
                message.u64(24, "MessageId"),
                async ? message.u64(32, "AsyncId") : 0,
                async ? 0 : message.i32(36, "TreeId"),
                message.u64(40, "SessionId"),
                new FrameRange(message.start() + SIGNATURE_OFFSET, SIGNATURE_LENGTH));
    }

    /** Sent by the server. */
    public boolean isResponse() {
        return (flags & FLAGS_SERVER_TO_REDIR) != 0;
    }

    public boolean isAsync() {
        return (flags & FLAGS_ASYNC_COMMAND) != 0;
    }

    public boolean isRelated() {
        return (flags & FLAGS_RELATED_OPERATIONS) != 0;
    }

    public boolean isSigned() {
        return (flags & FLAGS_SIGNED) != 0;
    }

    @Override
    public String toString() {
        return "Smb2Header(" + command + (isResponse() ? " response" : " request") + ", messageId=" + messageId
                + ", status=" + status + ", flags=0x" + Integer.toHexString(flags) + ", credits=" + credits
                + ", creditCharge=" + creditCharge + ", nextCommand=" + nextCommand
                + (isAsync() ? ", asyncId=0x" + Long.toHexString(asyncId) : ", treeId=0x" + Integer.toHexString(treeId))
                + ", sessionId=0x" + Long.toHexString(sessionId) + ", signature=" + signature + ')';
    }
}
