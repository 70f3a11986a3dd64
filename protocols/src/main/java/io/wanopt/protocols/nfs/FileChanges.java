package io.wanopt.protocols.nfs;

import io.wanopt.protocols.nfs.v3.Commit3Res;
import io.wanopt.protocols.nfs.v3.Create3Res;
import io.wanopt.protocols.nfs.v3.Entryplus3;
import io.wanopt.protocols.nfs.v3.Fattr3;
import io.wanopt.protocols.nfs.v3.Getattr3Res;
import io.wanopt.protocols.nfs.v3.Lookup3Res;
import io.wanopt.protocols.nfs.v3.Nfs3Procedure;
import io.wanopt.protocols.nfs.v3.Read3Res;
import io.wanopt.protocols.nfs.v3.Readdirplus3Res;
import io.wanopt.protocols.nfs.v3.Setattr3Res;
import io.wanopt.protocols.nfs.v3.WccData;
import io.wanopt.protocols.nfs.v3.Write3Res;
import io.wanopt.protocols.nfs.v4.Compound4Args;
import io.wanopt.protocols.nfs.v4.Compound4Res;
import io.wanopt.protocols.nfs.v4.Fattr4;
import io.wanopt.protocols.nfs.v4.CompoundFileFlow;
import io.wanopt.protocols.nfs.v4.Nfs4ArgOp;
import io.wanopt.protocols.nfs.v4.Nfs4Op;
import io.wanopt.protocols.nfs.v4.Nfs4ResOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What tells a proxy that file data it holds may be stale: calls that may change files, and the
 * versions of files that replies reveal (NFSv3 {@code mtime} and {@code ctime}, RFC 1813 §2.6;
 * NFSv4 {@code change}, RFC 7530 §5.8.1.4).
 */
public final class FileChanges {

    /** NFSv3 procedures that change nothing (RFC 1813 §3.3). */
    private static final Set<Nfs3Procedure> NFS3_READ_ONLY = Set.of(Nfs3Procedure.NULL, Nfs3Procedure.GETATTR,
            Nfs3Procedure.LOOKUP, Nfs3Procedure.ACCESS, Nfs3Procedure.READLINK, Nfs3Procedure.READ,
            Nfs3Procedure.READDIR, Nfs3Procedure.READDIRPLUS, Nfs3Procedure.FSSTAT, Nfs3Procedure.FSINFO,
            Nfs3Procedure.PATHCONF);
    /**
     * NFSv4 operations that change no file data or attributes. OPEN counts only without create (an
     * OPEN that creates may truncate); CLOSE and RENEW change state, not files.
     */
    private static final Set<Nfs4Op> NFS4_READ_ONLY = Set.of(Nfs4Op.ACCESS, Nfs4Op.CLOSE, Nfs4Op.GETATTR,
            Nfs4Op.GETFH, Nfs4Op.LOOKUP, Nfs4Op.LOOKUPP, Nfs4Op.NVERIFY, Nfs4Op.OPEN_CONFIRM, Nfs4Op.PUTFH,
            Nfs4Op.PUTPUBFH, Nfs4Op.PUTROOTFH, Nfs4Op.READ, Nfs4Op.READDIR, Nfs4Op.READLINK, Nfs4Op.RENEW,
            Nfs4Op.RESTOREFH, Nfs4Op.SAVEFH, Nfs4Op.SECINFO, Nfs4Op.SEQUENCE, Nfs4Op.VERIFY);

    /**
     * A file's version as a reply showed it: NFSv3 mtime and ctime, or the NFSv4 change attribute and
     * time_modify and time_metadata (as many of them as the reply carried);
     * with its size (null when the reply did not say).
     */
    public record Version(FileHandle file, NfsTime mtime, NfsTime ctime, Long change, Long size) {
    }

    private FileChanges() {
    }

    /**
     * Whether {@code call} may change a file's data or attributes. Calls that are not understood may;
     * MOUNT calls do not.
     */
    public static boolean mayChangeFiles(NfsCall call) {
        if (!call.isUnderstood()) {
            return true;
        }
        return switch (call.program()) {
            case MOUNT_V3 -> false;
            case NFS_V3 -> !NFS3_READ_ONLY.contains(Nfs3Procedure.valueOf((int) call.rpc().procedure()));
            case NFS_V4 -> !(call.arguments() instanceof Compound4Args compound && compound.isComplete()
                    && compound.operations().stream().allMatch(FileChanges::readOnly));
            case OTHER -> true;
        };
    }

    /** The file versions {@code reply} shows, in reply order; empty when it shows none. */
    public static List<Version> versions(NfsReply reply) {
        List<Version> found = new ArrayList<>(2);
        NfsResult result = reply.result();
        if (result instanceof Getattr3Res getattr) {
            add(found, getattr.request().object(), getattr.attributes());
        } else if (result instanceof Lookup3Res lookup) {
            add(found, lookup.object(), lookup.objectAttributes());
        } else if (result instanceof Read3Res read) {
            add(found, read.request().file(), read.fileAttributes());
        } else if (result instanceof Write3Res write) {
            add(found, write.request().file(), write.fileWcc());
        } else if (result instanceof Setattr3Res setattr) {
            add(found, setattr.request().object(), setattr.objectWcc());
        } else if (result instanceof Commit3Res commit) {
            add(found, commit.request().file(), commit.fileWcc());
        } else if (result instanceof Create3Res create) {
            add(found, create.object(), create.objectAttributes());
        } else if (result instanceof Readdirplus3Res readdir) {
            for (Entryplus3 entry : readdir.entries()) {
                add(found, entry.handle(), entry.attributes());
            }
        } else if (result instanceof Compound4Res compound) {
            for (CompoundFileFlow.Step step : CompoundFileFlow.of(compound).steps()) {
                if (step.result() instanceof Nfs4ResOp.Getattr getattr && getattr.attributes() != null
                        && step.currentFh() != null && shows(getattr.attributes())) {
                    Fattr4 attributes = getattr.attributes();
                    found.add(new Version(step.currentFh(), attributes.timeModify(), attributes.timeMetadata(),
                            attributes.change(), attributes.size()));
                }
            }
        }
        return found;
    }

    /**
     * Whether NFSv4 attributes show a version: the change attribute, or (for clients that never ask
     * for it, such as libnfs) both time_modify and time_metadata, like NFSv3's mtime and ctime.
     */
    private static boolean shows(Fattr4 attributes) {
        return attributes.change() != null || (attributes.timeModify() != null && attributes.timeMetadata() != null);
    }

    private static boolean readOnly(Nfs4ArgOp operation) {
        return NFS4_READ_ONLY.contains(operation.op())
                || operation instanceof Nfs4ArgOp.Open open && !open.create();
    }

    private static void add(List<Version> found, FileHandle file, WccData wcc) {
        if (wcc != null) {
            add(found, file, wcc.after());
        }
    }

    private static void add(List<Version> found, FileHandle file, Fattr3 attributes) {
        if (file != null && attributes != null) {
            found.add(new Version(file, attributes.mtime(), attributes.ctime(), null, attributes.size()));
        }
    }
}
