package io.wanopt.protocols.oncrpc;

/**
 * RFC 5531 §9 {@code call_body}: the header of an RPC call, up to where the procedure's arguments
 * begin. Program, version and procedure are kept as numbers: unknown ones are values, not errors.
 *
 * @param rpcVersion      {@code rpcvers}; RFC 5531 requires 2, anything else is not understood
 * @param program         {@code prog}, e.g. 100003 for NFS
 * @param version         {@code vers} of the program
 * @param procedure       {@code proc}
 * @param credential      {@code cred}
 * @param authSys         the credential's parsed body when its flavor is AUTH_SYS, else null
 * @param verifier        {@code verf}
 * @param argumentsOffset payload offset of the procedure's arguments
 */
public record RpcCall(int xid, long rpcVersion, long program, long version, long procedure, OpaqueAuth credential,
        AuthSysParams authSys, OpaqueAuth verifier, int argumentsOffset) implements RpcMessage {

    /** The only RPC protocol version RFC 5531 defines. */
    public static final long RPC_VERSION = 2;

    /**
     * Whether the call uses RPCSEC_GSS (Kerberos): its arguments may be integrity-protected or encrypted,
     * so a proxy must neither parse them as plain XDR nor answer the call itself.
     */
    public boolean isRpcsecGss() {
        return credential.flavor().equals(AuthFlavor.RPCSEC_GSS);
    }
}
