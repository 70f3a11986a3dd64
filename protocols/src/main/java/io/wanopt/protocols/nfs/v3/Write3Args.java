package io.wanopt.protocols.nfs.v3;

import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.NfsArguments;
import io.wanopt.protocols.nfs.StableHow;
import io.wanopt.protocols.oncrpc.PayloadRange;

/**
 * RFC 1813 §3.3.7 {@code WRITE3args}. The data stays in the record: {@code data} says where (its first
 * byte goes to file offset {@code offset}).
 *
 * @param count bytes to write as declared (RFC 1813: may be less than the data sent)
 */
public record Write3Args(FileHandle file, long offset, long count, StableHow stable, PayloadRange data)
        implements NfsArguments {
}
