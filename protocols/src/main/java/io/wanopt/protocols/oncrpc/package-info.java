/**
 * ONC RPC over TCP (RFC 5531): record marking ({@link io.wanopt.protocols.oncrpc.RpcRecordDecoder},
 * {@link io.wanopt.protocols.oncrpc.RpcRecordFramer}), the call and reply headers
 * ({@link io.wanopt.protocols.oncrpc.RpcMessageParser}), bounded XDR reading (RFC 4506,
 * {@link io.wanopt.protocols.oncrpc.XdrReader}) and matching replies to calls by XID
 * ({@link io.wanopt.protocols.oncrpc.PendingCallTable}).
 */
package io.wanopt.protocols.oncrpc;
