package io.wanopt.protocols.nfs.v3;

import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.NfsArguments;

/** RFC 1813 §3.3.3 {@code LOOKUP3args}: {@code diropargs3} (directory and name). */
public record Lookup3Args(FileHandle dir, String name) implements NfsArguments {
}
