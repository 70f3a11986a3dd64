package io.wanopt.protocols.nfs;

/**
 * A call or reply this library does not follow; the proxy passes it on with generic dedupe and counts
 * it by {@link #reason()}.
 *
 * @param reason why it is not followed
 * @param detail what it was, for stats and logs (e.g. "NFSv3 REMOVE", "program 100021 version 4")
 */
public record NotUnderstood(Reason reason, String detail) implements NfsArguments, NfsResult {

    /** Why a message is not followed. */
    public enum Reason {
        /** A program or program version other than NFSv3, NFSv4 and MOUNTv3. */
        UNKNOWN_PROGRAM,
        /** An RPC version other than 2. */
        RPC_VERSION,
        /** A procedure this library does not follow (known to the protocol or not). */
        NOT_FOLLOWED,
        /** RPCSEC_GSS: arguments and results may be wrapped or encrypted; never parsed or answered locally. */
        RPCSEC_GSS,
        /** The reply says the call was not executed (denied, or accepted without SUCCESS): no results. */
        NOT_EXECUTED,
        /** A reply whose call was never seen or was evicted from the pending-call table. */
        NO_MATCHING_CALL
    }
}
