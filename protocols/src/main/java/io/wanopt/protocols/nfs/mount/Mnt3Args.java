package io.wanopt.protocols.nfs.mount;

import io.wanopt.protocols.nfs.NfsArguments;

/** RFC 1813 Appendix I §5.2.1 MNT arguments: {@code dirpath} (the exported path asked for). */
public record Mnt3Args(String dirPath) implements NfsArguments {
}
