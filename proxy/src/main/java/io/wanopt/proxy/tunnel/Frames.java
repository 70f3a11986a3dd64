package io.wanopt.proxy.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.wanopt.cache.ChunkId;
import io.wanopt.proxy.follow.ReadAheadMessage;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds tunnel frames ({@link FrameType}). */
final class Frames {

    private Frames() {
    }

    static ByteBuf hello(ByteBufAllocator alloc, String applianceId, byte[] epoch) {
        ByteBuf buf = start(alloc, FrameType.HELLO, 64);
        buf.writeByte(FrameType.PROTOCOL_VERSION);
        writeString(buf, applianceId);
        buf.writeBytes(epoch);
        return finish(buf);
    }

    /** OPEN: the target (host, port), then the client's address (length 4 or 16, then its bytes; length 0: unknown). */
    static ByteBuf open(ByteBufAllocator alloc, int flowId, String host, int port, InetAddress client) {
        ByteBuf buf = flowStart(alloc, FrameType.OPEN, flowId, 64);
        writeString(buf, host);
        buf.writeShort(port);
        byte[] address = client == null ? new byte[0] : client.getAddress();
        buf.writeByte(address.length);
        buf.writeBytes(address);
        return finish(buf);
    }

    static ByteBuf readAhead(ByteBufAllocator alloc, int flowId, ReadAheadMessage message) {
        if (message instanceof ReadAheadMessage.Call call) {
            ByteBuf buf = flowStart(alloc, FrameType.READ_AHEAD_CALL, flowId, call.payload().length);
            buf.writeBytes(call.payload());
            return finish(buf);
        }
        if (message instanceof ReadAheadMessage.Reply reply) {
            ByteBuf buf = flowStart(alloc, FrameType.READ_AHEAD_REPLY, flowId, 16);
            buf.writeInt(reply.xid());
            buf.writeLong(reply.streamOffset());
            buf.writeInt(reply.length());
            return finish(buf);
        }
        if (message instanceof ReadAheadMessage.Dropped dropped) {
            ByteBuf buf = flowStart(alloc, FrameType.READ_AHEAD_DROPPED, flowId, 4);
            buf.writeInt(dropped.xid());
            return finish(buf);
        }
        if (message instanceof ReadAheadMessage.Ready) {
            return finish(flowStart(alloc, FrameType.READ_AHEAD_READY, flowId, 0));
        }
        ReadAheadMessage.Done done = (ReadAheadMessage.Done) message;
        ByteBuf buf = flowStart(alloc, FrameType.READ_AHEAD_DONE, flowId, 5);
        buf.writeInt(done.xid());
        buf.writeByte(done.outcome().ordinal());
        return finish(buf);
    }

    /** The read-ahead message in a READ_AHEAD_* frame's payload; null when malformed. */
    static ReadAheadMessage readAhead(int type, ByteBuf in) {
        int length = in.readableBytes();
        switch (type) {
            case FrameType.READ_AHEAD_CALL -> {
                byte[] payload = new byte[length];
                in.readBytes(payload);
                return new ReadAheadMessage.Call(payload);
            }
            case FrameType.READ_AHEAD_REPLY -> {
                return length == 16 ? new ReadAheadMessage.Reply(in.readInt(), in.readLong(), in.readInt()) : null;
            }
            case FrameType.READ_AHEAD_DROPPED -> {
                return length == 4 ? new ReadAheadMessage.Dropped(in.readInt()) : null;
            }
            case FrameType.READ_AHEAD_READY -> {
                return length == 0 ? new ReadAheadMessage.Ready() : null;
            }
            case FrameType.READ_AHEAD_DONE -> {
                if (length != 5) {
                    return null;
                }
                int xid = in.readInt();
                ReadAheadMessage.Outcome outcome = ReadAheadMessage.Outcome.of(in.readUnsignedByte());
                return outcome == null ? null : new ReadAheadMessage.Done(xid, outcome);
            }
            default -> {
                return null;
            }
        }
    }

    /** A DATA frame around {@code body}, whose ownership passes to the frame. */
    static ByteBuf data(ByteBufAllocator alloc, int flowId, ByteBuf body) {
        ByteBuf header = alloc.buffer(9);
        header.writeInt(1 + 4 + body.readableBytes());
        header.writeByte(FrameType.DATA);
        header.writeInt(flowId);
        CompositeByteBuf frame = alloc.compositeBuffer(2);
        frame.addComponents(true, header, body);
        return frame;
    }

    static ByteBuf fin(ByteBufAllocator alloc, int flowId) {
        return finish(flowStart(alloc, FrameType.FIN, flowId, 0));
    }

    static ByteBuf reset(ByteBufAllocator alloc, int flowId, String reason) {
        ByteBuf buf = flowStart(alloc, FrameType.RESET, flowId, 32);
        writeString(buf, reason);
        return finish(buf);
    }

    static ByteBuf credit(ByteBufAllocator alloc, int flowId, int written, int growth) {
        ByteBuf buf = flowStart(alloc, FrameType.CREDIT, flowId, 8);
        buf.writeInt(written);
        buf.writeInt(growth);
        return finish(buf);
    }

    static ByteBuf chunkRequest(ByteBufAllocator alloc, int flowId, ChunkId id) {
        ByteBuf buf = flowStart(alloc, FrameType.CHUNK_REQUEST, flowId, ChunkId.LENGTH);
        id.writeTo(buf);
        return finish(buf);
    }

    static ByteBuf chunkData(ByteBufAllocator alloc, int flowId, ChunkId id, byte[] bytes) {
        ByteBuf buf = flowStart(alloc, FrameType.CHUNK_DATA, flowId, ChunkId.LENGTH + bytes.length);
        id.writeTo(buf);
        buf.writeBytes(bytes);
        return finish(buf);
    }

    static ByteBuf ping(ByteBufAllocator alloc, int type, long nanos) {
        ByteBuf buf = start(alloc, type, 8);
        buf.writeLong(nanos);
        return finish(buf);
    }

    /** HAVE: chunks this side holds. */
    static ByteBuf have(ByteBufAllocator alloc, List<ChunkId> ids) {
        ByteBuf buf = start(alloc, FrameType.HAVE, ids.size() * ChunkId.LENGTH);
        for (ChunkId id : ids) {
            id.writeTo(buf);
        }
        return finish(buf);
    }

    /** What an OPEN frame asks for; {@code client} is null when the sender did not know it. */
    record Open(String host, int port, InetAddress client) {
    }

    /** The OPEN frame's payload, or null when malformed. */
    static Open readOpen(ByteBuf in, int maxHostLength) {
        String host = readString(in, maxHostLength);
        if (host == null || in.readableBytes() < 3) {
            return null;
        }
        int port = in.readUnsignedShort();
        int addressLength = in.readUnsignedByte();
        if (addressLength != 0 && addressLength != 4 && addressLength != 16 || in.readableBytes() != addressLength) {
            return null;
        }
        byte[] address = new byte[addressLength];
        in.readBytes(address);
        try {
            return new Open(host, port, addressLength == 0 ? null : InetAddress.getByAddress(address));
        } catch (UnknownHostException e) {
            throw new AssertionError("a 4- or 16-byte address is always valid", e);
        }
    }

    /** Reads a u16-length UTF-8 string of at most {@code max} bytes; null when it is not all there. */
    static String readString(ByteBuf in, int max) {
        if (in.readableBytes() < 2) {
            return null;
        }
        int length = in.readUnsignedShort();
        if (length > max || in.readableBytes() < length) {
            return null;
        }
        return in.readCharSequence(length, StandardCharsets.UTF_8).toString();
    }

    private static void writeString(ByteBuf buf, String value) {
        int lengthIndex = buf.writerIndex();
        buf.writeShort(0);
        int written = ByteBufUtil.writeUtf8(buf, value);
        buf.setShort(lengthIndex, written);
    }

    private static ByteBuf start(ByteBufAllocator alloc, int type, int payloadHint) {
        ByteBuf buf = alloc.buffer(5 + payloadHint);
        buf.writeInt(0);
        buf.writeByte(type);
        return buf;
    }

    private static ByteBuf flowStart(ByteBufAllocator alloc, int type, int flowId, int payloadHint) {
        ByteBuf buf = start(alloc, type, 4 + payloadHint);
        buf.writeInt(flowId);
        return buf;
    }

    private static ByteBuf finish(ByteBuf buf) {
        buf.setInt(0, buf.readableBytes() - 4);
        return buf;
    }
}
