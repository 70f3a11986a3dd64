package io.wanopt.protocols.nfs.v3;

import io.wanopt.protocols.oncrpc.XdrEnum;
import java.util.Map;

/** NFSv3 procedure numbers (RFC 1813 §3.3); open. */
public final class Nfs3Procedure extends XdrEnum {

    public static final Nfs3Procedure NULL = new Nfs3Procedure(0, "NULL");
    public static final Nfs3Procedure GETATTR = new Nfs3Procedure(1, "GETATTR");
    public static final Nfs3Procedure SETATTR = new Nfs3Procedure(2, "SETATTR");
    public static final Nfs3Procedure LOOKUP = new Nfs3Procedure(3, "LOOKUP");
    public static final Nfs3Procedure ACCESS = new Nfs3Procedure(4, "ACCESS");
    public static final Nfs3Procedure READLINK = new Nfs3Procedure(5, "READLINK");
    public static final Nfs3Procedure READ = new Nfs3Procedure(6, "READ");
    public static final Nfs3Procedure WRITE = new Nfs3Procedure(7, "WRITE");
    public static final Nfs3Procedure CREATE = new Nfs3Procedure(8, "CREATE");
    public static final Nfs3Procedure MKDIR = new Nfs3Procedure(9, "MKDIR");
    public static final Nfs3Procedure SYMLINK = new Nfs3Procedure(10, "SYMLINK");
    public static final Nfs3Procedure MKNOD = new Nfs3Procedure(11, "MKNOD");
    public static final Nfs3Procedure REMOVE = new Nfs3Procedure(12, "REMOVE");
    public static final Nfs3Procedure RMDIR = new Nfs3Procedure(13, "RMDIR");
    public static final Nfs3Procedure RENAME = new Nfs3Procedure(14, "RENAME");
    public static final Nfs3Procedure LINK = new Nfs3Procedure(15, "LINK");
    public static final Nfs3Procedure READDIR = new Nfs3Procedure(16, "READDIR");
    public static final Nfs3Procedure READDIRPLUS = new Nfs3Procedure(17, "READDIRPLUS");
    public static final Nfs3Procedure FSSTAT = new Nfs3Procedure(18, "FSSTAT");
    public static final Nfs3Procedure FSINFO = new Nfs3Procedure(19, "FSINFO");
    public static final Nfs3Procedure PATHCONF = new Nfs3Procedure(20, "PATHCONF");
    public static final Nfs3Procedure COMMIT = new Nfs3Procedure(21, "COMMIT");

    private static final Map<Integer, Nfs3Procedure> KNOWN = index(NULL, GETATTR, SETATTR, LOOKUP, ACCESS, READLINK,
            READ, WRITE, CREATE, MKDIR, SYMLINK, MKNOD, REMOVE, RMDIR, RENAME, LINK, READDIR, READDIRPLUS, FSSTAT, FSINFO,
            PATHCONF, COMMIT);

    private Nfs3Procedure(int code, String name) {
        super(code, name);
    }

    public static Nfs3Procedure valueOf(int code) {
        Nfs3Procedure known = KNOWN.get(code);
        return known != null ? known : new Nfs3Procedure(code, null);
    }
}
