package io.wanopt.protocols.nfs.v3;

import io.wanopt.protocols.nfs.NfsResult;
import io.wanopt.protocols.oncrpc.PayloadRange;

/**
 * RFC 1813 §3.3.6 {@code READ3res}. The file and its offset come from the call ({@code request}); the
 * data stays in the record: {@code data} says where (file offset of its first byte: {@code request.offset()}).
 *
 * @param fileAttributes {@code post_op_attr}, null unless sent
 * @param count          bytes read (NFS3_OK), else -1
 * @param eof            end of file reached (NFS3_OK)
 * @param data           the data's place in the record payload (NFS3_OK), else null
 */
public record Read3Res(Read3Args request, Nfs3Status status, Fattr3 fileAttributes, long count, boolean eof,
        PayloadRange data) implements NfsResult {
}
