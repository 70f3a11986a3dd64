package io.wanopt.protocols.smb;

/**
 * A frame whose message is none of the SMB protocols (or shorter than a protocol identifier), carried on
 * as generic bytes.
 *
 * @param length the message length
 */
public record UnknownProtocol(int length) implements FrameContent {

    @Override
    public FrameKind kind() {
        return FrameKind.UNKNOWN;
    }
}
