package io.wanopt.protocols.smb;

import io.wanopt.protocols.oncrpc.XdrEnum;
import java.util.Map;

/** An SMB2 dialect revision ([MS-SMB2] 2.2.3 Dialects, 2.2.4 DialectRevision); open. */
public final class Smb2Dialect extends XdrEnum {

    public static final Smb2Dialect SMB_2_0_2 = new Smb2Dialect(0x0202, "SMB 2.0.2");
    public static final Smb2Dialect SMB_2_1 = new Smb2Dialect(0x0210, "SMB 2.1");
    public static final Smb2Dialect SMB_3_0 = new Smb2Dialect(0x0300, "SMB 3.0");
    public static final Smb2Dialect SMB_3_0_2 = new Smb2Dialect(0x0302, "SMB 3.0.2");
    public static final Smb2Dialect SMB_3_1_1 = new Smb2Dialect(0x0311, "SMB 3.1.1");
    /** A server's answer to an SMB1 multi-protocol NEGOTIATE: "SMB 2.1 or later, negotiate again". */
    public static final Smb2Dialect WILDCARD = new Smb2Dialect(0x02FF, "SMB 2.???");

    private static final Map<Integer, Smb2Dialect> KNOWN = index(SMB_2_0_2, SMB_2_1, SMB_3_0, SMB_3_0_2, SMB_3_1_1,
            WILDCARD);

    private Smb2Dialect(int code, String name) {
        super(code, name);
    }

    public static Smb2Dialect valueOf(int code) {
        Smb2Dialect known = KNOWN.get(code);
        return known != null ? known : new Smb2Dialect(code, null);
    }

    /** Whether this is an SMB 3.x dialect (encryption and the transform header exist from 3.0 on). */
    public boolean isSmb3() {
        return code() >= SMB_3_0.code() && code() != WILDCARD.code();
    }
}
