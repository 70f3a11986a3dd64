package io.wanopt.protocols.oncrpc;

import java.util.Map;

/** {@code auth_stat} of an AUTH_ERROR reply (RFC 5531 §9, RFC 2203 §5.3.3.3); open. */
public final class AuthStat extends XdrEnum {

    public static final AuthStat AUTH_OK = new AuthStat(0, "AUTH_OK");
    public static final AuthStat AUTH_BADCRED = new AuthStat(1, "AUTH_BADCRED");
    public static final AuthStat AUTH_REJECTEDCRED = new AuthStat(2, "AUTH_REJECTEDCRED");
    public static final AuthStat AUTH_BADVERF = new AuthStat(3, "AUTH_BADVERF");
    public static final AuthStat AUTH_REJECTEDVERF = new AuthStat(4, "AUTH_REJECTEDVERF");
    public static final AuthStat AUTH_TOOWEAK = new AuthStat(5, "AUTH_TOOWEAK");
    public static final AuthStat AUTH_INVALIDRESP = new AuthStat(6, "AUTH_INVALIDRESP");
    public static final AuthStat AUTH_FAILED = new AuthStat(7, "AUTH_FAILED");
    public static final AuthStat RPCSEC_GSS_CREDPROBLEM = new AuthStat(13, "RPCSEC_GSS_CREDPROBLEM");
    public static final AuthStat RPCSEC_GSS_CTXPROBLEM = new AuthStat(14, "RPCSEC_GSS_CTXPROBLEM");

    private static final Map<Integer, AuthStat> KNOWN = index(AUTH_OK, AUTH_BADCRED, AUTH_REJECTEDCRED, AUTH_BADVERF,
            AUTH_REJECTEDVERF, AUTH_TOOWEAK, AUTH_INVALIDRESP, AUTH_FAILED, RPCSEC_GSS_CREDPROBLEM, RPCSEC_GSS_CTXPROBLEM);

    private AuthStat(int code, String name) {
        super(code, name);
    }

    public static AuthStat valueOf(int code) {
        AuthStat known = KNOWN.get(code);
        return known != null ? known : new AuthStat(code, null);
    }
}
