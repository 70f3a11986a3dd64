package io.wanopt.protocols.nfs.v3;

import io.wanopt.protocols.nfs.NfsResult;
import java.util.List;

/**
 * RFC 1813 §3.3.17 {@code READDIRPLUS3res}.
 *
 * @param dirAttributes  null unless sent
 * @param cookieVerifier NFS3_OK: {@code cookieverf3}
 * @param entries        NFS3_OK: the entries, in order (empty otherwise)
 * @param eof            NFS3_OK: the listing reached the end of the directory
 * @param complete       false when entries past {@link io.wanopt.protocols.nfs.NfsLimits#maxDirectoryEntries()}
 *                       were left unread (then {@code eof} is false too)
 */
public record Readdirplus3Res(Readdirplus3Args request, Nfs3Status status, Fattr3 dirAttributes, long cookieVerifier,
        List<Entryplus3> entries, boolean eof, boolean complete) implements NfsResult {

    public Readdirplus3Res {
        entries = List.copyOf(entries);
    }
}
