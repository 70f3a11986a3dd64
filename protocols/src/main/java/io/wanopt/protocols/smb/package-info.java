/**
 * Follows SMB2 and SMB3 traffic ([MS-SMB2]) as far as a WAN optimizer needs, without changing a byte:
 * Direct TCP framing ({@link io.wanopt.protocols.smb.DirectTcpDecoder}, {@link io.wanopt.protocols.smb.DirectTcpFramer})
 * into {@link io.wanopt.protocols.smb.SmbFrame}s classified by protocol id (SMB2, encrypted, compressed,
 * SMB1); the SMB2 header and compounded chains; NEGOTIATE, SESSION_SETUP, TREE_CONNECT, CREATE, READ,
 * WRITE and CLOSE, one record per message; and {@link io.wanopt.protocols.smb.SmbConversation}, which
 * matches responses to requests, names files by FileId and tells whether a session is signed or
 * encrypted. READ and WRITE data is referenced as a {@link io.wanopt.protocols.smb.FrameRange}, never
 * copied. Other commands are reported as {@link io.wanopt.protocols.smb.NotUnderstood}, never an error;
 * input that breaks the specification throws {@link io.wanopt.protocols.MalformedInputException}.
 */
package io.wanopt.protocols.smb;
