package io.wanopt.protocols.nfs.v3;

import io.wanopt.protocols.nfs.NfsTime;

/** RFC 1813 §2.6 {@code wcc_attr}: the attributes a file had before an operation changed it. */
public record WccAttr(long size, NfsTime mtime, NfsTime ctime) {
}
