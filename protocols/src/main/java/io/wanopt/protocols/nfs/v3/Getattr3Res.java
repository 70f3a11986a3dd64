package io.wanopt.protocols.nfs.v3;

import io.wanopt.protocols.nfs.NfsResult;

/**
 * RFC 1813 §3.3.1 {@code GETATTR3res}.
 *
 * @param request    the call it answers
 * @param attributes {@code obj_attributes} when the status is NFS3_OK, else null
 */
public record Getattr3Res(Getattr3Args request, Nfs3Status status, Fattr3 attributes) implements NfsResult {
}
