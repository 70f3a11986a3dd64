package io.wanopt.protocols.nfs;

import io.netty.buffer.ByteBuf;
import io.wanopt.protocols.TrackedBuffers;

/** Decodes builder-made payloads through an {@link NfsConversation}, releasing the buffers. */
public final class Conversations {

    private Conversations() {
    }

    public static NfsConversation create() {
        return new NfsConversation(NfsLimits.defaults(), 64);
    }

    public static NfsCall call(NfsConversation conversation, byte[] payload) {
        return (NfsCall) decode(conversation, payload);
    }

    public static NfsReply reply(NfsConversation conversation, byte[] payload) {
        return (NfsReply) decode(conversation, payload);
    }

    public static NfsMessage decode(NfsConversation conversation, byte[] payload) {
        ByteBuf buf = TrackedBuffers.of(payload);
        try {
            return conversation.decode(buf);
        } finally {
            buf.release();
        }
    }
}
