package io.wanopt.protocols.nfs.v3;

import io.wanopt.protocols.nfs.NfsTime;

/**
 * RFC 1813 §2.6 {@code fattr3}: a file's attributes. {@code size} and {@code mtime}/{@code ctime} are
 * what reveal that cached data went stale.
 *
 * @param type {@code ftype3}: 1 regular, 2 directory, 3 block, 4 character, 5 link, 6 socket, 7 FIFO
 */
public record Fattr3(int type, long mode, long nlink, long uid, long gid, long size, long used, long fsid,
        long fileId, NfsTime atime, NfsTime mtime, NfsTime ctime) {

    /** Encoded size: fixed. */
    public static final int LENGTH = 84;
}
