package io.wanopt.protocols.nfs.v4;

import io.wanopt.protocols.oncrpc.XdrEnum;
import java.util.Map;

/**
 * {@code nfs_opnum4}: NFSv4 operation numbers of RFC 7530 (4.0, 3-39), RFC 8881 (4.1, 40-58), RFC 7862
 * (4.2, 59-71) and RFC 8276 (extended attributes, 72-75); open. Naming an operation does not mean the
 * decoder follows it: see {@link Compound4Decoder}.
 */
public final class Nfs4Op extends XdrEnum {

    public static final Nfs4Op ACCESS = new Nfs4Op(3, "ACCESS");
    public static final Nfs4Op CLOSE = new Nfs4Op(4, "CLOSE");
    public static final Nfs4Op COMMIT = new Nfs4Op(5, "COMMIT");
    public static final Nfs4Op CREATE = new Nfs4Op(6, "CREATE");
    public static final Nfs4Op DELEGPURGE = new Nfs4Op(7, "DELEGPURGE");
    public static final Nfs4Op DELEGRETURN = new Nfs4Op(8, "DELEGRETURN");
    public static final Nfs4Op GETATTR = new Nfs4Op(9, "GETATTR");
    public static final Nfs4Op GETFH = new Nfs4Op(10, "GETFH");
    public static final Nfs4Op LINK = new Nfs4Op(11, "LINK");
    public static final Nfs4Op LOCK = new Nfs4Op(12, "LOCK");
    public static final Nfs4Op LOCKT = new Nfs4Op(13, "LOCKT");
    public static final Nfs4Op LOCKU = new Nfs4Op(14, "LOCKU");
    public static final Nfs4Op LOOKUP = new Nfs4Op(15, "LOOKUP");
    public static final Nfs4Op LOOKUPP = new Nfs4Op(16, "LOOKUPP");
    public static final Nfs4Op NVERIFY = new Nfs4Op(17, "NVERIFY");
    public static final Nfs4Op OPEN = new Nfs4Op(18, "OPEN");
    public static final Nfs4Op OPENATTR = new Nfs4Op(19, "OPENATTR");
    public static final Nfs4Op OPEN_CONFIRM = new Nfs4Op(20, "OPEN_CONFIRM");
    public static final Nfs4Op OPEN_DOWNGRADE = new Nfs4Op(21, "OPEN_DOWNGRADE");
    public static final Nfs4Op PUTFH = new Nfs4Op(22, "PUTFH");
    public static final Nfs4Op PUTPUBFH = new Nfs4Op(23, "PUTPUBFH");
    public static final Nfs4Op PUTROOTFH = new Nfs4Op(24, "PUTROOTFH");
    public static final Nfs4Op READ = new Nfs4Op(25, "READ");
    public static final Nfs4Op READDIR = new Nfs4Op(26, "READDIR");
    public static final Nfs4Op READLINK = new Nfs4Op(27, "READLINK");
    public static final Nfs4Op REMOVE = new Nfs4Op(28, "REMOVE");
    public static final Nfs4Op RENAME = new Nfs4Op(29, "RENAME");
    public static final Nfs4Op RENEW = new Nfs4Op(30, "RENEW");
    public static final Nfs4Op RESTOREFH = new Nfs4Op(31, "RESTOREFH");
    public static final Nfs4Op SAVEFH = new Nfs4Op(32, "SAVEFH");
    public static final Nfs4Op SECINFO = new Nfs4Op(33, "SECINFO");
    public static final Nfs4Op SETATTR = new Nfs4Op(34, "SETATTR");
    public static final Nfs4Op SETCLIENTID = new Nfs4Op(35, "SETCLIENTID");
    public static final Nfs4Op SETCLIENTID_CONFIRM = new Nfs4Op(36, "SETCLIENTID_CONFIRM");
    public static final Nfs4Op VERIFY = new Nfs4Op(37, "VERIFY");
    public static final Nfs4Op WRITE = new Nfs4Op(38, "WRITE");
    public static final Nfs4Op RELEASE_LOCKOWNER = new Nfs4Op(39, "RELEASE_LOCKOWNER");
    public static final Nfs4Op BACKCHANNEL_CTL = new Nfs4Op(40, "BACKCHANNEL_CTL");
    public static final Nfs4Op BIND_CONN_TO_SESSION = new Nfs4Op(41, "BIND_CONN_TO_SESSION");
    public static final Nfs4Op EXCHANGE_ID = new Nfs4Op(42, "EXCHANGE_ID");
    public static final Nfs4Op CREATE_SESSION = new Nfs4Op(43, "CREATE_SESSION");
    public static final Nfs4Op DESTROY_SESSION = new Nfs4Op(44, "DESTROY_SESSION");
    public static final Nfs4Op FREE_STATEID = new Nfs4Op(45, "FREE_STATEID");
    public static final Nfs4Op GET_DIR_DELEGATION = new Nfs4Op(46, "GET_DIR_DELEGATION");
    public static final Nfs4Op GETDEVICEINFO = new Nfs4Op(47, "GETDEVICEINFO");
    public static final Nfs4Op GETDEVICELIST = new Nfs4Op(48, "GETDEVICELIST");
    public static final Nfs4Op LAYOUTCOMMIT = new Nfs4Op(49, "LAYOUTCOMMIT");
    public static final Nfs4Op LAYOUTGET = new Nfs4Op(50, "LAYOUTGET");
    public static final Nfs4Op LAYOUTRETURN = new Nfs4Op(51, "LAYOUTRETURN");
    public static final Nfs4Op SECINFO_NO_NAME = new Nfs4Op(52, "SECINFO_NO_NAME");
    public static final Nfs4Op SEQUENCE = new Nfs4Op(53, "SEQUENCE");
    public static final Nfs4Op SET_SSV = new Nfs4Op(54, "SET_SSV");
    public static final Nfs4Op TEST_STATEID = new Nfs4Op(55, "TEST_STATEID");
    public static final Nfs4Op WANT_DELEGATION = new Nfs4Op(56, "WANT_DELEGATION");
    public static final Nfs4Op DESTROY_CLIENTID = new Nfs4Op(57, "DESTROY_CLIENTID");
    public static final Nfs4Op RECLAIM_COMPLETE = new Nfs4Op(58, "RECLAIM_COMPLETE");
    public static final Nfs4Op ALLOCATE = new Nfs4Op(59, "ALLOCATE");
    public static final Nfs4Op COPY = new Nfs4Op(60, "COPY");
    public static final Nfs4Op COPY_NOTIFY = new Nfs4Op(61, "COPY_NOTIFY");
    public static final Nfs4Op DEALLOCATE = new Nfs4Op(62, "DEALLOCATE");
    public static final Nfs4Op IO_ADVISE = new Nfs4Op(63, "IO_ADVISE");
    public static final Nfs4Op LAYOUTERROR = new Nfs4Op(64, "LAYOUTERROR");
    public static final Nfs4Op LAYOUTSTATS = new Nfs4Op(65, "LAYOUTSTATS");
    public static final Nfs4Op OFFLOAD_CANCEL = new Nfs4Op(66, "OFFLOAD_CANCEL");
    public static final Nfs4Op OFFLOAD_STATUS = new Nfs4Op(67, "OFFLOAD_STATUS");
    public static final Nfs4Op READ_PLUS = new Nfs4Op(68, "READ_PLUS");
    public static final Nfs4Op SEEK = new Nfs4Op(69, "SEEK");
    public static final Nfs4Op WRITE_SAME = new Nfs4Op(70, "WRITE_SAME");
    public static final Nfs4Op CLONE = new Nfs4Op(71, "CLONE");
    public static final Nfs4Op GETXATTR = new Nfs4Op(72, "GETXATTR");
    public static final Nfs4Op SETXATTR = new Nfs4Op(73, "SETXATTR");
    public static final Nfs4Op LISTXATTRS = new Nfs4Op(74, "LISTXATTRS");
    public static final Nfs4Op REMOVEXATTR = new Nfs4Op(75, "REMOVEXATTR");
    public static final Nfs4Op ILLEGAL = new Nfs4Op(10044, "ILLEGAL");

    private static final Map<Integer, Nfs4Op> KNOWN = index(ACCESS, CLOSE, COMMIT, CREATE, DELEGPURGE, DELEGRETURN,
            GETATTR, GETFH, LINK, LOCK, LOCKT, LOCKU, LOOKUP, LOOKUPP, NVERIFY, OPEN, OPENATTR, OPEN_CONFIRM,
            OPEN_DOWNGRADE, PUTFH, PUTPUBFH, PUTROOTFH, READ, READDIR, READLINK, REMOVE, RENAME, RENEW, RESTOREFH,
            SAVEFH, SECINFO, SETATTR, SETCLIENTID, SETCLIENTID_CONFIRM, VERIFY, WRITE, RELEASE_LOCKOWNER,
            BACKCHANNEL_CTL, BIND_CONN_TO_SESSION, EXCHANGE_ID, CREATE_SESSION, DESTROY_SESSION, FREE_STATEID,
            GET_DIR_DELEGATION, GETDEVICEINFO, GETDEVICELIST, LAYOUTCOMMIT, LAYOUTGET, LAYOUTRETURN, SECINFO_NO_NAME,
            SEQUENCE, SET_SSV, TEST_STATEID, WANT_DELEGATION, DESTROY_CLIENTID, RECLAIM_COMPLETE, ALLOCATE, COPY,
            COPY_NOTIFY, DEALLOCATE, IO_ADVISE, LAYOUTERROR, LAYOUTSTATS, OFFLOAD_CANCEL, OFFLOAD_STATUS, READ_PLUS,
            SEEK, WRITE_SAME, CLONE, GETXATTR, SETXATTR, LISTXATTRS, REMOVEXATTR, ILLEGAL);

    private Nfs4Op(int code, String name) {
        super(code, name);
    }

    public static Nfs4Op valueOf(int code) {
        Nfs4Op known = KNOWN.get(code);
        return known != null ? known : new Nfs4Op(code, null);
    }
}
