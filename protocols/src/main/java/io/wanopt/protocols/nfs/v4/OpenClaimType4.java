package io.wanopt.protocols.nfs.v4;

import io.wanopt.protocols.oncrpc.XdrEnum;
import java.util.Map;

/** {@code open_claim_type4} of OPEN (RFC 7530, RFC 8881 adds 4-6); how the file to open is named. */
public final class OpenClaimType4 extends XdrEnum {

    /** By name in the current (directory) file handle. */
    public static final OpenClaimType4 CLAIM_NULL = new OpenClaimType4(0, "CLAIM_NULL");
    public static final OpenClaimType4 CLAIM_PREVIOUS = new OpenClaimType4(1, "CLAIM_PREVIOUS");
    public static final OpenClaimType4 CLAIM_DELEGATE_CUR = new OpenClaimType4(2, "CLAIM_DELEGATE_CUR");
    public static final OpenClaimType4 CLAIM_DELEGATE_PREV = new OpenClaimType4(3, "CLAIM_DELEGATE_PREV");
    /** 4.1: the current file handle is the file itself. */
    public static final OpenClaimType4 CLAIM_FH = new OpenClaimType4(4, "CLAIM_FH");
    public static final OpenClaimType4 CLAIM_DELEG_CUR_FH = new OpenClaimType4(5, "CLAIM_DELEG_CUR_FH");
    public static final OpenClaimType4 CLAIM_DELEG_PREV_FH = new OpenClaimType4(6, "CLAIM_DELEG_PREV_FH");

    private static final Map<Integer, OpenClaimType4> KNOWN = index(CLAIM_NULL, CLAIM_PREVIOUS, CLAIM_DELEGATE_CUR,
            CLAIM_DELEGATE_PREV, CLAIM_FH, CLAIM_DELEG_CUR_FH, CLAIM_DELEG_PREV_FH);

    private OpenClaimType4(int code, String name) {
        super(code, name);
    }

    public static OpenClaimType4 valueOf(int code) {
        OpenClaimType4 known = KNOWN.get(code);
        return known != null ? known : new OpenClaimType4(code, null);
    }

    /** Whether the claim names the file in the current directory (and the current file handle becomes it). */
    public boolean namesFile() {
        return equals(CLAIM_NULL) || equals(CLAIM_DELEGATE_CUR) || equals(CLAIM_DELEGATE_PREV);
    }
}
