package io.wanopt.protocols.nfs.v4;

import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.StableHow;
import io.wanopt.protocols.oncrpc.PayloadRange;

/**
 * One decoded operation of a COMPOUND call ({@code nfs_argop4}), named after its {@code OPn4args}.
 * Section references are to the operation's description in RFC 7530 (NFSv4.0) and RFC 8881 (NFSv4.1),
 * which encode these operations alike; {@code SEQUENCE} exists in 4.1 only.
 */
public sealed interface Nfs4ArgOp {

    /** The operation number this record decodes. */
    Nfs4Op op();

    /** Operation 3: ACCESS; {@code access} is the ACCESS4_* bits asked about. */
    record Access(long access) implements Nfs4ArgOp {
        public Nfs4Op op() {
            return Nfs4Op.ACCESS;
        }
    }

    /** Operation 4: CLOSE. */
    record Close(long seqid, Stateid4 openStateid) implements Nfs4ArgOp {
        public Nfs4Op op() {
            return Nfs4Op.CLOSE;
        }
    }

    /** Operation 5: COMMIT (current file handle; a count of 0 means to the end of the file). */
    record Commit(long offset, long count) implements Nfs4ArgOp {
        public Nfs4Op op() {
            return Nfs4Op.COMMIT;
        }
    }

    /** Operation 9: GETATTR. */
    record Getattr(Bitmap4 attrRequest) implements Nfs4ArgOp {
        public Nfs4Op op() {
            return Nfs4Op.GETATTR;
        }
    }

    /** Operation 10: GETFH (no arguments; the reply holds the current file handle). */
    record Getfh() implements Nfs4ArgOp {
        public Nfs4Op op() {
            return Nfs4Op.GETFH;
        }
    }

    /** Operation 15: LOOKUP of {@code name} in the current directory. */
    record Lookup(String name) implements Nfs4ArgOp {
        public Nfs4Op op() {
            return Nfs4Op.LOOKUP;
        }
    }

    /**
     * Operation 18: OPEN.
     *
     * @param ownerClientId   {@code open_owner4.clientid} (the owner bytes are not kept)
     * @param create          {@code openflag4} is OPEN4_CREATE
     * @param createMode      {@code createmode4} when creating (0 UNCHECKED4, 1 GUARDED4, 2 EXCLUSIVE4, 3 EXCLUSIVE4_1), else -1
     * @param createAttributes the {@code createattrs} of UNCHECKED4/GUARDED4/EXCLUSIVE4_1, else null
     * @param fileName        the file's name in the current directory when the claim names one, else null
     */
    record Open(long seqid, long shareAccess, long shareDeny, long ownerClientId, boolean create, int createMode,
            Fattr4 createAttributes, OpenClaimType4 claim, String fileName) implements Nfs4ArgOp {
        public Nfs4Op op() {
            return Nfs4Op.OPEN;
        }
    }

    /** Operation 20: OPEN_CONFIRM (NFSv4.0 only). */
    record OpenConfirm(Stateid4 openStateid, long seqid) implements Nfs4ArgOp {
        public Nfs4Op op() {
            return Nfs4Op.OPEN_CONFIRM;
        }
    }

    /** Operation 22: PUTFH: {@code object} becomes the current file handle. */
    record Putfh(FileHandle object) implements Nfs4ArgOp {
        public Nfs4Op op() {
            return Nfs4Op.PUTFH;
        }
    }

    /** Operation 24: PUTROOTFH: the server's root becomes the current file handle. */
    record Putrootfh() implements Nfs4ArgOp {
        public Nfs4Op op() {
            return Nfs4Op.PUTROOTFH;
        }
    }

    /** Operation 25: READ from the current file handle. */
    record Read(Stateid4 stateid, long offset, long count) implements Nfs4ArgOp {
        public Nfs4Op op() {
            return Nfs4Op.READ;
        }
    }

    /** Operation 30: RENEW (NFSv4.0 only). */
    record Renew(long clientId) implements Nfs4ArgOp {
        public Nfs4Op op() {
            return Nfs4Op.RENEW;
        }
    }

    /** Operation 31: RESTOREFH: the saved file handle becomes the current one. */
    record Restorefh() implements Nfs4ArgOp {
        public Nfs4Op op() {
            return Nfs4Op.RESTOREFH;
        }
    }

    /** Operation 32: SAVEFH: the current file handle is saved. */
    record Savefh() implements Nfs4ArgOp {
        public Nfs4Op op() {
            return Nfs4Op.SAVEFH;
        }
    }

    /** Operation 34: SETATTR on the current file handle (a size or time_modify_set invalidates cached data). */
    record Setattr(Stateid4 stateid, Fattr4 attributes) implements Nfs4ArgOp {
        public Nfs4Op op() {
            return Nfs4Op.SETATTR;
        }
    }

    /** Operation 38: WRITE to the current file handle; {@code data} is where the data lies in the record payload. */
    record Write(Stateid4 stateid, long offset, StableHow stable, PayloadRange data) implements Nfs4ArgOp {
        public Nfs4Op op() {
            return Nfs4Op.WRITE;
        }
    }

    /** Operation 53: SEQUENCE (NFSv4.1); {@code sessionId} is the 16-byte {@code sessionid4} as two halves. */
    record Sequence(long sessionIdHigh, long sessionIdLow, long sequenceId, long slotId, long highestSlotId,
            boolean cacheThis) implements Nfs4ArgOp {
        public Nfs4Op op() {
            return Nfs4Op.SEQUENCE;
        }
    }
}
