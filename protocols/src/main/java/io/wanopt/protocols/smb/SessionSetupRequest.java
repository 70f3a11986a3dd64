package io.wanopt.protocols.smb;

/**
 * [MS-SMB2] 2.2.5 SMB2 SESSION_SETUP Request: one leg of authentication. StructureSize 25, then:
 *
 * <pre>
 * 66 Flags (1)   67 SecurityMode (1)   68 Capabilities (4)   72 Channel (4)
 * 76 SecurityBufferOffset (2)   78 SecurityBufferLength (2)   80 PreviousSessionId (8)   88 Buffer
 * </pre>
 *
 * @param flags             {@link #FLAG_BINDING}: binds an existing session to a new channel (multichannel)
 * @param securityMode      {@link #SIGNING_ENABLED} / {@link #SIGNING_REQUIRED}
 * @param securityBuffer    where the GSS token lies in the frame
 * @param previousSessionId a session this one replaces after a reconnect, or 0
 */
public record SessionSetupRequest(int flags, int securityMode, int capabilities, FrameRange securityBuffer,
        long previousSessionId) implements Smb2Body {

    public static final int STRUCTURE_SIZE = 25;
    public static final int FLAG_BINDING = 0x01;
    /** SMB2_NEGOTIATE_SIGNING_ENABLED, in NEGOTIATE and SESSION_SETUP security modes. */
    public static final int SIGNING_ENABLED = 0x01;
    /** SMB2_NEGOTIATE_SIGNING_REQUIRED, in NEGOTIATE and SESSION_SETUP security modes. */
    public static final int SIGNING_REQUIRED = 0x02;

    private static final int BUFFER = 88;

    public boolean signingRequired() {
        return (securityMode & SIGNING_REQUIRED) != 0;
    }

    static SessionSetupRequest read(MessageReader message) {
        message.expectStructure(STRUCTURE_SIZE, "SESSION_SETUP request");
        return new SessionSetupRequest(message.u8(66, "Flags"), message.u8(67, "SecurityMode"),
                message.i32(68, "Capabilities"),
                message.buffer("SESSION_SETUP request SecurityBuffer", 76, message.u16(76, "SecurityBufferOffset"),
                        message.u16(78, "SecurityBufferLength"), BUFFER),
                message.u64(80, "PreviousSessionId"));
    }
}
