package io.wanopt.proxy.tunnel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.wanopt.cache.ChunkId;
import io.wanopt.protocols.MalformedInputException;
import io.wanopt.proxy.follow.ReadAheadMessage;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TunnelFrameDecoderTest {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    /** A HELLO, an OPEN, a DATA, a CREDIT, a CHUNK_REQUEST and a PING, back to back. */
    private static byte[] sampleStream() {
        List<ByteBuf> frames = new ArrayList<>();
        frames.add(Frames.hello(ALLOC, "branch-1", new byte[16]));
        frames.add(Frames.open(ALLOC, 2, "fileserver.example", 445, InetAddress.getLoopbackAddress()));
        frames.add(Frames.data(ALLOC, 2, Unpooled.wrappedBuffer(new byte[] {0, 1, 0, 10, 0, 0})));
        frames.add(Frames.credit(ALLOC, 2, 65536, 1024));
        frames.add(Frames.chunkRequest(ALLOC, 2, ChunkId.of(new byte[] {1, 2, 3}, 0, 3)));
        frames.add(Frames.ping(ALLOC, FrameType.PING, 123456789L));
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf frame : frames) {
            all.writeBytes(frame);
            frame.release();
        }
        byte[] bytes = new byte[all.readableBytes()];
        all.readBytes(bytes);
        all.release();
        return bytes;
    }

    @Test
    void readAheadMessagesCrossAsFlowFramesAndMalformedOnesAreRefused() {
        List<ReadAheadMessage> messages = List.of(new ReadAheadMessage.Reply(7, 1L << 40, 1 << 20),
                new ReadAheadMessage.Dropped(-3), new ReadAheadMessage.Done(9, ReadAheadMessage.Outcome.ASKED),
                new ReadAheadMessage.Ready());
        EmbeddedChannel channel = new EmbeddedChannel(new TunnelFrameDecoder(4096));
        for (ReadAheadMessage message : messages) {
            channel.writeInbound(Frames.readAhead(ALLOC, 5, message));
            TunnelFrame frame = channel.readInbound();
            assertEquals(5, frame.flowId);
            assertEquals(message, Frames.readAhead(frame.type, frame.content()));
            frame.release();
        }
        byte[] call = {1, 2, 3, 4, 5};
        channel.writeInbound(Frames.readAhead(ALLOC, 5, new ReadAheadMessage.Call(call)));
        TunnelFrame frame = channel.readInbound();
        assertArrayEquals(call, ((ReadAheadMessage.Call) Frames.readAhead(frame.type, frame.content())).payload());
        frame.release();
        channel.finishAndReleaseAll();

        ByteBuf shortReply = ALLOC.buffer().writeInt(7).writeInt(0);
        assertNull(Frames.readAhead(FrameType.READ_AHEAD_REPLY, shortReply));
        shortReply.release();
        ByteBuf unknownOutcome = ALLOC.buffer().writeInt(9).writeByte(99);
        assertNull(Frames.readAhead(FrameType.READ_AHEAD_DONE, unknownOutcome));
        unknownOutcome.release();
    }

    @Test
    void openNamesTheClientWhenKnownAndMalformedOnesAreRefused() throws Exception {
        InetAddress v6 = InetAddress.getByName("2001:db8::7");
        for (InetAddress client : new InetAddress[] {null, InetAddress.getByName("10.77.1.2"), v6}) {
            ByteBuf open = Frames.open(ALLOC, 9, "10.77.4.2", 2049, client);
            open.skipBytes(9);
            assertEquals(new Frames.Open("10.77.4.2", 2049, client), Frames.readOpen(open, 255));
            open.release();
        }
        for (byte[] payload : new byte[][] {{0, 1, 'h', 0, 80}, {0, 1, 'h', 0, 80, 4, 10, 0, 0}, {0, 1, 'h', 0, 80, 5, 1, 2, 3, 4, 5},
                {0, 1, 'h', 0, 80, 0, 9}, {0, 9, 'h'}}) {
            ByteBuf in = ALLOC.buffer().writeBytes(payload);
            assertNull(Frames.readOpen(in, 255));
            in.release();
        }
    }

    @Test
    void haveCarriesChunkIdsAsATunnelFrame() {
        List<ChunkId> ids = List.of(ChunkId.of(new byte[] {1}, 0, 1), ChunkId.of(new byte[] {2}, 0, 1));
        EmbeddedChannel channel = new EmbeddedChannel(new TunnelFrameDecoder(4096));
        channel.writeInbound(Frames.have(ALLOC, ids));
        TunnelFrame frame = channel.readInbound();
        assertEquals(FrameType.HAVE, frame.type);
        assertEquals(2 * ChunkId.LENGTH, frame.content().readableBytes());
        assertEquals(ids.get(0), ChunkId.read(frame.content()));
        assertEquals(ids.get(1), ChunkId.read(frame.content()));
        frame.release();
        assertFalse(channel.finish());
    }

    @Test
    void everySplitOfTheStreamGivesTheSameFrames() {
        byte[] stream = sampleStream();
        for (int piece = 1; piece <= stream.length; piece++) {
            EmbeddedChannel channel = new EmbeddedChannel(new TunnelFrameDecoder(1 << 20));
            for (int at = 0; at < stream.length; at += piece) {
                channel.writeInbound(Unpooled.wrappedBuffer(stream, at, Math.min(piece, stream.length - at)));
            }
            List<TunnelFrame> frames = new ArrayList<>();
            TunnelFrame frame;
            while ((frame = channel.readInbound()) != null) {
                frames.add(frame);
            }
            assertEquals(6, frames.size(), "piece size " + piece);
            assertEquals(FrameType.HELLO, frames.get(0).type);
            assertEquals(FrameType.OPEN, frames.get(1).type);
            assertEquals(2, frames.get(1).flowId);
            assertEquals(new Frames.Open("fileserver.example", 445, InetAddress.getLoopbackAddress()),
                    Frames.readOpen(frames.get(1).content(), 255));
            assertEquals(FrameType.DATA, frames.get(2).type);
            assertEquals(6, frames.get(2).content().readableBytes());
            assertEquals(FrameType.CREDIT, frames.get(3).type);
            assertEquals(65536, frames.get(3).content().readInt());
            assertEquals(1024, frames.get(3).content().readInt());
            assertEquals(FrameType.CHUNK_REQUEST, frames.get(4).type);
            assertEquals(ChunkId.LENGTH, frames.get(4).content().readableBytes());
            assertEquals(FrameType.PING, frames.get(5).type);
            assertEquals(123456789L, frames.get(5).content().readLong());
            long expectedOffset = 0;
            for (TunnelFrame f : frames) {
                assertEquals(expectedOffset, f.streamOffset);
                expectedOffset += f.wireLength;
                f.release();
            }
            assertEquals(stream.length, expectedOffset);
            assertFalse(channel.finish());
        }
    }

    @Test
    void aLengthOverTheCapIsRejectedWithValueLimitAndOffset() {
        EmbeddedChannel channel = new EmbeddedChannel(new TunnelFrameDecoder(1024));
        ByteBuf ping = Frames.ping(ALLOC, FrameType.PING, 1);
        channel.writeInbound(ping);
        TunnelFrame first = channel.readInbound();
        first.release();
        DecoderException e = assertThrows(MalformedInputException.class,
                () -> channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 0, 0x10, 0, 3})));
        assertTrue(e.getMessage().contains("4096"), e.getMessage());
        assertTrue(e.getMessage().contains("1024"), e.getMessage());
        assertTrue(e.getMessage().contains("offset 13"), e.getMessage());
        assertNull(channel.readInbound());
        channel.finishAndReleaseAll();
    }

    @Test
    void unknownTypesZeroLengthsAndShortFlowFramesAreMalformed() {
        byte[][] bad = {
            {0, 0, 0, 1, 99},
            {0, 0, 0, 0},
            {0, 0, 0, 3, FrameType.DATA, 0, 0},
        };
        for (byte[] input : bad) {
            EmbeddedChannel channel = new EmbeddedChannel(new TunnelFrameDecoder(1024));
            assertThrows(MalformedInputException.class, () -> channel.writeInbound(Unpooled.wrappedBuffer(input)));
            assertNull(channel.readInbound());
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void randomBytesGiveFramesOrMalformedInputAndNothingElse() {
        java.util.Random random = new java.util.Random(17);
        byte[] sample = sampleStream();
        for (int round = 0; round < 2000; round++) {
            byte[] input = sample.clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                input[random.nextInt(input.length)] = (byte) random.nextInt(256);
            }
            EmbeddedChannel channel = new EmbeddedChannel(new TunnelFrameDecoder(4096));
            try {
                channel.writeInbound(Unpooled.wrappedBuffer(input));
            } catch (MalformedInputException e) {
                // the only failure allowed
            }
            TunnelFrame frame;
            while ((frame = channel.readInbound()) != null) {
                assertTrue(frame.type >= FrameType.HELLO && frame.type <= FrameType.HAVE);
                frame.release();
            }
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void aPartialFrameWaitsWithoutConsumingInput() {
        EmbeddedChannel channel = new EmbeddedChannel(new TunnelFrameDecoder(1024));
        assertFalse(channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 9, FrameType.PING, 0, 0})));
        assertNull(channel.readInbound());
        assertTrue(channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 0, 0, 7})));
        TunnelFrame frame = channel.readInbound();
        assertEquals(7, frame.content().readLong());
        frame.release();
        assertFalse(channel.finish());
    }
}
