package io.wanopt.protocols.nfs.v4;

import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.StableHow;
import io.wanopt.protocols.oncrpc.PayloadRange;

/**
 * One decoded operation result of a COMPOUND reply ({@code nfs_resop4}), named after its {@code OPn4res}
 * (RFC 7530, RFC 8881). Fields after the status are set only when the status is NFS4_OK (except
 * SETATTR's {@code attrsset}); otherwise they are null, false or -1.
 */
public sealed interface Nfs4ResOp {

    Nfs4Op op();

    Nfs4Status status();

    /** Operation 3: ACCESS. */
    record Access(Nfs4Status status, long supported, long access) implements Nfs4ResOp {
        public Nfs4Op op() {
            return Nfs4Op.ACCESS;
        }
    }

    /** Operation 4: CLOSE. */
    record Close(Nfs4Status status, Stateid4 openStateid) implements Nfs4ResOp {
        public Nfs4Op op() {
            return Nfs4Op.CLOSE;
        }
    }

    /** Operation 5: COMMIT; {@code verifier} is the write verifier. */
    record Commit(Nfs4Status status, long verifier) implements Nfs4ResOp {
        public Nfs4Op op() {
            return Nfs4Op.COMMIT;
        }
    }

    /** Operation 9: GETATTR. */
    record Getattr(Nfs4Status status, Fattr4 attributes) implements Nfs4ResOp {
        public Nfs4Op op() {
            return Nfs4Op.GETATTR;
        }
    }

    /** Operation 10: GETFH: the current file handle at that point of the COMPOUND. */
    record Getfh(Nfs4Status status, FileHandle object) implements Nfs4ResOp {
        public Nfs4Op op() {
            return Nfs4Op.GETFH;
        }
    }

    /** Operation 15: LOOKUP. */
    record Lookup(Nfs4Status status) implements Nfs4ResOp {
        public Nfs4Op op() {
            return Nfs4Op.LOOKUP;
        }
    }

    /**
     * Operation 18: OPEN.
     *
     * @param stateid             the open stateid
     * @param changeAtomic        {@code cinfo.atomic} of the directory
     * @param changeBefore        {@code cinfo.before}
     * @param changeAfter         {@code cinfo.after}
     * @param resultFlags         {@code rflags} (OPEN4_RESULT_*)
     * @param delegationType      {@code open_delegation_type4}: 0 none, 1 read, 2 write, 3 none (4.1, with reason)
     * @param delegationStateid   the delegation's stateid for a read or write delegation, else null
     */
    record Open(Nfs4Status status, Stateid4 stateid, boolean changeAtomic, long changeBefore, long changeAfter,
            long resultFlags, Bitmap4 attrSet, int delegationType, Stateid4 delegationStateid) implements Nfs4ResOp {
        public Nfs4Op op() {
            return Nfs4Op.OPEN;
        }
    }

    /** Operation 20: OPEN_CONFIRM. */
    record OpenConfirm(Nfs4Status status, Stateid4 openStateid) implements Nfs4ResOp {
        public Nfs4Op op() {
            return Nfs4Op.OPEN_CONFIRM;
        }
    }

    /** Operation 22: PUTFH. */
    record Putfh(Nfs4Status status) implements Nfs4ResOp {
        public Nfs4Op op() {
            return Nfs4Op.PUTFH;
        }
    }

    /** Operation 24: PUTROOTFH. */
    record Putrootfh(Nfs4Status status) implements Nfs4ResOp {
        public Nfs4Op op() {
            return Nfs4Op.PUTROOTFH;
        }
    }

    /** Operation 25: READ; {@code data} is where the data lies in the record payload. */
    record Read(Nfs4Status status, boolean eof, PayloadRange data) implements Nfs4ResOp {
        public Nfs4Op op() {
            return Nfs4Op.READ;
        }
    }

    /** Operation 30: RENEW. */
    record Renew(Nfs4Status status) implements Nfs4ResOp {
        public Nfs4Op op() {
            return Nfs4Op.RENEW;
        }
    }

    /** Operation 31: RESTOREFH. */
    record Restorefh(Nfs4Status status) implements Nfs4ResOp {
        public Nfs4Op op() {
            return Nfs4Op.RESTOREFH;
        }
    }

    /** Operation 32: SAVEFH. */
    record Savefh(Nfs4Status status) implements Nfs4ResOp {
        public Nfs4Op op() {
            return Nfs4Op.SAVEFH;
        }
    }

    /** Operation 34: SETATTR; {@code attrsSet} is sent whatever the status. */
    record Setattr(Nfs4Status status, Bitmap4 attrsSet) implements Nfs4ResOp {
        public Nfs4Op op() {
            return Nfs4Op.SETATTR;
        }
    }

    /** Operation 38: WRITE. */
    record Write(Nfs4Status status, long count, StableHow committed, long verifier) implements Nfs4ResOp {
        public Nfs4Op op() {
            return Nfs4Op.WRITE;
        }
    }

    /** Operation 53: SEQUENCE (NFSv4.1). */
    record Sequence(Nfs4Status status, long sessionIdHigh, long sessionIdLow, long sequenceId, long slotId,
            long highestSlotId, long targetHighestSlotId, long statusFlags) implements Nfs4ResOp {
        public Nfs4Op op() {
            return Nfs4Op.SEQUENCE;
        }
    }
}
