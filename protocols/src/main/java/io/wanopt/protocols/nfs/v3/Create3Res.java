package io.wanopt.protocols.nfs.v3;

import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.NfsResult;

/**
 * RFC 1813 §3.3.8 {@code CREATE3res}.
 *
 * @param object           {@code post_op_fh3}, null unless NFS3_OK and sent
 * @param objectAttributes null unless NFS3_OK and sent
 */
public record Create3Res(Create3Args request, Nfs3Status status, FileHandle object, Fattr3 objectAttributes,
        WccData dirWcc) implements NfsResult {
}
