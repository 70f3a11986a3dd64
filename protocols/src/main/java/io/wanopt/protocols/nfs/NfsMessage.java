package io.wanopt.protocols.nfs;

/** One decoded RPC record of an NFS connection: an {@link NfsCall} or an {@link NfsReply}. */
public sealed interface NfsMessage permits NfsCall, NfsReply {

    /** The RPC transaction id. */
    int xid();

    /** Whether the parsers followed it ({@link NotUnderstood} arguments or results: no). */
    boolean isUnderstood();
}
