package io.wanopt.protocols.nfs.v3;

import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.NfsArguments;

/**
 * RFC 1813 §3.3.6 {@code READ3args}.
 *
 * @param offset file offset ({@code offset3}, unsigned 64-bit)
 * @param count  bytes asked for
 */
public record Read3Args(FileHandle file, long offset, long count) implements NfsArguments {
}
