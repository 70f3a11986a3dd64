package io.wanopt.protocols.nfs.v3;

import io.wanopt.protocols.nfs.NfsTime;

/**
 * RFC 1813 §2.6 {@code sattr3}: attributes to set. A null number is "do not change".
 *
 * @param size       new size (truncation or extension), or null
 * @param setsAtime  whether the access time is set (to {@code atime}, or to server time when that is null)
 * @param setsMtime  whether the modification time is set (to {@code mtime}, or to server time when that is null)
 */
public record Sattr3(Long mode, Long uid, Long gid, Long size, boolean setsAtime, NfsTime atime, boolean setsMtime,
        NfsTime mtime) {
}
