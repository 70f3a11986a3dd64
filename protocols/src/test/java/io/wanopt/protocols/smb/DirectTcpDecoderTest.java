package io.wanopt.protocols.smb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.TrackedBuffers;
import org.junit.jupiter.api.Test;

class DirectTcpDecoderTest {

    @Test
    void aBadHeaderPassesTheRestThroughUnchangedAndEverythingAfterIt() {
        byte[] good = Smb2Builder.transport(new byte[] {(byte) 0xFE, 'S', 'M', 'B', 1, 2});
        byte[] bad = {(byte) 0x85, 0, 0, 2, 9, 9};
        DirectTcpDecoder decoder = new DirectTcpDecoder();
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        assertThrows(MalformedInputException.class, () -> channel.writeInbound(TrackedBuffers.of(Smb2Builder.concat(good,
                bad))));
        assertTrue(decoder.isPassingThrough());
        SmbFrame frame = channel.readInbound();
        assertEquals(ByteBufUtil.hexDump(good), ByteBufUtil.hexDump(frame.wire()));
        frame.release();
        ByteBuf rest = channel.readInbound();
        assertEquals(ByteBufUtil.hexDump(bad), ByteBufUtil.hexDump(rest));
        rest.release();
        channel.writeInbound(TrackedBuffers.of(good));
        ByteBuf after = channel.readInbound();
        assertEquals(ByteBufUtil.hexDump(good), ByteBufUtil.hexDump(after));
        after.release();
        assertFalse(channel.finish());
    }

    @Test
    void anIncompleteFrameAtTheEndComesOutAsPlainBytes() {
        byte[] partial = {0, 0, 0, 9, (byte) 0xFE, 'S'};
        EmbeddedChannel channel = new EmbeddedChannel(new DirectTcpDecoder());
        assertFalse(channel.writeInbound(TrackedBuffers.of(partial)));
        assertTrue(channel.finish());
        ByteBuf rest = channel.readInbound();
        assertEquals(ByteBufUtil.hexDump(partial), ByteBufUtil.hexDump(rest));
        rest.release();
    }
}
