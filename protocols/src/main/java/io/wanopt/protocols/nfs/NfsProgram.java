package io.wanopt.protocols.nfs;

/** The RPC programs and versions {@link NfsConversation} decodes, and everything else. */
public enum NfsProgram {
    /** Program 100003 version 3 (RFC 1813). */
    NFS_V3,
    /** Program 100003 version 4, any minor version (RFC 7530, RFC 8881). */
    NFS_V4,
    /** Program 100005 version 3 (RFC 1813 Appendix I). */
    MOUNT_V3,
    /** Anything else (NLM, portmapper, NFSv2, NFSv4 callbacks, ...). */
    OTHER;

    /** RPC program number of NFS. */
    public static final long NFS_PROGRAM = 100_003;
    /** RPC program number of MOUNT. */
    public static final long MOUNT_PROGRAM = 100_005;

    /** The program of an RPC call's {@code prog} and {@code vers}. */
    public static NfsProgram of(long program, long version) {
        if (program == NFS_PROGRAM && version == 3) {
            return NFS_V3;
        }
        if (program == NFS_PROGRAM && version == 4) {
            return NFS_V4;
        }
        if (program == MOUNT_PROGRAM && version == 3) {
            return MOUNT_V3;
        }
        return OTHER;
    }
}
