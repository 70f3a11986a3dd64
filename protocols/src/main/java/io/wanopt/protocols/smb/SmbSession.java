package io.wanopt.protocols.smb;

/**
 * What a {@link SmbConversation} knows of one SMB2 session: how it was set up and whether its messages
 * are signed or encrypted, which decides what the proxy may do with them ([MS-SMB2] 3.3.5.5.3,
 * 3.2.5.3.1). A live view, updated as the conversation decodes; confined to its event loop.
 */
public final class SmbSession {

    /** What protects a session's messages, strongest first. */
    public enum Protection {
        /** Every message is encrypted: only transform headers are readable. */
        ENCRYPTED,
        /** Every message must be signed: readable, but the proxy must neither change, inject nor answer any. */
        SIGNED,
        /** Neither required (single messages may still be signed: check {@link Smb2Header#isSigned()}). */
        NONE
    }

    private final long sessionId;
    private boolean established;
    private int sessionFlags;
    private boolean clientRequiresSigning;
    private boolean serverRequiresSigning;
    private boolean encryptedTree;
    private long signedMessages;
    private long encryptedFrames;

    SmbSession(long sessionId) {
        this.sessionId = sessionId;
    }

    public long sessionId() {
        return sessionId;
    }

    /** Whether a SESSION_SETUP response with STATUS_SUCCESS was seen. */
    public boolean isEstablished() {
        return established;
    }

    /** SessionFlags of the final SESSION_SETUP response ({@link SessionSetupResponse#IS_GUEST}, ...). */
    public int sessionFlags() {
        return sessionFlags;
    }

    public boolean isGuest() {
        return (sessionFlags & SessionSetupResponse.IS_GUEST) != 0;
    }

    public boolean isNull() {
        return (sessionFlags & SessionSetupResponse.IS_NULL) != 0;
    }

    /**
     * Whether every message must be signed: the server (NEGOTIATE) or the client (SESSION_SETUP) requires
     * signing, and the session has a key (neither guest nor anonymous).
     */
    public boolean signingRequired() {
        return (clientRequiresSigning || serverRequiresSigning) && !isGuest() && !isNull();
    }

    /**
     * Whether the session's messages are encrypted: SESSION_SETUP said ENCRYPT_DATA, a tree of it has
     * SHAREFLAG_ENCRYPT_DATA, or a transform header named it.
     */
    public boolean isEncrypted() {
        return (sessionFlags & SessionSetupResponse.ENCRYPT_DATA) != 0 || encryptedTree || encryptedFrames > 0;
    }

    public Protection protection() {
        if (isEncrypted()) {
            return Protection.ENCRYPTED;
        }
        return signingRequired() ? Protection.SIGNED : Protection.NONE;
    }

    /** Messages of the session seen with the SIGNED flag (whatever the requirement). */
    public long signedMessages() {
        return signedMessages;
    }

    /** Transform-header frames seen for the session. */
    public long encryptedFrames() {
        return encryptedFrames;
    }

    void established(int flags) {
        established = true;
        sessionFlags = flags;
    }

    void clientRequiresSigning(boolean required) {
        clientRequiresSigning = required;
    }

    void serverRequiresSigning(boolean required) {
        serverRequiresSigning = required;
    }

    void encryptedTree() {
        encryptedTree = true;
    }

    void signedMessage() {
        signedMessages++;
    }

    void encryptedFrame() {
        encryptedFrames++;
    }

    @Override
    public String toString() {
        return String.format("SmbSession(0x%x, %s%s, flags=0x%x, signed messages=%d, encrypted frames=%d)", sessionId,
                protection(), established ? "" : ", not established", sessionFlags, signedMessages, encryptedFrames);
    }
}
