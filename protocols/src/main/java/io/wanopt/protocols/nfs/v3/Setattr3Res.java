package io.wanopt.protocols.nfs.v3;

import io.wanopt.protocols.nfs.NfsResult;

/** RFC 1813 §3.3.2 {@code SETATTR3res}: {@code obj_wcc} in both arms. */
public record Setattr3Res(Setattr3Args request, Nfs3Status status, WccData objectWcc) implements NfsResult {
}
