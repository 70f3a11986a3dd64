package io.wanopt.protocols.smb;

/**
 * A message whose body this package does not follow; its header is still parsed, and the proxy passes
 * it on with generic dedupe and counts it by {@link #reason()}.
 *
 * @param reason why it is not followed
 * @param detail what it was, for stats and logs (e.g. "QUERY_INFO request")
 */
public record NotUnderstood(Reason reason, String detail) implements Smb2Body {

    /** Why a body is not followed. */
    public enum Reason {
        /** A command [MS-SMB2] defines that this package does not follow (IOCTL, QUERY_INFO, ...). */
        NOT_FOLLOWED,
        /** A command code [MS-SMB2] does not define. */
        UNKNOWN_COMMAND
    }
}
