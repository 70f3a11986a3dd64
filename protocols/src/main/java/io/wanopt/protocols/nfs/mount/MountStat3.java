package io.wanopt.protocols.nfs.mount;

import io.wanopt.protocols.oncrpc.XdrEnum;
import java.util.Map;

/** {@code mountstat3} (RFC 1813 Appendix I §5.1.5); open. */
public final class MountStat3 extends XdrEnum {

    public static final MountStat3 MNT3_OK = new MountStat3(0, "MNT3_OK");
    public static final MountStat3 MNT3ERR_PERM = new MountStat3(1, "MNT3ERR_PERM");
    public static final MountStat3 MNT3ERR_NOENT = new MountStat3(2, "MNT3ERR_NOENT");
    public static final MountStat3 MNT3ERR_IO = new MountStat3(5, "MNT3ERR_IO");
    public static final MountStat3 MNT3ERR_ACCES = new MountStat3(13, "MNT3ERR_ACCES");
    public static final MountStat3 MNT3ERR_NOTDIR = new MountStat3(20, "MNT3ERR_NOTDIR");
    public static final MountStat3 MNT3ERR_INVAL = new MountStat3(22, "MNT3ERR_INVAL");
    public static final MountStat3 MNT3ERR_NAMETOOLONG = new MountStat3(63, "MNT3ERR_NAMETOOLONG");
    public static final MountStat3 MNT3ERR_NOTSUPP = new MountStat3(10004, "MNT3ERR_NOTSUPP");
    public static final MountStat3 MNT3ERR_SERVERFAULT = new MountStat3(10006, "MNT3ERR_SERVERFAULT");

    private static final Map<Integer, MountStat3> KNOWN = index(MNT3_OK, MNT3ERR_PERM, MNT3ERR_NOENT, MNT3ERR_IO,
            MNT3ERR_ACCES, MNT3ERR_NOTDIR, MNT3ERR_INVAL, MNT3ERR_NAMETOOLONG, MNT3ERR_NOTSUPP, MNT3ERR_SERVERFAULT);

    private MountStat3(int code, String name) {
        super(code, name);
    }

    public static MountStat3 valueOf(int code) {
        MountStat3 known = KNOWN.get(code);
        return known != null ? known : new MountStat3(code, null);
    }

    public boolean isOk() {
        return code() == 0;
    }
}
