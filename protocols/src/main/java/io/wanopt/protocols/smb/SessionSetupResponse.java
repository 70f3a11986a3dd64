package io.wanopt.protocols.smb;

/**
 * [MS-SMB2] 2.2.6 SMB2 SESSION_SETUP Response. With STATUS_MORE_PROCESSING_REQUIRED it carries the next
 * authentication leg; with STATUS_SUCCESS the session is set up and SessionFlags say what it is.
 * StructureSize 9 (like an ERROR response: the status tells them apart), then:
 *
 * <pre>
 * 66 SessionFlags (2)   68 SecurityBufferOffset (2)   70 SecurityBufferLength (2)   72 Buffer
 * </pre>
 *
 * @param sessionFlags   {@link #IS_GUEST}, {@link #IS_NULL}, {@link #ENCRYPT_DATA}
 * @param securityBuffer where the GSS token lies in the frame
 */
public record SessionSetupResponse(int sessionFlags, FrameRange securityBuffer) implements Smb2Body {

    public static final int STRUCTURE_SIZE = 9;
    /** A guest session: no session key, so nothing can be signed or encrypted. */
    public static final int IS_GUEST = 0x0001;
    /** An anonymous session: no session key either. */
    public static final int IS_NULL = 0x0002;
    /** Every message of the session is encrypted (SMB 3.x). */
    public static final int ENCRYPT_DATA = 0x0004;

    private static final int BUFFER = 72;

    public boolean isGuest() {
        return (sessionFlags & IS_GUEST) != 0;
    }

    public boolean isNull() {
        return (sessionFlags & IS_NULL) != 0;
    }

    public boolean encryptData() {
        return (sessionFlags & ENCRYPT_DATA) != 0;
    }

    static SessionSetupResponse read(MessageReader message) {
        message.expectStructure(STRUCTURE_SIZE, "SESSION_SETUP response");
        return new SessionSetupResponse(message.u16(66, "SessionFlags"),
                message.buffer("SESSION_SETUP response SecurityBuffer", 68, message.u16(68, "SecurityBufferOffset"),
                        message.u16(70, "SecurityBufferLength"), BUFFER));
    }
}
