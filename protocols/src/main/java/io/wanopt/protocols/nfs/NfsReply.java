package io.wanopt.protocols.nfs;

import io.wanopt.protocols.oncrpc.RpcReply;

/**
 * An RPC reply with its decoded results.
 *
 * @param rpc    the RPC header
 * @param call   the call it answers, or null when none was pending under its XID
 * @param result the decoded results, or {@link NotUnderstood}
 */
public record NfsReply(RpcReply rpc, NfsCall call, NfsResult result) implements NfsMessage {

    @Override
    public int xid() {
        return rpc.xid();
    }

    /** Whether the results were decoded (rather than {@link NotUnderstood}). */
    public boolean isUnderstood() {
        return !(result instanceof NotUnderstood);
    }
}
