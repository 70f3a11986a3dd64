package io.wanopt.protocols.oncrpc;

/** An RPC message header (RFC 5531 §9 {@code rpc_msg}): a {@link RpcCall} or a {@link RpcReply}. */
public sealed interface RpcMessage permits RpcCall, RpcReply {

    /** Transaction id, which pairs a reply with its call. */
    int xid();
}
