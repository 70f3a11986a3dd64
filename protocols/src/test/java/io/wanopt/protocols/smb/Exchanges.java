package io.wanopt.protocols.smb;

import io.netty.buffer.ByteBuf;
import io.wanopt.protocols.TrackedBuffers;

/** Feeds hand-made frames to a conversation through a real framer, as the proxy will. */
final class Exchanges {

    private Exchanges() {
    }

    /** Decodes one whole frame ({@code bytes} must be exactly one); the frame is released afterwards. */
    static FrameContent decode(SmbConversation conversation, byte[] bytes) {
        ByteBuf in = TrackedBuffers.of(bytes);
        try {
            SmbFrame frame = new DirectTcpFramer().poll(in);
            if (frame == null || in.isReadable()) {
                if (frame != null) {
                    frame.release();
                }
                throw new IllegalArgumentException("not exactly one frame: " + bytes.length + " bytes");
            }
            try {
                return conversation.decode(frame);
            } finally {
                frame.release();
            }
        } finally {
            in.release();
        }
    }

    /** The messages of an SMB2 frame. */
    static java.util.List<Smb2Message> messages(SmbConversation conversation, byte[] bytes) {
        return ((Smb2Compound) decode(conversation, bytes)).messages();
    }

    /** The only message of an SMB2 frame. */
    static Smb2Message only(SmbConversation conversation, byte[] bytes) {
        java.util.List<Smb2Message> messages = messages(conversation, bytes);
        if (messages.size() != 1) {
            throw new AssertionError("expected one message, got " + messages);
        }
        return messages.get(0);
    }
}
