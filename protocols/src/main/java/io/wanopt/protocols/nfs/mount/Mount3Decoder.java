package io.wanopt.protocols.nfs.mount;

import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.NfsArguments;
import io.wanopt.protocols.nfs.NfsLimits;
import io.wanopt.protocols.nfs.NfsResult;
import io.wanopt.protocols.nfs.NotUnderstood;
import io.wanopt.protocols.oncrpc.AuthFlavor;
import io.wanopt.protocols.oncrpc.XdrReader;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes MOUNT version 3 MNT calls and replies (RFC 1813 Appendix I); every other procedure gives
 * {@link NotUnderstood} ({@link NotUnderstood.Reason#NOT_FOLLOWED}).
 */
public final class Mount3Decoder {

    /** More flavors than any server offers; the count is also checked against the record. */
    private static final int MAX_AUTH_FLAVORS = 64;

    private Mount3Decoder() {
    }

    /** The arguments of a {@code procedure} call at {@code xdr}'s position. */
    public static NfsArguments decodeCall(Mount3Procedure procedure, XdrReader xdr, NfsLimits limits) {
        if (!procedure.equals(Mount3Procedure.MNT)) {
            return notFollowed(procedure);
        }
        return new Mnt3Args(xdr.readString("MNT dirpath", limits.maxPathLength()));
    }

    /** The results of a successful {@code procedure} reply, given its call's arguments. */
    public static NfsResult decodeReply(Mount3Procedure procedure, NfsArguments request, XdrReader xdr,
            NfsLimits limits) {
        if (request instanceof NotUnderstood notUnderstood) {
            return notUnderstood;
        }
        if (!procedure.equals(Mount3Procedure.MNT)) {
            return notFollowed(procedure);
        }
        MountStat3 status = MountStat3.valueOf(xdr.readInt("mountres3.fhs_status"));
        if (!status.isOk()) {
            return new Mnt3Res((Mnt3Args) request, status, null, List.of());
        }
        FileHandle root = FileHandle.read(xdr, "mountres3_ok.fhandle", FileHandle.NFS3_MAX_LENGTH);
        int count = xdr.readCount("mountres3_ok.auth_flavors", MAX_AUTH_FLAVORS, 4);
        List<AuthFlavor> flavors = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            flavors.add(AuthFlavor.valueOf(xdr.readInt("mountres3_ok.auth_flavors")));
        }
        return new Mnt3Res((Mnt3Args) request, status, root, flavors);
    }

    private static NotUnderstood notFollowed(Mount3Procedure procedure) {
        return new NotUnderstood(NotUnderstood.Reason.NOT_FOLLOWED, "MOUNTv3 " + procedure);
    }
}
