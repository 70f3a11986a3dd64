package io.wanopt.protocols.nfs;

import io.netty.buffer.ByteBuf;
import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.nfs.mount.Mount3Decoder;
import io.wanopt.protocols.nfs.mount.Mount3Procedure;
import io.wanopt.protocols.nfs.v3.Nfs3Decoder;
import io.wanopt.protocols.nfs.v3.Nfs3Procedure;
import io.wanopt.protocols.nfs.v4.Compound4Args;
import io.wanopt.protocols.nfs.v4.Compound4Decoder;
import io.wanopt.protocols.oncrpc.PendingCallTable;
import io.wanopt.protocols.oncrpc.RpcCall;
import io.wanopt.protocols.oncrpc.RpcMessage;
import io.wanopt.protocols.oncrpc.RpcMessageParser;
import io.wanopt.protocols.oncrpc.RpcReply;
import io.wanopt.protocols.oncrpc.XdrReader;

/**
 * Decodes the RPC records of one NFS or MOUNT TCP connection, in both directions, and matches each reply
 * to its call by XID through a bounded {@link PendingCallTable}. Calls to NFSv3, NFSv4 and MOUNTv3 are
 * remembered until answered; everything else decodes to {@link NotUnderstood} and is not remembered.
 *
 * <p>A record whose RPC header or followed arguments/results break their XDR throws
 * {@link MalformedInputException} (its message starts with the XID); the caller forwards the record
 * unchanged and carries on with the next one. Nothing here holds a buffer: payloads are only read
 * during {@link #decode}. One instance per connection; not thread-safe.
 */
public final class NfsConversation {

    /** NFSv4 procedure 1; procedure 0 is NULL. */
    private static final long NFS4_COMPOUND = 1;

    private final NfsLimits limits;
    private final PendingCallTable<NfsCall> pending;

    public NfsConversation(NfsLimits limits, int maxPendingCalls) {
        this.limits = limits;
        this.pending = new PendingCallTable<>(maxPendingCalls);
    }

    /** The calls awaiting replies (for stats: evictions and unmatched replies). */
    public PendingCallTable<NfsCall> pendingCalls() {
        return pending;
    }

    /** Decodes the RPC message in {@code payload}'s readable bytes (a record payload); does not move its indexes. */
    public NfsMessage decode(ByteBuf payload) {
        XdrReader xdr = new XdrReader(payload);
        RpcMessage header = RpcMessageParser.parse(xdr);
        try {
            return header instanceof RpcCall call ? decodeCall(call, xdr) : decodeReply((RpcReply) header, xdr);
        } catch (MalformedInputException e) {
            MalformedInputException withXid = new MalformedInputException(
                    String.format("xid 0x%08x: %s", header.xid(), e.getMessage()));
            withXid.initCause(e);
            throw withXid;
        }
    }

    private NfsCall decodeCall(RpcCall rpc, XdrReader xdr) {
        NfsProgram program = NfsProgram.of(rpc.program(), rpc.version());
        NfsArguments arguments;
        if (rpc.rpcVersion() != RpcCall.RPC_VERSION) {
            arguments = new NotUnderstood(NotUnderstood.Reason.RPC_VERSION, "RPC version " + rpc.rpcVersion());
        } else if (program == NfsProgram.OTHER) {
            arguments = new NotUnderstood(NotUnderstood.Reason.UNKNOWN_PROGRAM,
                    "program " + rpc.program() + " version " + rpc.version());
        } else if (rpc.isRpcsecGss()) {
            arguments = new NotUnderstood(NotUnderstood.Reason.RPCSEC_GSS, program + " procedure " + rpc.procedure());
        } else {
            arguments = switch (program) {
                case NFS_V3 -> Nfs3Decoder.decodeCall(Nfs3Procedure.valueOf((int) rpc.procedure()), xdr, limits);
                case NFS_V4 -> rpc.procedure() == NFS4_COMPOUND ? Compound4Decoder.decodeCall(xdr, limits)
                        : new NotUnderstood(NotUnderstood.Reason.NOT_FOLLOWED, "NFSv4 procedure " + rpc.procedure());
                case MOUNT_V3 -> Mount3Decoder.decodeCall(Mount3Procedure.valueOf((int) rpc.procedure()), xdr, limits);
                case OTHER -> throw new IllegalStateException("handled above");
            };
        }
        NfsCall call = new NfsCall(rpc, program, arguments);
        if (program != NfsProgram.OTHER && rpc.rpcVersion() == RpcCall.RPC_VERSION) {
            pending.put(rpc.xid(), call);
        }
        return call;
    }

    private NfsReply decodeReply(RpcReply rpc, XdrReader xdr) {
        NfsCall call = pending.take(rpc.xid());
        if (call == null) {
            return new NfsReply(rpc, null, new NotUnderstood(NotUnderstood.Reason.NO_MATCHING_CALL,
                    String.format("xid 0x%08x", rpc.xid())));
        }
        if (!rpc.isSuccess()) {
            String status = rpc.accepted() ? rpc.acceptStat().name() : "MSG_DENIED " + rpc.rejectStat();
            return new NfsReply(rpc, call, new NotUnderstood(NotUnderstood.Reason.NOT_EXECUTED, status));
        }
        if (call.arguments() instanceof NotUnderstood notUnderstood) {
            return new NfsReply(rpc, call, notUnderstood);
        }
        long procedure = call.rpc().procedure();
        NfsResult result = switch (call.program()) {
            case NFS_V3 -> Nfs3Decoder.decodeReply(Nfs3Procedure.valueOf((int) procedure), call.arguments(), xdr, limits);
            case NFS_V4 -> Compound4Decoder.decodeReply((Compound4Args) call.arguments(), xdr, limits);
            case MOUNT_V3 -> Mount3Decoder.decodeReply(Mount3Procedure.valueOf((int) procedure), call.arguments(), xdr,
                    limits);
            case OTHER -> throw new IllegalStateException("calls of other programs are not remembered");
        };
        return new NfsReply(rpc, call, result);
    }
}
