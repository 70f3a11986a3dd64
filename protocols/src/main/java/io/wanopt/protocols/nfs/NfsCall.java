package io.wanopt.protocols.nfs;

import io.wanopt.protocols.oncrpc.RpcCall;

/**
 * An RPC call with its decoded arguments.
 *
 * @param rpc       the RPC header (credentials, program, procedure)
 * @param program   which program it is for
 * @param arguments the decoded arguments, or {@link NotUnderstood}
 */
public record NfsCall(RpcCall rpc, NfsProgram program, NfsArguments arguments) implements NfsMessage {

    @Override
    public int xid() {
        return rpc.xid();
    }

    /** Whether the arguments were decoded (rather than {@link NotUnderstood}). */
    public boolean isUnderstood() {
        return !(arguments instanceof NotUnderstood);
    }
}
