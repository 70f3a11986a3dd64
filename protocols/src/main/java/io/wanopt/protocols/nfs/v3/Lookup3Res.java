package io.wanopt.protocols.nfs.v3;

import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.NfsResult;

/**
 * RFC 1813 §3.3.3 {@code LOOKUP3res}: with NFS3_OK, the handle of {@code request.name()} in
 * {@code request.dir()}.
 *
 * @param object           the handle found, null unless NFS3_OK
 * @param objectAttributes null unless NFS3_OK and sent
 * @param dirAttributes    null unless sent
 */
public record Lookup3Res(Lookup3Args request, Nfs3Status status, FileHandle object, Fattr3 objectAttributes,
        Fattr3 dirAttributes) implements NfsResult {
}
