package io.wanopt.protocols.smb;

/**
 * A tree connect as its TREE_CONNECT exchange set it up.
 *
 * @param path      the share path asked for, or null when the request was not seen or used an extension
 * @param response  the TREE_CONNECT response (share type, flags)
 */
public record SmbTree(long sessionId, int treeId, String path, TreeConnectResponse response) {

    /** Whether the share requires encryption of the tree's messages. */
    public boolean encryptData() {
        return response.encryptData();
    }
}
