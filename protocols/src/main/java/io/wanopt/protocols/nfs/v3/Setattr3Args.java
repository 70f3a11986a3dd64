package io.wanopt.protocols.nfs.v3;

import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.NfsArguments;
import io.wanopt.protocols.nfs.NfsTime;

/**
 * RFC 1813 §3.3.2 {@code SETATTR3args}.
 *
 * @param guardCtime {@code sattrguard3}: the ctime the object must still have, or null without a guard
 */
public record Setattr3Args(FileHandle object, Sattr3 newAttributes, NfsTime guardCtime) implements NfsArguments {
}
