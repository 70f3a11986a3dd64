package io.wanopt.protocols.smb;

/**
 * Caps on what the SMB parsers accept and what a {@link SmbConversation} keeps, beyond the frame length
 * the {@link DirectTcpFramer} caps. Every length and offset is also checked against its message.
 *
 * @param maxCompoundMessages messages compounded in one frame; more is malformed
 * @param maxPendingRequests  requests awaiting a response; beyond it the oldest is evicted and counted
 * @param maxOpenFiles        FileId to name bindings kept; beyond it the oldest is evicted and counted
 * @param maxSessions         sessions kept (flags, signing, encryption)
 * @param maxTrees            tree connects kept (share path and flags)
 * @param maxNameLength       bytes of a UTF-16LE file name or share path; longer is malformed
 * @param maxListItems        dialects, negotiate contexts, algorithms or create contexts in one list; more
 *                            is malformed
 */
public record SmbLimits(int maxCompoundMessages, int maxPendingRequests, int maxOpenFiles, int maxSessions,
        int maxTrees, int maxNameLength, int maxListItems) {

    public SmbLimits {
        if (maxCompoundMessages < 1 || maxPendingRequests < 1 || maxOpenFiles < 1 || maxSessions < 1 || maxTrees < 1
                || maxNameLength < 2 || maxListItems < 1) {
            throw new IllegalArgumentException("invalid SMB limits: maxCompoundMessages=" + maxCompoundMessages
                    + " maxPendingRequests=" + maxPendingRequests + " maxOpenFiles=" + maxOpenFiles + " maxSessions="
                    + maxSessions + " maxTrees=" + maxTrees + " maxNameLength=" + maxNameLength + " maxListItems="
                    + maxListItems + " (all >= 1, maxNameLength >= 2)");
        }
    }

    /**
     * 128 compounded messages (Windows sends up to about 5), 8192 pending requests (Samba grants at most
     * 8192 credits), 2048 open files, 64 sessions, 256 trees, names of 4096 bytes (2048 UTF-16 code
     * units; Windows paths are up to 32767 but rarely over 260), 64 list items (clients offer 5 dialects).
     * Worst case a connection keeps about 8 MiB of names.
     */
    public static SmbLimits defaults() {
        return new SmbLimits(128, 8192, 2048, 64, 256, 4096, 64);
    }
}
