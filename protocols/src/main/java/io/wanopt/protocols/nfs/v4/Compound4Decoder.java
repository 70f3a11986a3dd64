package io.wanopt.protocols.nfs.v4;

import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.NfsLimits;
import io.wanopt.protocols.nfs.StableHow;
import io.wanopt.protocols.oncrpc.PayloadRange;
import io.wanopt.protocols.oncrpc.XdrReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Walks NFSv4 COMPOUND calls and replies (RFC 7530, RFC 8881) operation by operation, one decoder per
 * operation behind a table: ACCESS, CLOSE, COMMIT, GETATTR, GETFH, LOOKUP, OPEN, OPEN_CONFIRM, PUTFH,
 * PUTROOTFH, READ, RENEW, RESTOREFH, SAVEFH, SETATTR, WRITE and SEQUENCE. Operations carry no lengths,
 * so the walk ends at the first operation it does not know (or after {@link NfsLimits#maxCompoundOps()});
 * the rest is reported as not understood, not as an error. Broken XDR within a known operation throws
 * {@link MalformedInputException}.
 */
public final class Compound4Decoder {

    /** Highest minor version whose operations are walked (RFC 7862, NFSv4.2). */
    public static final long MAX_MINOR_VERSION = 2;

    private static final int OPEN4_CREATE = 1;
    private static final int UNCHECKED4 = 0;
    private static final int GUARDED4 = 1;
    private static final int EXCLUSIVE4 = 2;
    private static final int EXCLUSIVE4_1 = 3;
    private static final int OPEN_DELEGATE_NONE = 0;
    private static final int OPEN_DELEGATE_READ = 1;
    private static final int OPEN_DELEGATE_WRITE = 2;
    private static final int OPEN_DELEGATE_NONE_EXT = 3;
    private static final int NFS_LIMIT_SIZE = 1;
    private static final int NFS_LIMIT_BLOCKS = 2;
    private static final int WND4_CONTENTION = 1;
    private static final int WND4_RESOURCE = 2;
    private static final int SESSIONID_LENGTH = 16;
    private static final int NFS4_OPAQUE_LIMIT = 1024;

    @FunctionalInterface
    private interface ArgDecoder {
        Nfs4ArgOp decode(XdrReader xdr, NfsLimits limits);
    }

    @FunctionalInterface
    private interface ResDecoder {
        Nfs4ResOp decode(Nfs4Status status, XdrReader xdr, NfsLimits limits);
    }

    private static final Map<Nfs4Op, ArgDecoder> ARGS = Map.ofEntries(
            Map.entry(Nfs4Op.ACCESS, (xdr, limits) -> new Nfs4ArgOp.Access(xdr.readUnsignedInt("ACCESS4args.access"))),
            Map.entry(Nfs4Op.CLOSE, Compound4Decoder::closeArgs),
            Map.entry(Nfs4Op.COMMIT, Compound4Decoder::commitArgs),
            Map.entry(Nfs4Op.GETATTR, (xdr, limits) ->
                    new Nfs4ArgOp.Getattr(Bitmap4.read(xdr, "GETATTR4args.attr_request", limits))),
            Map.entry(Nfs4Op.GETFH, (xdr, limits) -> new Nfs4ArgOp.Getfh()),
            Map.entry(Nfs4Op.LOOKUP, (xdr, limits) ->
                    new Nfs4ArgOp.Lookup(xdr.readString("LOOKUP4args.objname", limits.maxNameLength()))),
            Map.entry(Nfs4Op.OPEN, Compound4Decoder::openArgs),
            Map.entry(Nfs4Op.OPEN_CONFIRM, Compound4Decoder::openConfirmArgs),
            Map.entry(Nfs4Op.PUTFH, (xdr, limits) ->
                    new Nfs4ArgOp.Putfh(FileHandle.read(xdr, "PUTFH4args.object", FileHandle.NFS4_MAX_LENGTH))),
            Map.entry(Nfs4Op.PUTROOTFH, (xdr, limits) -> new Nfs4ArgOp.Putrootfh()),
            Map.entry(Nfs4Op.READ, Compound4Decoder::readArgs),
            Map.entry(Nfs4Op.RENEW, (xdr, limits) -> new Nfs4ArgOp.Renew(xdr.readHyper("RENEW4args.clientid"))),
            Map.entry(Nfs4Op.RESTOREFH, (xdr, limits) -> new Nfs4ArgOp.Restorefh()),
            Map.entry(Nfs4Op.SAVEFH, (xdr, limits) -> new Nfs4ArgOp.Savefh()),
            Map.entry(Nfs4Op.SETATTR, Compound4Decoder::setattrArgs),
            Map.entry(Nfs4Op.WRITE, Compound4Decoder::writeArgs),
            Map.entry(Nfs4Op.SEQUENCE, Compound4Decoder::sequenceArgs));

    private static final Map<Nfs4Op, ResDecoder> RESULTS = Map.ofEntries(
            Map.entry(Nfs4Op.ACCESS, Compound4Decoder::accessRes),
            Map.entry(Nfs4Op.CLOSE, (status, xdr, limits) ->
                    new Nfs4ResOp.Close(status, status.isOk() ? Stateid4.read(xdr, "CLOSE4res.open_stateid") : null)),
            Map.entry(Nfs4Op.COMMIT, (status, xdr, limits) ->
                    new Nfs4ResOp.Commit(status, status.isOk() ? xdr.readHyper("COMMIT4resok.writeverf") : 0)),
            Map.entry(Nfs4Op.GETATTR, (status, xdr, limits) -> new Nfs4ResOp.Getattr(status,
                    status.isOk() ? Fattr4Decoder.read(xdr, "GETATTR4resok.obj_attributes", limits) : null)),
            Map.entry(Nfs4Op.GETFH, (status, xdr, limits) -> new Nfs4ResOp.Getfh(status,
                    status.isOk() ? FileHandle.read(xdr, "GETFH4resok.object", FileHandle.NFS4_MAX_LENGTH) : null)),
            Map.entry(Nfs4Op.LOOKUP, (status, xdr, limits) -> new Nfs4ResOp.Lookup(status)),
            Map.entry(Nfs4Op.OPEN, Compound4Decoder::openRes),
            Map.entry(Nfs4Op.OPEN_CONFIRM, (status, xdr, limits) -> new Nfs4ResOp.OpenConfirm(status,
                    status.isOk() ? Stateid4.read(xdr, "OPEN_CONFIRM4resok.open_stateid") : null)),
            Map.entry(Nfs4Op.PUTFH, (status, xdr, limits) -> new Nfs4ResOp.Putfh(status)),
            Map.entry(Nfs4Op.PUTROOTFH, (status, xdr, limits) -> new Nfs4ResOp.Putrootfh(status)),
            Map.entry(Nfs4Op.READ, Compound4Decoder::readRes),
            Map.entry(Nfs4Op.RENEW, (status, xdr, limits) -> new Nfs4ResOp.Renew(status)),
            Map.entry(Nfs4Op.RESTOREFH, (status, xdr, limits) -> new Nfs4ResOp.Restorefh(status)),
            Map.entry(Nfs4Op.SAVEFH, (status, xdr, limits) -> new Nfs4ResOp.Savefh(status)),
            Map.entry(Nfs4Op.SETATTR, (status, xdr, limits) ->
                    new Nfs4ResOp.Setattr(status, Bitmap4.read(xdr, "SETATTR4res.attrsset", limits))),
            Map.entry(Nfs4Op.WRITE, Compound4Decoder::writeRes),
            Map.entry(Nfs4Op.SEQUENCE, Compound4Decoder::sequenceRes));

    private Compound4Decoder() {
    }

    /** Whether the walk decodes {@code op} (in calls and replies alike). */
    public static boolean follows(Nfs4Op op) {
        return ARGS.containsKey(op);
    }

    /** {@code COMPOUND4args} at {@code xdr}'s position (the arguments of NFSv4 procedure 1). */
    public static Compound4Args decodeCall(XdrReader xdr, NfsLimits limits) {
        String tag = xdr.readString("COMPOUND4args.tag", limits.maxTagLength());
        long minorVersion = xdr.readUnsignedInt("COMPOUND4args.minorversion");
        int count = xdr.readCount("COMPOUND4args.argarray", Integer.MAX_VALUE, 4);
        List<Nfs4ArgOp> operations = new ArrayList<>(Math.min(count, limits.maxCompoundOps()));
        for (int i = 0; i < count; i++) {
            int offset = xdr.offset();
            Nfs4Op op = Nfs4Op.valueOf(xdr.readInt("nfs_argop4.argop"));
            ArgDecoder decoder = ARGS.get(op);
            if (decoder == null || i == limits.maxCompoundOps() || minorVersion > MAX_MINOR_VERSION) {
                return new Compound4Args(tag, minorVersion, operations, count, op, offset);
            }
            operations.add(decoder.decode(xdr, limits));
        }
        return new Compound4Args(tag, minorVersion, operations, count, null, -1);
    }

    /** {@code COMPOUND4res} at {@code xdr}'s position, answering {@code request}. */
    public static Compound4Res decodeReply(Compound4Args request, XdrReader xdr, NfsLimits limits) {
        Nfs4Status status = Nfs4Status.valueOf(xdr.readInt("COMPOUND4res.status"));
        String tag = xdr.readString("COMPOUND4res.tag", limits.maxTagLength());
        int count = xdr.readCount("COMPOUND4res.resarray", Integer.MAX_VALUE, 8);
        List<Nfs4ResOp> results = new ArrayList<>(Math.min(count, limits.maxCompoundOps()));
        for (int i = 0; i < count; i++) {
            int offset = xdr.offset();
            Nfs4Op op = Nfs4Op.valueOf(xdr.readInt("nfs_resop4.resop"));
            ResDecoder decoder = RESULTS.get(op);
            if (decoder == null || i == limits.maxCompoundOps() || request.minorVersion() > MAX_MINOR_VERSION) {
                return new Compound4Res(request, status, tag, results, count, op, offset);
            }
            Nfs4Status opStatus = Nfs4Status.valueOf(xdr.readInt(op + " status"));
            results.add(decoder.decode(opStatus, xdr, limits));
        }
        return new Compound4Res(request, status, tag, results, count, null, -1);
    }

    // --- arguments

    private static Nfs4ArgOp closeArgs(XdrReader xdr, NfsLimits limits) {
        long seqid = xdr.readUnsignedInt("CLOSE4args.seqid");
        return new Nfs4ArgOp.Close(seqid, Stateid4.read(xdr, "CLOSE4args.open_stateid"));
    }

    private static Nfs4ArgOp commitArgs(XdrReader xdr, NfsLimits limits) {
        long offset = xdr.readHyper("COMMIT4args.offset");
        return new Nfs4ArgOp.Commit(offset, xdr.readUnsignedInt("COMMIT4args.count"));
    }

    private static Nfs4ArgOp openArgs(XdrReader xdr, NfsLimits limits) {
        long seqid = xdr.readUnsignedInt("OPEN4args.seqid");
        long shareAccess = xdr.readUnsignedInt("OPEN4args.share_access");
        long shareDeny = xdr.readUnsignedInt("OPEN4args.share_deny");
        long clientId = xdr.readHyper("OPEN4args.owner.clientid");
        xdr.readOpaque("OPEN4args.owner.owner", NFS4_OPAQUE_LIMIT);
        // openflag4 has a default arm (void): only OPEN4_CREATE carries createhow4
        boolean create = xdr.readInt("OPEN4args.openhow.opentype") == OPEN4_CREATE;
        int createMode = -1;
        Fattr4 createAttributes = null;
        if (create) {
            int modeOffset = xdr.offset();
            createMode = xdr.readInt("OPEN4args.openhow.how.mode");
            switch (createMode) {
                case UNCHECKED4, GUARDED4 -> createAttributes = Fattr4Decoder.read(xdr, "createhow4.createattrs", limits);
                case EXCLUSIVE4 -> xdr.skip(8, "createhow4.createverf");
                case EXCLUSIVE4_1 -> {
                    xdr.skip(8, "creatverfattr.cva_verf");
                    createAttributes = Fattr4Decoder.read(xdr, "creatverfattr.cva_attrs", limits);
                }
                default -> throw MalformedInputException.invalid("createhow4.mode", createMode & 0xFFFF_FFFFL,
                        "0-3 (UNCHECKED4, GUARDED4, EXCLUSIVE4, EXCLUSIVE4_1)", modeOffset);
            }
        }
        int claimOffset = xdr.offset();
        OpenClaimType4 claim = OpenClaimType4.valueOf(xdr.readInt("OPEN4args.claim.claim"));
        String fileName = null;
        if (claim.equals(OpenClaimType4.CLAIM_NULL) || claim.equals(OpenClaimType4.CLAIM_DELEGATE_PREV)) {
            fileName = xdr.readString("open_claim4.file", limits.maxNameLength());
        } else if (claim.equals(OpenClaimType4.CLAIM_DELEGATE_CUR)) {
            Stateid4.read(xdr, "open_claim_delegate_cur4.delegate_stateid");
            fileName = xdr.readString("open_claim_delegate_cur4.file", limits.maxNameLength());
        } else if (claim.equals(OpenClaimType4.CLAIM_PREVIOUS)) {
            xdr.readInt("open_claim4.delegate_type");
        } else if (claim.equals(OpenClaimType4.CLAIM_DELEG_CUR_FH)) {
            Stateid4.read(xdr, "open_claim4.oc_delegate_stateid");
        } else if (!claim.equals(OpenClaimType4.CLAIM_FH) && !claim.equals(OpenClaimType4.CLAIM_DELEG_PREV_FH)) {
            // open_claim4 has no default arm: nothing after an unknown claim can be read
            throw MalformedInputException.invalid("open_claim4.claim", claim.code() & 0xFFFF_FFFFL, "0-6", claimOffset);
        }
        return new Nfs4ArgOp.Open(seqid, shareAccess, shareDeny, clientId, create, createMode, createAttributes, claim,
                fileName);
    }

    private static Nfs4ArgOp openConfirmArgs(XdrReader xdr, NfsLimits limits) {
        Stateid4 stateid = Stateid4.read(xdr, "OPEN_CONFIRM4args.open_stateid");
        return new Nfs4ArgOp.OpenConfirm(stateid, xdr.readUnsignedInt("OPEN_CONFIRM4args.seqid"));
    }

    private static Nfs4ArgOp readArgs(XdrReader xdr, NfsLimits limits) {
        Stateid4 stateid = Stateid4.read(xdr, "READ4args.stateid");
        long offset = xdr.readHyper("READ4args.offset");
        return new Nfs4ArgOp.Read(stateid, offset, xdr.readUnsignedInt("READ4args.count"));
    }

    private static Nfs4ArgOp setattrArgs(XdrReader xdr, NfsLimits limits) {
        Stateid4 stateid = Stateid4.read(xdr, "SETATTR4args.stateid");
        return new Nfs4ArgOp.Setattr(stateid, Fattr4Decoder.read(xdr, "SETATTR4args.obj_attributes", limits));
    }

    private static Nfs4ArgOp writeArgs(XdrReader xdr, NfsLimits limits) {
        Stateid4 stateid = Stateid4.read(xdr, "WRITE4args.stateid");
        long offset = xdr.readHyper("WRITE4args.offset");
        StableHow stable = StableHow.valueOf(xdr.readInt("WRITE4args.stable"));
        PayloadRange data = xdr.readOpaque("WRITE4args.data", limits.maxDataLength());
        return new Nfs4ArgOp.Write(stateid, offset, stable, data);
    }

    private static Nfs4ArgOp sequenceArgs(XdrReader xdr, NfsLimits limits) {
        xdr.require(SESSIONID_LENGTH, "SEQUENCE4args.sa_sessionid");
        long sessionHigh = xdr.readHyper("SEQUENCE4args.sa_sessionid");
        long sessionLow = xdr.readHyper("SEQUENCE4args.sa_sessionid");
        long sequenceId = xdr.readUnsignedInt("SEQUENCE4args.sa_sequenceid");
        long slotId = xdr.readUnsignedInt("SEQUENCE4args.sa_slotid");
        long highestSlotId = xdr.readUnsignedInt("SEQUENCE4args.sa_highest_slotid");
        boolean cacheThis = xdr.readBool("SEQUENCE4args.sa_cachethis");
        return new Nfs4ArgOp.Sequence(sessionHigh, sessionLow, sequenceId, slotId, highestSlotId, cacheThis);
    }

    // --- results (the status has been read)

    private static Nfs4ResOp accessRes(Nfs4Status status, XdrReader xdr, NfsLimits limits) {
        if (!status.isOk()) {
            return new Nfs4ResOp.Access(status, -1, -1);
        }
        long supported = xdr.readUnsignedInt("ACCESS4resok.supported");
        return new Nfs4ResOp.Access(status, supported, xdr.readUnsignedInt("ACCESS4resok.access"));
    }

    private static Nfs4ResOp openRes(Nfs4Status status, XdrReader xdr, NfsLimits limits) {
        if (!status.isOk()) {
            return new Nfs4ResOp.Open(status, null, false, -1, -1, -1, null, -1, null);
        }
        Stateid4 stateid = Stateid4.read(xdr, "OPEN4resok.stateid");
        boolean atomic = xdr.readBool("OPEN4resok.cinfo.atomic");
        long before = xdr.readHyper("OPEN4resok.cinfo.before");
        long after = xdr.readHyper("OPEN4resok.cinfo.after");
        long flags = xdr.readUnsignedInt("OPEN4resok.rflags");
        Bitmap4 attrSet = Bitmap4.read(xdr, "OPEN4resok.attrset", limits);
        int typeOffset = xdr.offset();
        int delegationType = xdr.readInt("open_delegation4.delegation_type");
        Stateid4 delegationStateid = null;
        switch (delegationType) {
            case OPEN_DELEGATE_NONE -> {
            }
            case OPEN_DELEGATE_READ -> {
                delegationStateid = Stateid4.read(xdr, "open_read_delegation4.stateid");
                xdr.readBool("open_read_delegation4.recall");
                Fattr4Decoder.skipAce(xdr, "open_read_delegation4.permissions", limits);
            }
            case OPEN_DELEGATE_WRITE -> {
                delegationStateid = Stateid4.read(xdr, "open_write_delegation4.stateid");
                xdr.readBool("open_write_delegation4.recall");
                skipSpaceLimit(xdr);
                Fattr4Decoder.skipAce(xdr, "open_write_delegation4.permissions", limits);
            }
            case OPEN_DELEGATE_NONE_EXT -> {
                int why = xdr.readInt("open_none_delegation4.ond_why");
                if (why == WND4_CONTENTION || why == WND4_RESOURCE) {
                    xdr.readBool("open_none_delegation4.ond_server_will");
                }
            }
            default -> throw MalformedInputException.invalid("open_delegation4.delegation_type",
                    delegationType & 0xFFFF_FFFFL, "0-3", typeOffset);
        }
        return new Nfs4ResOp.Open(status, stateid, atomic, before, after, flags, attrSet, delegationType,
                delegationStateid);
    }

    /** {@code nfs_space_limit4}: a union without a default arm. */
    private static void skipSpaceLimit(XdrReader xdr) {
        int offset = xdr.offset();
        int limitBy = xdr.readInt("nfs_space_limit4.limitby");
        if (limitBy != NFS_LIMIT_SIZE && limitBy != NFS_LIMIT_BLOCKS) {
            throw MalformedInputException.invalid("nfs_space_limit4.limitby", limitBy & 0xFFFF_FFFFL,
                    "1 (NFS_LIMIT_SIZE) or 2 (NFS_LIMIT_BLOCKS)", offset);
        }
        xdr.skip(8, "nfs_space_limit4");
    }

    private static Nfs4ResOp readRes(Nfs4Status status, XdrReader xdr, NfsLimits limits) {
        if (!status.isOk()) {
            return new Nfs4ResOp.Read(status, false, null);
        }
        boolean eof = xdr.readBool("READ4resok.eof");
        return new Nfs4ResOp.Read(status, eof, xdr.readOpaque("READ4resok.data", limits.maxDataLength()));
    }

    private static Nfs4ResOp writeRes(Nfs4Status status, XdrReader xdr, NfsLimits limits) {
        if (!status.isOk()) {
            return new Nfs4ResOp.Write(status, -1, null, 0);
        }
        long count = xdr.readUnsignedInt("WRITE4resok.count");
        StableHow committed = StableHow.valueOf(xdr.readInt("WRITE4resok.committed"));
        return new Nfs4ResOp.Write(status, count, committed, xdr.readHyper("WRITE4resok.writeverf"));
    }

    private static Nfs4ResOp sequenceRes(Nfs4Status status, XdrReader xdr, NfsLimits limits) {
        if (!status.isOk()) {
            return new Nfs4ResOp.Sequence(status, 0, 0, -1, -1, -1, -1, -1);
        }
        xdr.require(SESSIONID_LENGTH, "SEQUENCE4resok.sr_sessionid");
        long sessionHigh = xdr.readHyper("SEQUENCE4resok.sr_sessionid");
        long sessionLow = xdr.readHyper("SEQUENCE4resok.sr_sessionid");
        long sequenceId = xdr.readUnsignedInt("SEQUENCE4resok.sr_sequenceid");
        long slotId = xdr.readUnsignedInt("SEQUENCE4resok.sr_slotid");
        long highestSlotId = xdr.readUnsignedInt("SEQUENCE4resok.sr_highest_slotid");
        long targetHighestSlotId = xdr.readUnsignedInt("SEQUENCE4resok.sr_target_highest_slotid");
        long statusFlags = xdr.readUnsignedInt("SEQUENCE4resok.sr_status_flags");
        return new Nfs4ResOp.Sequence(status, sessionHigh, sessionLow, sequenceId, slotId, highestSlotId,
                targetHighestSlotId, statusFlags);
    }
}
