package io.wanopt.protocols.oncrpc;

import io.netty.buffer.ByteBuf;
import io.wanopt.protocols.MalformedInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the header of an RPC message (RFC 5531 §9 {@code rpc_msg}) from a record payload: a
 * {@link RpcCall} up to its arguments or a {@link RpcReply} up to its results. Unknown programs,
 * versions, procedures, flavors and statuses are values; only a header that cannot be read at all (a
 * message type other than CALL or REPLY, a reply status other than accepted or denied, a body over its
 * limit, too few bytes) throws {@link MalformedInputException}.
 */
public final class RpcMessageParser {

    private static final int CALL = 0;
    private static final int REPLY = 1;
    private static final int MSG_ACCEPTED = 0;
    private static final int MSG_DENIED = 1;

    private RpcMessageParser() {
    }

    /** The header of the message in {@code payload}'s readable bytes (a record payload). */
    public static RpcMessage parse(ByteBuf payload) {
        return parse(new XdrReader(payload));
    }

    /** The header at {@code xdr}'s position; {@code xdr} ends up at the arguments or results. */
    public static RpcMessage parse(XdrReader xdr) {
        int xid = xdr.readInt("RPC xid");
        int typeOffset = xdr.offset();
        int type = xdr.readInt("RPC msg_type");
        return switch (type) {
            case CALL -> parseCall(xid, xdr);
            case REPLY -> parseReply(xid, xdr);
            default -> throw MalformedInputException.invalid("RPC msg_type", type & 0xFFFF_FFFFL, "0 (CALL) or 1 (REPLY)",
                    typeOffset);
        };
    }

    private static RpcCall parseCall(int xid, XdrReader xdr) {
        long rpcVersion = xdr.readUnsignedInt("RPC rpcvers");
        long program = xdr.readUnsignedInt("RPC prog");
        long version = xdr.readUnsignedInt("RPC vers");
        long procedure = xdr.readUnsignedInt("RPC proc");
        AuthFlavor credentialFlavor = AuthFlavor.valueOf(xdr.readInt("RPC cred flavor"));
        XdrReader credentialBody = xdr.readOpaqueBody("RPC cred body", OpaqueAuth.MAX_BODY_LENGTH);
        OpaqueAuth credential = new OpaqueAuth(credentialFlavor,
                new PayloadRange(credentialBody.offset(), credentialBody.remaining()));
        AuthSysParams authSys = credentialFlavor.equals(AuthFlavor.AUTH_SYS) ? parseAuthSys(credentialBody) : null;
        OpaqueAuth verifier = readOpaqueAuth(xdr, "RPC verf");
        return new RpcCall(xid, rpcVersion, program, version, procedure, credential, authSys, verifier, xdr.offset());
    }

    /** RFC 5531 Appendix A; the body must hold exactly the parameters (trailing bytes are tolerated). */
    private static AuthSysParams parseAuthSys(XdrReader body) {
        long stamp = body.readUnsignedInt("AUTH_SYS stamp");
        String machineName = body.readString("AUTH_SYS machinename", AuthSysParams.MAX_MACHINE_NAME_LENGTH);
        long uid = body.readUnsignedInt("AUTH_SYS uid");
        long gid = body.readUnsignedInt("AUTH_SYS gid");
        int count = body.readCount("AUTH_SYS gids", AuthSysParams.MAX_GIDS, 4);
        List<Long> gids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            gids.add(body.readUnsignedInt("AUTH_SYS gid"));
        }
        return new AuthSysParams(stamp, machineName, uid, gid, gids);
    }

    private static RpcReply parseReply(int xid, XdrReader xdr) {
        int statOffset = xdr.offset();
        int replyStat = xdr.readInt("RPC reply_stat");
        if (replyStat == MSG_ACCEPTED) {
            OpaqueAuth verifier = readOpaqueAuth(xdr, "RPC verf");
            AcceptStat acceptStat = AcceptStat.valueOf(xdr.readInt("RPC accept_stat"));
            if (acceptStat.equals(AcceptStat.SUCCESS)) {
                return new RpcReply(xid, true, verifier, acceptStat, null, null, -1, -1, xdr.offset());
            }
            if (acceptStat.equals(AcceptStat.PROG_MISMATCH)) {
                long low = xdr.readUnsignedInt("RPC mismatch_info low");
                long high = xdr.readUnsignedInt("RPC mismatch_info high");
                return new RpcReply(xid, true, verifier, acceptStat, null, null, low, high, -1);
            }
            return new RpcReply(xid, true, verifier, acceptStat, null, null, -1, -1, -1);
        }
        if (replyStat == MSG_DENIED) {
            RejectStat rejectStat = RejectStat.valueOf(xdr.readInt("RPC reject_stat"));
            if (rejectStat.equals(RejectStat.RPC_MISMATCH)) {
                long low = xdr.readUnsignedInt("RPC mismatch_info low");
                long high = xdr.readUnsignedInt("RPC mismatch_info high");
                return new RpcReply(xid, false, null, null, rejectStat, null, low, high, -1);
            }
            AuthStat authStat = rejectStat.equals(RejectStat.AUTH_ERROR)
                    ? AuthStat.valueOf(xdr.readInt("RPC auth_stat")) : null;
            return new RpcReply(xid, false, null, null, rejectStat, authStat, -1, -1, -1);
        }
        throw MalformedInputException.invalid("RPC reply_stat", replyStat & 0xFFFF_FFFFL, "0 (MSG_ACCEPTED) or 1 (MSG_DENIED)",
                statOffset);
    }

    private static OpaqueAuth readOpaqueAuth(XdrReader xdr, String what) {
        AuthFlavor flavor = AuthFlavor.valueOf(xdr.readInt(what + " flavor"));
        return new OpaqueAuth(flavor, xdr.readOpaque(what + " body", OpaqueAuth.MAX_BODY_LENGTH));
    }
}
