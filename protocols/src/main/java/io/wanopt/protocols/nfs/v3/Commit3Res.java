package io.wanopt.protocols.nfs.v3;

import io.wanopt.protocols.nfs.NfsResult;

/**
 * RFC 1813 §3.3.21 {@code COMMIT3res}.
 *
 * @param verifier {@code writeverf3} (NFS3_OK), else 0
 */
public record Commit3Res(Commit3Args request, Nfs3Status status, WccData fileWcc, long verifier) implements NfsResult {
}
