package io.wanopt.protocols.nfs.v3;

import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.NfsArguments;

/** RFC 1813 §3.3.21 {@code COMMIT3args}: a count of 0 means to the end of the file. */
public record Commit3Args(FileHandle file, long offset, long count) implements NfsArguments {
}
