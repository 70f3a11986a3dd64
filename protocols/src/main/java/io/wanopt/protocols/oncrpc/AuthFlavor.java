package io.wanopt.protocols.oncrpc;

import java.util.Map;

/** {@code auth_flavor} of an {@code opaque_auth} (RFC 5531 §8.2 and the IANA registry); open. */
public final class AuthFlavor extends XdrEnum {

    public static final AuthFlavor AUTH_NONE = new AuthFlavor(0, "AUTH_NONE");
    public static final AuthFlavor AUTH_SYS = new AuthFlavor(1, "AUTH_SYS");
    public static final AuthFlavor AUTH_SHORT = new AuthFlavor(2, "AUTH_SHORT");
    public static final AuthFlavor AUTH_DH = new AuthFlavor(3, "AUTH_DH");
    public static final AuthFlavor AUTH_KERB = new AuthFlavor(4, "AUTH_KERB");
    public static final AuthFlavor AUTH_RSA = new AuthFlavor(5, "AUTH_RSA");
    /** RFC 2203; the body is a GSS context, and arguments may be integrity-wrapped or encrypted. */
    public static final AuthFlavor RPCSEC_GSS = new AuthFlavor(6, "RPCSEC_GSS");
    /** RFC 9289, RPC-with-TLS probe. */
    public static final AuthFlavor AUTH_TLS = new AuthFlavor(7, "AUTH_TLS");

    private static final Map<Integer, AuthFlavor> KNOWN = index(AUTH_NONE, AUTH_SYS, AUTH_SHORT, AUTH_DH, AUTH_KERB,
            AUTH_RSA, RPCSEC_GSS, AUTH_TLS);

    private AuthFlavor(int code, String name) {
        super(code, name);
    }

    public static AuthFlavor valueOf(int code) {
        AuthFlavor known = KNOWN.get(code);
        return known != null ? known : new AuthFlavor(code, null);
    }
}
