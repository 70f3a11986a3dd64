package io.wanopt.protocols.nfs.v3;

import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.NfsArguments;
import io.wanopt.protocols.nfs.NfsLimits;
import io.wanopt.protocols.nfs.NfsResult;
import io.wanopt.protocols.nfs.NfsTime;
import io.wanopt.protocols.nfs.NotUnderstood;
import io.wanopt.protocols.nfs.StableHow;
import io.wanopt.protocols.oncrpc.PayloadRange;
import io.wanopt.protocols.oncrpc.XdrReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decodes the arguments and results of the NFSv3 procedures wanopt follows (RFC 1813 §3.3): GETATTR,
 * SETATTR, LOOKUP, READ, WRITE, CREATE, READDIRPLUS and COMMIT, one decoder pair per procedure behind a
 * table. Any other procedure gives {@link NotUnderstood} ({@link NotUnderstood.Reason#NOT_FOLLOWED}).
 * Input that breaks the XDR throws {@link MalformedInputException}.
 */
public final class Nfs3Decoder {

    private static final String PROGRAM = "NFSv3 ";
    /** {@code time_how} values (§2.6 sattr3). */
    private static final int DONT_CHANGE = 0;
    private static final int SET_TO_CLIENT_TIME = 2;

    @FunctionalInterface
    private interface CallDecoder {
        NfsArguments decode(XdrReader xdr, NfsLimits limits);
    }

    @FunctionalInterface
    private interface ReplyDecoder {
        NfsResult decode(NfsArguments request, XdrReader xdr, NfsLimits limits);
    }

    private record Codec(CallDecoder call, ReplyDecoder reply) {
    }

    private static final Map<Nfs3Procedure, Codec> FOLLOWED = Map.of(
            Nfs3Procedure.GETATTR, new Codec(Nfs3Decoder::getattrArgs, Nfs3Decoder::getattrRes),
            Nfs3Procedure.SETATTR, new Codec(Nfs3Decoder::setattrArgs, Nfs3Decoder::setattrRes),
            Nfs3Procedure.LOOKUP, new Codec(Nfs3Decoder::lookupArgs, Nfs3Decoder::lookupRes),
            Nfs3Procedure.READ, new Codec(Nfs3Decoder::readArgs, Nfs3Decoder::readRes),
            Nfs3Procedure.WRITE, new Codec(Nfs3Decoder::writeArgs, Nfs3Decoder::writeRes),
            Nfs3Procedure.CREATE, new Codec(Nfs3Decoder::createArgs, Nfs3Decoder::createRes),
            Nfs3Procedure.READDIRPLUS, new Codec(Nfs3Decoder::readdirplusArgs, Nfs3Decoder::readdirplusRes),
            Nfs3Procedure.COMMIT, new Codec(Nfs3Decoder::commitArgs, Nfs3Decoder::commitRes));

    private Nfs3Decoder() {
    }

    /** Whether {@code procedure}'s messages are decoded (rather than reported as not understood). */
    public static boolean follows(Nfs3Procedure procedure) {
        return FOLLOWED.containsKey(procedure);
    }

    /** The arguments of a {@code procedure} call at {@code xdr}'s position. */
    public static NfsArguments decodeCall(Nfs3Procedure procedure, XdrReader xdr, NfsLimits limits) {
        Codec codec = FOLLOWED.get(procedure);
        return codec == null ? notFollowed(procedure) : codec.call().decode(xdr, limits);
    }

    /**
     * The results of a successful {@code procedure} reply at {@code xdr}'s position, given the arguments
     * of the call it answers (as {@link #decodeCall} returned them).
     */
    public static NfsResult decodeReply(Nfs3Procedure procedure, NfsArguments request, XdrReader xdr,
            NfsLimits limits) {
        if (request instanceof NotUnderstood notUnderstood) {
            return notUnderstood;
        }
        Codec codec = FOLLOWED.get(procedure);
        return codec == null ? notFollowed(procedure) : codec.reply().decode(request, xdr, limits);
    }

    private static NotUnderstood notFollowed(Nfs3Procedure procedure) {
        return new NotUnderstood(NotUnderstood.Reason.NOT_FOLLOWED, PROGRAM + procedure);
    }

    // --- §3.3.1 GETATTR

    private static NfsArguments getattrArgs(XdrReader xdr, NfsLimits limits) {
        return new Getattr3Args(fh(xdr, "GETATTR3args.object"));
    }

    private static NfsResult getattrRes(NfsArguments request, XdrReader xdr, NfsLimits limits) {
        Nfs3Status status = status(xdr, "GETATTR3res.status");
        Fattr3 attributes = status.isOk() ? fattr3(xdr, "GETATTR3resok.obj_attributes") : null;
        return new Getattr3Res((Getattr3Args) request, status, attributes);
    }

    // --- §3.3.2 SETATTR

    private static NfsArguments setattrArgs(XdrReader xdr, NfsLimits limits) {
        FileHandle object = fh(xdr, "SETATTR3args.object");
        Sattr3 attributes = sattr3(xdr, "SETATTR3args.new_attributes");
        NfsTime guard = xdr.readBool("SETATTR3args.guard.check") ? nfstime3(xdr, "SETATTR3args.guard.obj_ctime") : null;
        return new Setattr3Args(object, attributes, guard);
    }

    private static NfsResult setattrRes(NfsArguments request, XdrReader xdr, NfsLimits limits) {
        Nfs3Status status = status(xdr, "SETATTR3res.status");
        return new Setattr3Res((Setattr3Args) request, status, wccData(xdr, "SETATTR3res.obj_wcc"));
    }

    // --- §3.3.3 LOOKUP

    private static NfsArguments lookupArgs(XdrReader xdr, NfsLimits limits) {
        FileHandle dir = fh(xdr, "LOOKUP3args.what.dir");
        return new Lookup3Args(dir, xdr.readString("LOOKUP3args.what.name", limits.maxNameLength()));
    }

    private static NfsResult lookupRes(NfsArguments request, XdrReader xdr, NfsLimits limits) {
        Nfs3Status status = status(xdr, "LOOKUP3res.status");
        if (!status.isOk()) {
            return new Lookup3Res((Lookup3Args) request, status, null, null,
                    postOpAttr(xdr, "LOOKUP3resfail.dir_attributes"));
        }
        FileHandle object = fh(xdr, "LOOKUP3resok.object");
        Fattr3 objectAttributes = postOpAttr(xdr, "LOOKUP3resok.obj_attributes");
        Fattr3 dirAttributes = postOpAttr(xdr, "LOOKUP3resok.dir_attributes");
        return new Lookup3Res((Lookup3Args) request, status, object, objectAttributes, dirAttributes);
    }

    // --- §3.3.6 READ

    private static NfsArguments readArgs(XdrReader xdr, NfsLimits limits) {
        FileHandle file = fh(xdr, "READ3args.file");
        long offset = xdr.readHyper("READ3args.offset");
        return new Read3Args(file, offset, xdr.readUnsignedInt("READ3args.count"));
    }

    private static NfsResult readRes(NfsArguments request, XdrReader xdr, NfsLimits limits) {
        Nfs3Status status = status(xdr, "READ3res.status");
        Fattr3 attributes = postOpAttr(xdr, "READ3res.file_attributes");
        if (!status.isOk()) {
            return new Read3Res((Read3Args) request, status, attributes, -1, false, null);
        }
        long count = xdr.readUnsignedInt("READ3resok.count");
        boolean eof = xdr.readBool("READ3resok.eof");
        PayloadRange data = xdr.readOpaque("READ3resok.data", limits.maxDataLength());
        return new Read3Res((Read3Args) request, status, attributes, count, eof, data);
    }

    // --- §3.3.7 WRITE

    private static NfsArguments writeArgs(XdrReader xdr, NfsLimits limits) {
        FileHandle file = fh(xdr, "WRITE3args.file");
        long offset = xdr.readHyper("WRITE3args.offset");
        long count = xdr.readUnsignedInt("WRITE3args.count");
        StableHow stable = StableHow.valueOf(xdr.readInt("WRITE3args.stable"));
        PayloadRange data = xdr.readOpaque("WRITE3args.data", limits.maxDataLength());
        return new Write3Args(file, offset, count, stable, data);
    }

    private static NfsResult writeRes(NfsArguments request, XdrReader xdr, NfsLimits limits) {
        Nfs3Status status = status(xdr, "WRITE3res.status");
        WccData wcc = wccData(xdr, "WRITE3res.file_wcc");
        if (!status.isOk()) {
            return new Write3Res((Write3Args) request, status, wcc, -1, null, 0);
        }
        long count = xdr.readUnsignedInt("WRITE3resok.count");
        StableHow committed = StableHow.valueOf(xdr.readInt("WRITE3resok.committed"));
        long verifier = xdr.readHyper("WRITE3resok.verf");
        return new Write3Res((Write3Args) request, status, wcc, count, committed, verifier);
    }

    // --- §3.3.8 CREATE

    private static NfsArguments createArgs(XdrReader xdr, NfsLimits limits) {
        FileHandle dir = fh(xdr, "CREATE3args.where.dir");
        String name = xdr.readString("CREATE3args.where.name", limits.maxNameLength());
        int modeOffset = xdr.offset();
        CreateMode3 mode = CreateMode3.valueOf(xdr.readInt("CREATE3args.how.mode"));
        if (mode.equals(CreateMode3.UNCHECKED) || mode.equals(CreateMode3.GUARDED)) {
            return new Create3Args(dir, name, mode, sattr3(xdr, "CREATE3args.how.obj_attributes"), 0);
        }
        if (mode.equals(CreateMode3.EXCLUSIVE)) {
            return new Create3Args(dir, name, mode, null, xdr.readHyper("CREATE3args.how.verf"));
        }
        // a union without a default arm: nothing after an unknown mode can be read
        throw MalformedInputException.invalid("CREATE3args.how.mode", mode.code() & 0xFFFF_FFFFL,
                "0 (UNCHECKED), 1 (GUARDED) or 2 (EXCLUSIVE)", modeOffset);
    }

    private static NfsResult createRes(NfsArguments request, XdrReader xdr, NfsLimits limits) {
        Nfs3Status status = status(xdr, "CREATE3res.status");
        if (!status.isOk()) {
            return new Create3Res((Create3Args) request, status, null, null, wccData(xdr, "CREATE3resfail.dir_wcc"));
        }
        FileHandle object = xdr.readBool("CREATE3resok.obj.handle_follows") ? fh(xdr, "CREATE3resok.obj.handle") : null;
        Fattr3 attributes = postOpAttr(xdr, "CREATE3resok.obj_attributes");
        return new Create3Res((Create3Args) request, status, object, attributes, wccData(xdr, "CREATE3resok.dir_wcc"));
    }

    // --- §3.3.17 READDIRPLUS

    private static NfsArguments readdirplusArgs(XdrReader xdr, NfsLimits limits) {
        FileHandle dir = fh(xdr, "READDIRPLUS3args.dir");
        long cookie = xdr.readHyper("READDIRPLUS3args.cookie");
        long verifier = xdr.readHyper("READDIRPLUS3args.cookieverf");
        long dirCount = xdr.readUnsignedInt("READDIRPLUS3args.dircount");
        long maxCount = xdr.readUnsignedInt("READDIRPLUS3args.maxcount");
        return new Readdirplus3Args(dir, cookie, verifier, dirCount, maxCount);
    }

    private static NfsResult readdirplusRes(NfsArguments request, XdrReader xdr, NfsLimits limits) {
        Readdirplus3Args args = (Readdirplus3Args) request;
        Nfs3Status status = status(xdr, "READDIRPLUS3res.status");
        Fattr3 dirAttributes = postOpAttr(xdr, "READDIRPLUS3res.dir_attributes");
        if (!status.isOk()) {
            return new Readdirplus3Res(args, status, dirAttributes, 0, List.of(), false, true);
        }
        long verifier = xdr.readHyper("READDIRPLUS3resok.cookieverf");
        List<Entryplus3> entries = new ArrayList<>();
        boolean complete = true;
        // each entry costs at least 32 bytes of input, so the loop is bounded by the record
        while (xdr.readBool("entryplus3 follows")) {
            if (entries.size() == limits.maxDirectoryEntries()) {
                complete = false;
                break;
            }
            long fileId = xdr.readHyper("entryplus3.fileid");
            String name = xdr.readString("entryplus3.name", limits.maxNameLength());
            long cookie = xdr.readHyper("entryplus3.cookie");
            Fattr3 attributes = postOpAttr(xdr, "entryplus3.name_attributes");
            FileHandle handle = xdr.readBool("entryplus3.name_handle.handle_follows")
                    ? fh(xdr, "entryplus3.name_handle.handle") : null;
            entries.add(new Entryplus3(fileId, name, cookie, attributes, handle));
        }
        boolean eof = complete && xdr.readBool("dirlistplus3.eof");
        return new Readdirplus3Res(args, status, dirAttributes, verifier, entries, eof, complete);
    }

    // --- §3.3.21 COMMIT

    private static NfsArguments commitArgs(XdrReader xdr, NfsLimits limits) {
        FileHandle file = fh(xdr, "COMMIT3args.file");
        long offset = xdr.readHyper("COMMIT3args.offset");
        return new Commit3Args(file, offset, xdr.readUnsignedInt("COMMIT3args.count"));
    }

    private static NfsResult commitRes(NfsArguments request, XdrReader xdr, NfsLimits limits) {
        Nfs3Status status = status(xdr, "COMMIT3res.status");
        WccData wcc = wccData(xdr, "COMMIT3res.file_wcc");
        long verifier = status.isOk() ? xdr.readHyper("COMMIT3resok.verf") : 0;
        return new Commit3Res((Commit3Args) request, status, wcc, verifier);
    }

    // --- §2.6 basic data types

    private static Nfs3Status status(XdrReader xdr, String what) {
        return Nfs3Status.valueOf(xdr.readInt(what));
    }

    private static FileHandle fh(XdrReader xdr, String what) {
        return FileHandle.read(xdr, what, FileHandle.NFS3_MAX_LENGTH);
    }

    private static NfsTime nfstime3(XdrReader xdr, String what) {
        long seconds = xdr.readUnsignedInt(what + ".seconds");
        return new NfsTime(seconds, xdr.readUnsignedInt(what + ".nseconds"));
    }

    private static Fattr3 fattr3(XdrReader xdr, String what) {
        xdr.require(Fattr3.LENGTH, what);
        int type = xdr.readInt(what);
        long mode = xdr.readUnsignedInt(what);
        long nlink = xdr.readUnsignedInt(what);
        long uid = xdr.readUnsignedInt(what);
        long gid = xdr.readUnsignedInt(what);
        long size = xdr.readHyper(what);
        long used = xdr.readHyper(what);
        xdr.skip(8, what); // rdev: specdata3
        long fsid = xdr.readHyper(what);
        long fileId = xdr.readHyper(what);
        NfsTime atime = nfstime3(xdr, what);
        NfsTime mtime = nfstime3(xdr, what);
        NfsTime ctime = nfstime3(xdr, what);
        return new Fattr3(type, mode, nlink, uid, gid, size, used, fsid, fileId, atime, mtime, ctime);
    }

    private static Fattr3 postOpAttr(XdrReader xdr, String what) {
        return xdr.readBool(what + ".attributes_follow") ? fattr3(xdr, what) : null;
    }

    private static WccData wccData(XdrReader xdr, String what) {
        WccAttr before = null;
        if (xdr.readBool(what + ".before.attributes_follow")) {
            long size = xdr.readHyper(what + ".before.size");
            before = new WccAttr(size, nfstime3(xdr, what + ".before.mtime"), nfstime3(xdr, what + ".before.ctime"));
        }
        return new WccData(before, postOpAttr(xdr, what + ".after"));
    }

    private static Sattr3 sattr3(XdrReader xdr, String what) {
        Long mode = xdr.readBool(what + ".set_mode") ? xdr.readUnsignedInt(what + ".mode") : null;
        Long uid = xdr.readBool(what + ".set_uid") ? xdr.readUnsignedInt(what + ".uid") : null;
        Long gid = xdr.readBool(what + ".set_gid") ? xdr.readUnsignedInt(what + ".gid") : null;
        Long size = xdr.readBool(what + ".set_size") ? xdr.readHyper(what + ".size") : null;
        int atimeHow = timeHow(xdr, what + ".atime");
        NfsTime atime = atimeHow == SET_TO_CLIENT_TIME ? nfstime3(xdr, what + ".atime") : null;
        int mtimeHow = timeHow(xdr, what + ".mtime");
        NfsTime mtime = mtimeHow == SET_TO_CLIENT_TIME ? nfstime3(xdr, what + ".mtime") : null;
        return new Sattr3(mode, uid, gid, size, atimeHow != DONT_CHANGE, atime, mtimeHow != DONT_CHANGE, mtime);
    }

    /** {@code time_how}: a union discriminant without a default arm, so only 0-2 can be read on. */
    private static int timeHow(XdrReader xdr, String what) {
        int offset = xdr.offset();
        int how = xdr.readInt(what + ".set_it");
        if (how < DONT_CHANGE || how > SET_TO_CLIENT_TIME) {
            throw MalformedInputException.invalid(what + ".set_it", how & 0xFFFF_FFFFL,
                    "0 (DONT_CHANGE), 1 (SET_TO_SERVER_TIME) or 2 (SET_TO_CLIENT_TIME)", offset);
        }
        return how;
    }
}
