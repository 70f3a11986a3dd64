package io.wanopt.protocols.nfs.v4;

import io.wanopt.protocols.oncrpc.XdrEnum;
import java.util.Map;

/** {@code nfsstat4} of RFC 7530, RFC 8881 and RFC 7862; open. */
public final class Nfs4Status extends XdrEnum {

    public static final Nfs4Status NFS4_OK = new Nfs4Status(0, "NFS4_OK");
    public static final Nfs4Status NFS4ERR_PERM = new Nfs4Status(1, "NFS4ERR_PERM");
    public static final Nfs4Status NFS4ERR_NOENT = new Nfs4Status(2, "NFS4ERR_NOENT");
    public static final Nfs4Status NFS4ERR_IO = new Nfs4Status(5, "NFS4ERR_IO");
    public static final Nfs4Status NFS4ERR_NXIO = new Nfs4Status(6, "NFS4ERR_NXIO");
    public static final Nfs4Status NFS4ERR_ACCESS = new Nfs4Status(13, "NFS4ERR_ACCESS");
    public static final Nfs4Status NFS4ERR_EXIST = new Nfs4Status(17, "NFS4ERR_EXIST");
    public static final Nfs4Status NFS4ERR_XDEV = new Nfs4Status(18, "NFS4ERR_XDEV");
    public static final Nfs4Status NFS4ERR_NOTDIR = new Nfs4Status(20, "NFS4ERR_NOTDIR");
    public static final Nfs4Status NFS4ERR_ISDIR = new Nfs4Status(21, "NFS4ERR_ISDIR");
    public static final Nfs4Status NFS4ERR_INVAL = new Nfs4Status(22, "NFS4ERR_INVAL");
    public static final Nfs4Status NFS4ERR_FBIG = new Nfs4Status(27, "NFS4ERR_FBIG");
    public static final Nfs4Status NFS4ERR_NOSPC = new Nfs4Status(28, "NFS4ERR_NOSPC");
    public static final Nfs4Status NFS4ERR_ROFS = new Nfs4Status(30, "NFS4ERR_ROFS");
    public static final Nfs4Status NFS4ERR_MLINK = new Nfs4Status(31, "NFS4ERR_MLINK");
    public static final Nfs4Status NFS4ERR_NAMETOOLONG = new Nfs4Status(63, "NFS4ERR_NAMETOOLONG");
    public static final Nfs4Status NFS4ERR_NOTEMPTY = new Nfs4Status(66, "NFS4ERR_NOTEMPTY");
    public static final Nfs4Status NFS4ERR_DQUOT = new Nfs4Status(69, "NFS4ERR_DQUOT");
    public static final Nfs4Status NFS4ERR_STALE = new Nfs4Status(70, "NFS4ERR_STALE");
    public static final Nfs4Status NFS4ERR_BADHANDLE = new Nfs4Status(10001, "NFS4ERR_BADHANDLE");
    public static final Nfs4Status NFS4ERR_BAD_COOKIE = new Nfs4Status(10003, "NFS4ERR_BAD_COOKIE");
    public static final Nfs4Status NFS4ERR_NOTSUPP = new Nfs4Status(10004, "NFS4ERR_NOTSUPP");
    public static final Nfs4Status NFS4ERR_TOOSMALL = new Nfs4Status(10005, "NFS4ERR_TOOSMALL");
    public static final Nfs4Status NFS4ERR_SERVERFAULT = new Nfs4Status(10006, "NFS4ERR_SERVERFAULT");
    public static final Nfs4Status NFS4ERR_BADTYPE = new Nfs4Status(10007, "NFS4ERR_BADTYPE");
    public static final Nfs4Status NFS4ERR_DELAY = new Nfs4Status(10008, "NFS4ERR_DELAY");
    public static final Nfs4Status NFS4ERR_SAME = new Nfs4Status(10009, "NFS4ERR_SAME");
    public static final Nfs4Status NFS4ERR_DENIED = new Nfs4Status(10010, "NFS4ERR_DENIED");
    public static final Nfs4Status NFS4ERR_EXPIRED = new Nfs4Status(10011, "NFS4ERR_EXPIRED");
    public static final Nfs4Status NFS4ERR_LOCKED = new Nfs4Status(10012, "NFS4ERR_LOCKED");
    public static final Nfs4Status NFS4ERR_GRACE = new Nfs4Status(10013, "NFS4ERR_GRACE");
    public static final Nfs4Status NFS4ERR_FHEXPIRED = new Nfs4Status(10014, "NFS4ERR_FHEXPIRED");
    public static final Nfs4Status NFS4ERR_SHARE_DENIED = new Nfs4Status(10015, "NFS4ERR_SHARE_DENIED");
    public static final Nfs4Status NFS4ERR_WRONGSEC = new Nfs4Status(10016, "NFS4ERR_WRONGSEC");
    public static final Nfs4Status NFS4ERR_CLID_INUSE = new Nfs4Status(10017, "NFS4ERR_CLID_INUSE");
    public static final Nfs4Status NFS4ERR_RESOURCE = new Nfs4Status(10018, "NFS4ERR_RESOURCE");
    public static final Nfs4Status NFS4ERR_MOVED = new Nfs4Status(10019, "NFS4ERR_MOVED");
    public static final Nfs4Status NFS4ERR_NOFILEHANDLE = new Nfs4Status(10020, "NFS4ERR_NOFILEHANDLE");
    public static final Nfs4Status NFS4ERR_MINOR_VERS_MISMATCH = new Nfs4Status(10021, "NFS4ERR_MINOR_VERS_MISMATCH");
    public static final Nfs4Status NFS4ERR_STALE_CLIENTID = new Nfs4Status(10022, "NFS4ERR_STALE_CLIENTID");
    public static final Nfs4Status NFS4ERR_STALE_STATEID = new Nfs4Status(10023, "NFS4ERR_STALE_STATEID");
    public static final Nfs4Status NFS4ERR_OLD_STATEID = new Nfs4Status(10024, "NFS4ERR_OLD_STATEID");
    public static final Nfs4Status NFS4ERR_BAD_STATEID = new Nfs4Status(10025, "NFS4ERR_BAD_STATEID");
    public static final Nfs4Status NFS4ERR_BAD_SEQID = new Nfs4Status(10026, "NFS4ERR_BAD_SEQID");
    public static final Nfs4Status NFS4ERR_NOT_SAME = new Nfs4Status(10027, "NFS4ERR_NOT_SAME");
    public static final Nfs4Status NFS4ERR_LOCK_RANGE = new Nfs4Status(10028, "NFS4ERR_LOCK_RANGE");
    public static final Nfs4Status NFS4ERR_SYMLINK = new Nfs4Status(10029, "NFS4ERR_SYMLINK");
    public static final Nfs4Status NFS4ERR_RESTOREFH = new Nfs4Status(10030, "NFS4ERR_RESTOREFH");
    public static final Nfs4Status NFS4ERR_LEASE_MOVED = new Nfs4Status(10031, "NFS4ERR_LEASE_MOVED");
    public static final Nfs4Status NFS4ERR_ATTRNOTSUPP = new Nfs4Status(10032, "NFS4ERR_ATTRNOTSUPP");
    public static final Nfs4Status NFS4ERR_NO_GRACE = new Nfs4Status(10033, "NFS4ERR_NO_GRACE");
    public static final Nfs4Status NFS4ERR_RECLAIM_BAD = new Nfs4Status(10034, "NFS4ERR_RECLAIM_BAD");
    public static final Nfs4Status NFS4ERR_RECLAIM_CONFLICT = new Nfs4Status(10035, "NFS4ERR_RECLAIM_CONFLICT");
    public static final Nfs4Status NFS4ERR_BADXDR = new Nfs4Status(10036, "NFS4ERR_BADXDR");
    public static final Nfs4Status NFS4ERR_LOCKS_HELD = new Nfs4Status(10037, "NFS4ERR_LOCKS_HELD");
    public static final Nfs4Status NFS4ERR_OPENMODE = new Nfs4Status(10038, "NFS4ERR_OPENMODE");
    public static final Nfs4Status NFS4ERR_BADOWNER = new Nfs4Status(10039, "NFS4ERR_BADOWNER");
    public static final Nfs4Status NFS4ERR_BADCHAR = new Nfs4Status(10040, "NFS4ERR_BADCHAR");
    public static final Nfs4Status NFS4ERR_BADNAME = new Nfs4Status(10041, "NFS4ERR_BADNAME");
    public static final Nfs4Status NFS4ERR_BAD_RANGE = new Nfs4Status(10042, "NFS4ERR_BAD_RANGE");
    public static final Nfs4Status NFS4ERR_LOCK_NOTSUPP = new Nfs4Status(10043, "NFS4ERR_LOCK_NOTSUPP");
    public static final Nfs4Status NFS4ERR_OP_ILLEGAL = new Nfs4Status(10044, "NFS4ERR_OP_ILLEGAL");
    public static final Nfs4Status NFS4ERR_DEADLOCK = new Nfs4Status(10045, "NFS4ERR_DEADLOCK");
    public static final Nfs4Status NFS4ERR_FILE_OPEN = new Nfs4Status(10046, "NFS4ERR_FILE_OPEN");
    public static final Nfs4Status NFS4ERR_ADMIN_REVOKED = new Nfs4Status(10047, "NFS4ERR_ADMIN_REVOKED");
    public static final Nfs4Status NFS4ERR_CB_PATH_DOWN = new Nfs4Status(10048, "NFS4ERR_CB_PATH_DOWN");
    public static final Nfs4Status NFS4ERR_BADIOMODE = new Nfs4Status(10049, "NFS4ERR_BADIOMODE");
    public static final Nfs4Status NFS4ERR_BADLAYOUT = new Nfs4Status(10050, "NFS4ERR_BADLAYOUT");
    public static final Nfs4Status NFS4ERR_BAD_SESSION_DIGEST = new Nfs4Status(10051, "NFS4ERR_BAD_SESSION_DIGEST");
    public static final Nfs4Status NFS4ERR_BADSESSION = new Nfs4Status(10052, "NFS4ERR_BADSESSION");
    public static final Nfs4Status NFS4ERR_BADSLOT = new Nfs4Status(10053, "NFS4ERR_BADSLOT");
    public static final Nfs4Status NFS4ERR_COMPLETE_ALREADY = new Nfs4Status(10054, "NFS4ERR_COMPLETE_ALREADY");
    public static final Nfs4Status NFS4ERR_CONN_NOT_BOUND_TO_SESSION = new Nfs4Status(10055, "NFS4ERR_CONN_NOT_BOUND_TO_SESSION");
    public static final Nfs4Status NFS4ERR_DELEG_ALREADY_WANTED = new Nfs4Status(10056, "NFS4ERR_DELEG_ALREADY_WANTED");
    public static final Nfs4Status NFS4ERR_BACK_CHAN_BUSY = new Nfs4Status(10057, "NFS4ERR_BACK_CHAN_BUSY");
    public static final Nfs4Status NFS4ERR_LAYOUTTRYLATER = new Nfs4Status(10058, "NFS4ERR_LAYOUTTRYLATER");
    public static final Nfs4Status NFS4ERR_LAYOUTUNAVAILABLE = new Nfs4Status(10059, "NFS4ERR_LAYOUTUNAVAILABLE");
    public static final Nfs4Status NFS4ERR_NOMATCHING_LAYOUT = new Nfs4Status(10060, "NFS4ERR_NOMATCHING_LAYOUT");
    public static final Nfs4Status NFS4ERR_RECALLCONFLICT = new Nfs4Status(10061, "NFS4ERR_RECALLCONFLICT");
    public static final Nfs4Status NFS4ERR_UNKNOWN_LAYOUTTYPE = new Nfs4Status(10062, "NFS4ERR_UNKNOWN_LAYOUTTYPE");
    public static final Nfs4Status NFS4ERR_SEQ_MISORDERED = new Nfs4Status(10063, "NFS4ERR_SEQ_MISORDERED");
    public static final Nfs4Status NFS4ERR_SEQUENCE_POS = new Nfs4Status(10064, "NFS4ERR_SEQUENCE_POS");
    public static final Nfs4Status NFS4ERR_REQ_TOO_BIG = new Nfs4Status(10065, "NFS4ERR_REQ_TOO_BIG");
    public static final Nfs4Status NFS4ERR_REP_TOO_BIG = new Nfs4Status(10066, "NFS4ERR_REP_TOO_BIG");
    public static final Nfs4Status NFS4ERR_REP_TOO_BIG_TO_CACHE = new Nfs4Status(10067, "NFS4ERR_REP_TOO_BIG_TO_CACHE");
    public static final Nfs4Status NFS4ERR_RETRY_UNCACHED_REP = new Nfs4Status(10068, "NFS4ERR_RETRY_UNCACHED_REP");
    public static final Nfs4Status NFS4ERR_UNSAFE_COMPOUND = new Nfs4Status(10069, "NFS4ERR_UNSAFE_COMPOUND");
    public static final Nfs4Status NFS4ERR_TOO_MANY_OPS = new Nfs4Status(10070, "NFS4ERR_TOO_MANY_OPS");
    public static final Nfs4Status NFS4ERR_OP_NOT_IN_SESSION = new Nfs4Status(10071, "NFS4ERR_OP_NOT_IN_SESSION");
    public static final Nfs4Status NFS4ERR_HASH_ALG_UNSUPP = new Nfs4Status(10072, "NFS4ERR_HASH_ALG_UNSUPP");
    public static final Nfs4Status NFS4ERR_CLIENTID_BUSY = new Nfs4Status(10074, "NFS4ERR_CLIENTID_BUSY");
    public static final Nfs4Status NFS4ERR_PNFS_IO_HOLE = new Nfs4Status(10075, "NFS4ERR_PNFS_IO_HOLE");
    public static final Nfs4Status NFS4ERR_SEQ_FALSE_RETRY = new Nfs4Status(10076, "NFS4ERR_SEQ_FALSE_RETRY");
    public static final Nfs4Status NFS4ERR_BAD_HIGH_SLOT = new Nfs4Status(10077, "NFS4ERR_BAD_HIGH_SLOT");
    public static final Nfs4Status NFS4ERR_DEADSESSION = new Nfs4Status(10078, "NFS4ERR_DEADSESSION");
    public static final Nfs4Status NFS4ERR_ENCR_ALG_UNSUPP = new Nfs4Status(10079, "NFS4ERR_ENCR_ALG_UNSUPP");
    public static final Nfs4Status NFS4ERR_PNFS_NO_LAYOUT = new Nfs4Status(10080, "NFS4ERR_PNFS_NO_LAYOUT");
    public static final Nfs4Status NFS4ERR_NOT_ONLY_OP = new Nfs4Status(10081, "NFS4ERR_NOT_ONLY_OP");
    public static final Nfs4Status NFS4ERR_WRONG_CRED = new Nfs4Status(10082, "NFS4ERR_WRONG_CRED");
    public static final Nfs4Status NFS4ERR_WRONG_TYPE = new Nfs4Status(10083, "NFS4ERR_WRONG_TYPE");
    public static final Nfs4Status NFS4ERR_DIRDELEG_UNAVAIL = new Nfs4Status(10084, "NFS4ERR_DIRDELEG_UNAVAIL");
    public static final Nfs4Status NFS4ERR_REJECT_DELEG = new Nfs4Status(10085, "NFS4ERR_REJECT_DELEG");
    public static final Nfs4Status NFS4ERR_RETURNCONFLICT = new Nfs4Status(10086, "NFS4ERR_RETURNCONFLICT");
    public static final Nfs4Status NFS4ERR_DELEG_REVOKED = new Nfs4Status(10087, "NFS4ERR_DELEG_REVOKED");
    public static final Nfs4Status NFS4ERR_PARTNER_NOTSUPP = new Nfs4Status(10088, "NFS4ERR_PARTNER_NOTSUPP");
    public static final Nfs4Status NFS4ERR_PARTNER_NO_AUTH = new Nfs4Status(10089, "NFS4ERR_PARTNER_NO_AUTH");
    public static final Nfs4Status NFS4ERR_UNION_NOTSUPP = new Nfs4Status(10090, "NFS4ERR_UNION_NOTSUPP");
    public static final Nfs4Status NFS4ERR_OFFLOAD_DENIED = new Nfs4Status(10091, "NFS4ERR_OFFLOAD_DENIED");
    public static final Nfs4Status NFS4ERR_WRONG_LFS = new Nfs4Status(10092, "NFS4ERR_WRONG_LFS");
    public static final Nfs4Status NFS4ERR_BADLABEL = new Nfs4Status(10093, "NFS4ERR_BADLABEL");
    public static final Nfs4Status NFS4ERR_OFFLOAD_NO_REQS = new Nfs4Status(10094, "NFS4ERR_OFFLOAD_NO_REQS");

    private static final Map<Integer, Nfs4Status> KNOWN = index(NFS4_OK, NFS4ERR_PERM, NFS4ERR_NOENT, NFS4ERR_IO,
            NFS4ERR_NXIO, NFS4ERR_ACCESS, NFS4ERR_EXIST, NFS4ERR_XDEV, NFS4ERR_NOTDIR, NFS4ERR_ISDIR, NFS4ERR_INVAL,
            NFS4ERR_FBIG, NFS4ERR_NOSPC, NFS4ERR_ROFS, NFS4ERR_MLINK, NFS4ERR_NAMETOOLONG, NFS4ERR_NOTEMPTY,
            NFS4ERR_DQUOT, NFS4ERR_STALE, NFS4ERR_BADHANDLE, NFS4ERR_BAD_COOKIE, NFS4ERR_NOTSUPP, NFS4ERR_TOOSMALL,
            NFS4ERR_SERVERFAULT, NFS4ERR_BADTYPE, NFS4ERR_DELAY, NFS4ERR_SAME, NFS4ERR_DENIED, NFS4ERR_EXPIRED,
            NFS4ERR_LOCKED, NFS4ERR_GRACE, NFS4ERR_FHEXPIRED, NFS4ERR_SHARE_DENIED, NFS4ERR_WRONGSEC,
            NFS4ERR_CLID_INUSE, NFS4ERR_RESOURCE, NFS4ERR_MOVED, NFS4ERR_NOFILEHANDLE, NFS4ERR_MINOR_VERS_MISMATCH,
            NFS4ERR_STALE_CLIENTID, NFS4ERR_STALE_STATEID, NFS4ERR_OLD_STATEID, NFS4ERR_BAD_STATEID,
            NFS4ERR_BAD_SEQID, NFS4ERR_NOT_SAME, NFS4ERR_LOCK_RANGE, NFS4ERR_SYMLINK, NFS4ERR_RESTOREFH,
            NFS4ERR_LEASE_MOVED, NFS4ERR_ATTRNOTSUPP, NFS4ERR_NO_GRACE, NFS4ERR_RECLAIM_BAD, NFS4ERR_RECLAIM_CONFLICT,
            NFS4ERR_BADXDR, NFS4ERR_LOCKS_HELD, NFS4ERR_OPENMODE, NFS4ERR_BADOWNER, NFS4ERR_BADCHAR, NFS4ERR_BADNAME,
            NFS4ERR_BAD_RANGE, NFS4ERR_LOCK_NOTSUPP, NFS4ERR_OP_ILLEGAL, NFS4ERR_DEADLOCK, NFS4ERR_FILE_OPEN,
            NFS4ERR_ADMIN_REVOKED, NFS4ERR_CB_PATH_DOWN, NFS4ERR_BADIOMODE, NFS4ERR_BADLAYOUT,
            NFS4ERR_BAD_SESSION_DIGEST, NFS4ERR_BADSESSION, NFS4ERR_BADSLOT, NFS4ERR_COMPLETE_ALREADY,
            NFS4ERR_CONN_NOT_BOUND_TO_SESSION, NFS4ERR_DELEG_ALREADY_WANTED, NFS4ERR_BACK_CHAN_BUSY,
            NFS4ERR_LAYOUTTRYLATER, NFS4ERR_LAYOUTUNAVAILABLE, NFS4ERR_NOMATCHING_LAYOUT, NFS4ERR_RECALLCONFLICT,
            NFS4ERR_UNKNOWN_LAYOUTTYPE, NFS4ERR_SEQ_MISORDERED, NFS4ERR_SEQUENCE_POS, NFS4ERR_REQ_TOO_BIG,
            NFS4ERR_REP_TOO_BIG, NFS4ERR_REP_TOO_BIG_TO_CACHE, NFS4ERR_RETRY_UNCACHED_REP, NFS4ERR_UNSAFE_COMPOUND,
            NFS4ERR_TOO_MANY_OPS, NFS4ERR_OP_NOT_IN_SESSION, NFS4ERR_HASH_ALG_UNSUPP, NFS4ERR_CLIENTID_BUSY,
            NFS4ERR_PNFS_IO_HOLE, NFS4ERR_SEQ_FALSE_RETRY, NFS4ERR_BAD_HIGH_SLOT, NFS4ERR_DEADSESSION,
            NFS4ERR_ENCR_ALG_UNSUPP, NFS4ERR_PNFS_NO_LAYOUT, NFS4ERR_NOT_ONLY_OP, NFS4ERR_WRONG_CRED,
            NFS4ERR_WRONG_TYPE, NFS4ERR_DIRDELEG_UNAVAIL, NFS4ERR_REJECT_DELEG, NFS4ERR_RETURNCONFLICT,
            NFS4ERR_DELEG_REVOKED, NFS4ERR_PARTNER_NOTSUPP, NFS4ERR_PARTNER_NO_AUTH, NFS4ERR_UNION_NOTSUPP,
            NFS4ERR_OFFLOAD_DENIED, NFS4ERR_WRONG_LFS, NFS4ERR_BADLABEL, NFS4ERR_OFFLOAD_NO_REQS);

    private Nfs4Status(int code, String name) {
        super(code, name);
    }

    public static Nfs4Status valueOf(int code) {
        Nfs4Status known = KNOWN.get(code);
        return known != null ? known : new Nfs4Status(code, null);
    }

    public boolean isOk() {
        return code() == 0;
    }
}
