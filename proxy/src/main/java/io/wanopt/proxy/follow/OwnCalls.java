package io.wanopt.proxy.follow;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.wanopt.protocols.nfs.NfsConversation;
import io.wanopt.protocols.oncrpc.RpcRecord;
import io.wanopt.protocols.oncrpc.RpcRecordFramer;

/** RPC calls of the appliance's own (read-ahead, SmartRead map reads) written to the server. */
final class OwnCalls {

    private OwnCalls() {
    }

    /**
     * Writes the call {@code payload} to the server as one record, between the client's records; the
     * conversation learns it first, so that its reply is decoded like the client's.
     */
    static void send(NfsConversation conversation, ByteBufAllocator allocator, FollowedFlow flow, byte[] payload) {
        conversation.decode(Unpooled.wrappedBuffer(payload));
        ByteBuf record = allocator.buffer(RpcRecord.FRAGMENT_HEADER_LENGTH + payload.length);
        record.writeInt(RpcRecordFramer.LAST_FRAGMENT | payload.length);
        record.writeBytes(payload);
        flow.writeRecord(record);
    }
}
