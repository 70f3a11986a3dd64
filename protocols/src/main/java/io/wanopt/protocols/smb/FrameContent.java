package io.wanopt.protocols.smb;

/**
 * What {@link SmbConversation#decode} found in one frame: SMB2 messages, or the values of a frame that is
 * carried on untouched and counted (encrypted, compressed, SMB1, unknown).
 */
public sealed interface FrameContent permits Smb2Compound, TransformHeader, CompressionTransformHeader, Smb1Message,
        UnknownProtocol {

    FrameKind kind();
}
