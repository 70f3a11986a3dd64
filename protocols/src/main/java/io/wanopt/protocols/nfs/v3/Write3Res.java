package io.wanopt.protocols.nfs.v3;

import io.wanopt.protocols.nfs.NfsResult;
import io.wanopt.protocols.nfs.StableHow;

/**
 * RFC 1813 §3.3.7 {@code WRITE3res}.
 *
 * @param count     bytes written (NFS3_OK), else -1
 * @param committed how stably (NFS3_OK), else null
 * @param verifier  {@code writeverf3} (NFS3_OK), else 0
 */
public record Write3Res(Write3Args request, Nfs3Status status, WccData fileWcc, long count, StableHow committed,
        long verifier) implements NfsResult {
}
