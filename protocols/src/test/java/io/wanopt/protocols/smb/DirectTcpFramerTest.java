package io.wanopt.protocols.smb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.TrackedBuffers;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DirectTcpFramerTest {

    @Test
    void pollReturnsNullUntilTheWholeFrameIsThereThenConsumesIt() {
        byte[] frame = Smb2Builder.transport(HexFormat.of().parseHex("fe534d42" + "00".repeat(60)));
        ByteBuf in = TrackedBuffers.of(frame, 0, 3);
        try {
            DirectTcpFramer framer = new DirectTcpFramer();
            assertNull(framer.poll(in));
            in.writeBytes(frame, 3, frame.length - 4);
            assertNull(framer.poll(in));
            assertEquals(0, in.readerIndex());
            in.writeBytes(frame, frame.length - 1, 1).writeByte(0);
            SmbFrame framed = framer.poll(in);
            try {
                assertEquals(FrameKind.SMB2, framed.kind());
                assertEquals(64, framed.messageLength());
                assertEquals(0, framed.streamOffset());
                assertEquals(ByteBufUtil.hexDump(frame), ByteBufUtil.hexDump(framed.wire()));
                assertEquals(ByteBufUtil.hexDump(frame, 4, 64), ByteBufUtil.hexDump(framed.message()));
            } finally {
                framed.release();
            }
            assertEquals(frame.length, in.readerIndex());
            assertNull(framer.poll(in));
        } finally {
            in.release();
        }
    }

    @Test
    void framesAreClassifiedByProtocolId() {
        assertKind(FrameKind.SMB2, "fe534d42");
        assertKind(FrameKind.ENCRYPTED, "fd534d42");
        assertKind(FrameKind.COMPRESSED, "fc534d42");
        assertKind(FrameKind.SMB1, "ff534d4272");
        assertKind(FrameKind.UNKNOWN, "fe534d43");
        assertKind(FrameKind.UNKNOWN, "fe534d");
        assertKind(FrameKind.UNKNOWN, "");
    }

    @Test
    void streamOffsetsCountEveryFrame() {
        byte[] first = Smb2Builder.transport(new byte[10]);
        byte[] second = Smb2Builder.transport(new byte[3]);
        ByteBuf in = TrackedBuffers.of(Smb2Builder.concat(first, second));
        try {
            DirectTcpFramer framer = new DirectTcpFramer();
            framer.poll(in).release();
            SmbFrame framed = framer.poll(in);
            assertEquals(14, framed.streamOffset());
            assertEquals(FrameKind.UNKNOWN, framed.kind());
            framed.release();
        } finally {
            in.release();
        }
    }

    @Test
    void headerErrorsLeaveTheInputAloneAndNameTheStreamOffset() {
        byte[] first = Smb2Builder.transport(new byte[8]);
        ByteBuf in = TrackedBuffers.of(Smb2Builder.concat(first, new byte[] {0, 0, 1, 1}));
        try {
            DirectTcpFramer framer = new DirectTcpFramer(256);
            framer.poll(in).release();
            MalformedInputException e = assertThrows(MalformedInputException.class, () -> framer.poll(in));
            assertEquals("SMB message length 257 exceeds 256 at offset 12", e.getMessage());
            assertEquals(first.length, in.readerIndex());
        } finally {
            in.release();
        }
        ByteBuf netbiosSessionRequest = TrackedBuffers.of(new byte[] {(byte) 0x81, 0, 0, 0x44});
        try {
            MalformedInputException e = assertThrows(MalformedInputException.class,
                    () -> new DirectTcpFramer().poll(netbiosSessionRequest));
            assertEquals("Direct TCP header first byte 129 is invalid (expected: 0) at offset 0", e.getMessage());
        } finally {
            netbiosSessionRequest.release();
        }
    }

    @Test
    void anEmptyNetbiosKeepAliveIsAFrameOfItsOwn() {
        ByteBuf in = TrackedBuffers.of(Smb2Builder.concat(new byte[] {(byte) 0x85, 0, 0, 0}, Smb2Builder.transport(
                new byte[] {(byte) 0xFE, 'S', 'M', 'B'})));
        try {
            DirectTcpFramer framer = new DirectTcpFramer();
            SmbFrame keepAlive = framer.poll(in);
            assertEquals(FrameKind.UNKNOWN, keepAlive.kind());
            assertEquals(0, keepAlive.messageLength());
            keepAlive.release();
            SmbFrame next = framer.poll(in);
            assertEquals(FrameKind.SMB2, next.kind());
            next.release();
        } finally {
            in.release();
        }
    }

    @Test
    void theLargestLengthTheFieldExpressesIsAwaitedByDefault() {
        ByteBuf in = TrackedBuffers.of(new byte[] {0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFE});
        try {
            assertNull(new DirectTcpFramer().poll(in));
            assertEquals(0, in.readerIndex());
        } finally {
            in.release();
        }
    }

    @Test
    void limitsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new DirectTcpFramer(-1));
        assertThrows(IllegalArgumentException.class, () -> new DirectTcpFramer(DirectTcpFramer.MAX_LENGTH_FIELD + 1));
        assertEquals(0xFF_FFFF, new DirectTcpFramer().maxMessageLength());
    }

    private static void assertKind(FrameKind expected, String messageHex) {
        ByteBuf in = TrackedBuffers.of(Smb2Builder.transport(HexFormat.of().parseHex(messageHex)));
        try {
            SmbFrame frame = new DirectTcpFramer().poll(in);
            assertEquals(expected, frame.kind(), messageHex);
            frame.release();
        } finally {
            in.release();
        }
    }
}
