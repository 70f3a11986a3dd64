package io.wanopt.protocols.smb;

/**
 * One SMB2 message of a frame, as {@link SmbConversation} decoded and matched it.
 */
public sealed interface Smb2Message permits Smb2Request, Smb2Response {

    Smb2Header header();

    /** Where the message (header to NextCommand, or to the end of the frame) lies in the frame. */
    FrameRange range();

    Smb2Body body();

    /**
     * The open file the message refers to (READ, WRITE, CLOSE; a CREATE response: the file it opened), or
     * null when there is none or it is not known.
     */
    OpenFile file();

    /** The MessageId (unsigned). */
    default long messageId() {
        return header().messageId();
    }

    /** Whether the body was decoded (rather than {@link NotUnderstood}). */
    default boolean isUnderstood() {
        return !(body() instanceof NotUnderstood);
    }
}
