package io.wanopt.protocols.nfs.v3;

import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.NfsArguments;

/** RFC 1813 §3.3.17 {@code READDIRPLUS3args}. */
public record Readdirplus3Args(FileHandle dir, long cookie, long cookieVerifier, long dirCount, long maxCount)
        implements NfsArguments {
}
