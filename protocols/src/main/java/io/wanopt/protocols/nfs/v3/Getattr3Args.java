package io.wanopt.protocols.nfs.v3;

import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.NfsArguments;

/** RFC 1813 §3.3.1 {@code GETATTR3args}. */
public record Getattr3Args(FileHandle object) implements NfsArguments {
}
