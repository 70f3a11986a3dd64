package io.wanopt.protocols.nfs.v3;

import io.wanopt.protocols.nfs.FileHandle;

/**
 * RFC 1813 §3.3.17 {@code entryplus3}: a directory entry with, when the server sent them, its
 * attributes and handle (null otherwise).
 */
public record Entryplus3(long fileId, String name, long cookie, Fattr3 attributes, FileHandle handle) {
}
