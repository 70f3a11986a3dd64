package io.wanopt.protocols.smb;

/**
 * An open file as its CREATE exchange named it: what READ, WRITE and CLOSE with its FileId refer to.
 *
 * @param fileId    the FileId the CREATE response gave
 * @param name      the name the CREATE request asked for, relative to the share ("" for its root)
 * @param share     the share path of the TREE_CONNECT ("\\server\share"), or null when that was not seen
 * @param sessionId the session that opened it
 * @param treeId    the tree it was opened in
 */
public record OpenFile(FileId fileId, String name, String share, long sessionId, int treeId) {
}
