package io.wanopt.protocols.oncrpc;

import java.util.Map;

/** {@code reject_stat} of a denied reply (RFC 5531 §9); open. */
public final class RejectStat extends XdrEnum {

    public static final RejectStat RPC_MISMATCH = new RejectStat(0, "RPC_MISMATCH");
    public static final RejectStat AUTH_ERROR = new RejectStat(1, "AUTH_ERROR");

    private static final Map<Integer, RejectStat> KNOWN = index(RPC_MISMATCH, AUTH_ERROR);

    private RejectStat(int code, String name) {
        super(code, name);
    }

    public static RejectStat valueOf(int code) {
        RejectStat known = KNOWN.get(code);
        return known != null ? known : new RejectStat(code, null);
    }
}
