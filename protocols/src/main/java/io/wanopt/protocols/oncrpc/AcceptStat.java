package io.wanopt.protocols.oncrpc;

import java.util.Map;

/** {@code accept_stat} of an accepted reply (RFC 5531 §9); open: an unknown status has no reply data. */
public final class AcceptStat extends XdrEnum {

    public static final AcceptStat SUCCESS = new AcceptStat(0, "SUCCESS");
    public static final AcceptStat PROG_UNAVAIL = new AcceptStat(1, "PROG_UNAVAIL");
    public static final AcceptStat PROG_MISMATCH = new AcceptStat(2, "PROG_MISMATCH");
    public static final AcceptStat PROC_UNAVAIL = new AcceptStat(3, "PROC_UNAVAIL");
    public static final AcceptStat GARBAGE_ARGS = new AcceptStat(4, "GARBAGE_ARGS");
    public static final AcceptStat SYSTEM_ERR = new AcceptStat(5, "SYSTEM_ERR");

    private static final Map<Integer, AcceptStat> KNOWN = index(SUCCESS, PROG_UNAVAIL, PROG_MISMATCH, PROC_UNAVAIL,
            GARBAGE_ARGS, SYSTEM_ERR);

    private AcceptStat(int code, String name) {
        super(code, name);
    }

    public static AcceptStat valueOf(int code) {
        AcceptStat known = KNOWN.get(code);
        return known != null ? known : new AcceptStat(code, null);
    }
}
