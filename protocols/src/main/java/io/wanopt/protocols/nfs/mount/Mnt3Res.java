package io.wanopt.protocols.nfs.mount;

import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.NfsResult;
import io.wanopt.protocols.oncrpc.AuthFlavor;
import java.util.List;

/**
 * RFC 1813 Appendix I §5.2.1 {@code mountres3}: with MNT3_OK, the root handle of {@code request.dirPath()}
 * and the auth flavors the server accepts for it.
 *
 * @param root        {@code fhandle3}, null unless MNT3_OK
 * @param authFlavors empty unless MNT3_OK
 */
public record Mnt3Res(Mnt3Args request, MountStat3 status, FileHandle root, List<AuthFlavor> authFlavors)
        implements NfsResult {

    public Mnt3Res {
        authFlavors = List.copyOf(authFlavors);
    }
}
