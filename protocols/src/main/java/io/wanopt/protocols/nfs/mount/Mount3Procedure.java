package io.wanopt.protocols.nfs.mount;

import io.wanopt.protocols.oncrpc.XdrEnum;
import java.util.Map;

/** MOUNT version 3 procedure numbers (RFC 1813 Appendix I §5.2); open. */
public final class Mount3Procedure extends XdrEnum {

    public static final Mount3Procedure NULL = new Mount3Procedure(0, "NULL");
    public static final Mount3Procedure MNT = new Mount3Procedure(1, "MNT");
    public static final Mount3Procedure DUMP = new Mount3Procedure(2, "DUMP");
    public static final Mount3Procedure UMNT = new Mount3Procedure(3, "UMNT");
    public static final Mount3Procedure UMNTALL = new Mount3Procedure(4, "UMNTALL");
    public static final Mount3Procedure EXPORT = new Mount3Procedure(5, "EXPORT");

    private static final Map<Integer, Mount3Procedure> KNOWN = index(NULL, MNT, DUMP, UMNT, UMNTALL, EXPORT);

    private Mount3Procedure(int code, String name) {
        super(code, name);
    }

    public static Mount3Procedure valueOf(int code) {
        Mount3Procedure known = KNOWN.get(code);
        return known != null ? known : new Mount3Procedure(code, null);
    }
}
