package io.wanopt.protocols.nfs.v3;

import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.NfsArguments;

/**
 * RFC 1813 §3.3.8 {@code CREATE3args}: {@code where} (directory, name) and {@code createhow3}.
 *
 * @param attributes UNCHECKED and GUARDED: initial attributes, else null
 * @param verifier   EXCLUSIVE: {@code createverf3}, else 0
 */
public record Create3Args(FileHandle dir, String name, CreateMode3 mode, Sattr3 attributes, long verifier)
        implements NfsArguments {
}
