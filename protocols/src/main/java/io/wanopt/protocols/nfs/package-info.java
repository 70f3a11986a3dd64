/**
 * Follows NFS traffic as far as a WAN optimizer needs: file handles and their names, READ and WRITE
 * (file, offset, count, where the data lies in the record), attributes that reveal a change, COMMIT,
 * and the MOUNT protocol. {@link io.wanopt.protocols.nfs.NfsConversation} decodes one connection's
 * records and matches replies to calls; {@code v3}, {@code v4} and {@code mount} hold the messages;
 * {@link io.wanopt.protocols.nfs.FileBlockCuts} places dedupe cut points at file-block boundaries.
 * Whatever is not followed is reported as {@link io.wanopt.protocols.nfs.NotUnderstood}, never an error.
 */
package io.wanopt.protocols.nfs;
