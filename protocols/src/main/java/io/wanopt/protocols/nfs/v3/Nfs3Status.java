package io.wanopt.protocols.nfs.v3;

import io.wanopt.protocols.oncrpc.XdrEnum;
import java.util.Map;

/** {@code nfsstat3} (RFC 1813 §2.6); open. */
public final class Nfs3Status extends XdrEnum {

    public static final Nfs3Status NFS3_OK = new Nfs3Status(0, "NFS3_OK");
    public static final Nfs3Status NFS3ERR_PERM = new Nfs3Status(1, "NFS3ERR_PERM");
    public static final Nfs3Status NFS3ERR_NOENT = new Nfs3Status(2, "NFS3ERR_NOENT");
    public static final Nfs3Status NFS3ERR_IO = new Nfs3Status(5, "NFS3ERR_IO");
    public static final Nfs3Status NFS3ERR_NXIO = new Nfs3Status(6, "NFS3ERR_NXIO");
    public static final Nfs3Status NFS3ERR_ACCES = new Nfs3Status(13, "NFS3ERR_ACCES");
    public static final Nfs3Status NFS3ERR_EXIST = new Nfs3Status(17, "NFS3ERR_EXIST");
    public static final Nfs3Status NFS3ERR_XDEV = new Nfs3Status(18, "NFS3ERR_XDEV");
    public static final Nfs3Status NFS3ERR_NODEV = new Nfs3Status(19, "NFS3ERR_NODEV");
    public static final Nfs3Status NFS3ERR_NOTDIR = new Nfs3Status(20, "NFS3ERR_NOTDIR");
    public static final Nfs3Status NFS3ERR_ISDIR = new Nfs3Status(21, "NFS3ERR_ISDIR");
    public static final Nfs3Status NFS3ERR_INVAL = new Nfs3Status(22, "NFS3ERR_INVAL");
    public static final Nfs3Status NFS3ERR_FBIG = new Nfs3Status(27, "NFS3ERR_FBIG");
    public static final Nfs3Status NFS3ERR_NOSPC = new Nfs3Status(28, "NFS3ERR_NOSPC");
    public static final Nfs3Status NFS3ERR_ROFS = new Nfs3Status(30, "NFS3ERR_ROFS");
    public static final Nfs3Status NFS3ERR_MLINK = new Nfs3Status(31, "NFS3ERR_MLINK");
    public static final Nfs3Status NFS3ERR_NAMETOOLONG = new Nfs3Status(63, "NFS3ERR_NAMETOOLONG");
    public static final Nfs3Status NFS3ERR_NOTEMPTY = new Nfs3Status(66, "NFS3ERR_NOTEMPTY");
    public static final Nfs3Status NFS3ERR_DQUOT = new Nfs3Status(69, "NFS3ERR_DQUOT");
    public static final Nfs3Status NFS3ERR_STALE = new Nfs3Status(70, "NFS3ERR_STALE");
    public static final Nfs3Status NFS3ERR_REMOTE = new Nfs3Status(71, "NFS3ERR_REMOTE");
    public static final Nfs3Status NFS3ERR_BADHANDLE = new Nfs3Status(10001, "NFS3ERR_BADHANDLE");
    public static final Nfs3Status NFS3ERR_NOT_SYNC = new Nfs3Status(10002, "NFS3ERR_NOT_SYNC");
    public static final Nfs3Status NFS3ERR_BAD_COOKIE = new Nfs3Status(10003, "NFS3ERR_BAD_COOKIE");
    public static final Nfs3Status NFS3ERR_NOTSUPP = new Nfs3Status(10004, "NFS3ERR_NOTSUPP");
    public static final Nfs3Status NFS3ERR_TOOSMALL = new Nfs3Status(10005, "NFS3ERR_TOOSMALL");
    public static final Nfs3Status NFS3ERR_SERVERFAULT = new Nfs3Status(10006, "NFS3ERR_SERVERFAULT");
    public static final Nfs3Status NFS3ERR_BADTYPE = new Nfs3Status(10007, "NFS3ERR_BADTYPE");
    public static final Nfs3Status NFS3ERR_JUKEBOX = new Nfs3Status(10008, "NFS3ERR_JUKEBOX");

    private static final Map<Integer, Nfs3Status> KNOWN = index(NFS3_OK, NFS3ERR_PERM, NFS3ERR_NOENT, NFS3ERR_IO,
            NFS3ERR_NXIO, NFS3ERR_ACCES, NFS3ERR_EXIST, NFS3ERR_XDEV, NFS3ERR_NODEV, NFS3ERR_NOTDIR, NFS3ERR_ISDIR,
            NFS3ERR_INVAL, NFS3ERR_FBIG, NFS3ERR_NOSPC, NFS3ERR_ROFS, NFS3ERR_MLINK, NFS3ERR_NAMETOOLONG,
            NFS3ERR_NOTEMPTY, NFS3ERR_DQUOT, NFS3ERR_STALE, NFS3ERR_REMOTE, NFS3ERR_BADHANDLE, NFS3ERR_NOT_SYNC,
            NFS3ERR_BAD_COOKIE, NFS3ERR_NOTSUPP, NFS3ERR_TOOSMALL, NFS3ERR_SERVERFAULT, NFS3ERR_BADTYPE, NFS3ERR_JUKEBOX);

    private Nfs3Status(int code, String name) {
        super(code, name);
    }

    public static Nfs3Status valueOf(int code) {
        Nfs3Status known = KNOWN.get(code);
        return known != null ? known : new Nfs3Status(code, null);
    }

    public boolean isOk() {
        return code() == 0;
    }
}
