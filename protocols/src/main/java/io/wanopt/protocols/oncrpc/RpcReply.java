package io.wanopt.protocols.oncrpc;

/**
 * RFC 5531 §9 {@code reply_body}: the header of an RPC reply. An accepted reply has a verifier and an
 * {@link AcceptStat}; a denied one a {@link RejectStat}. Fields that the reply's arm does not have are
 * null (objects) or -1 (numbers).
 *
 * @param accepted      MSG_ACCEPTED (true) or MSG_DENIED (false)
 * @param verifier      accepted: the server's verifier
 * @param acceptStat    accepted: the status
 * @param rejectStat    denied: the reason
 * @param authStat      denied with AUTH_ERROR: why authentication failed
 * @param mismatchLow   PROG_MISMATCH or RPC_MISMATCH: lowest supported version
 * @param mismatchHigh  PROG_MISMATCH or RPC_MISMATCH: highest supported version
 * @param resultsOffset accepted with SUCCESS: payload offset of the procedure's results, else -1
 */
public record RpcReply(int xid, boolean accepted, OpaqueAuth verifier, AcceptStat acceptStat, RejectStat rejectStat,
        AuthStat authStat, long mismatchLow, long mismatchHigh, int resultsOffset) implements RpcMessage {

    /** Whether the call was executed and results follow. */
    public boolean isSuccess() {
        return accepted && acceptStat.equals(AcceptStat.SUCCESS);
    }
}
