package io.wanopt.protocols.oncrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.TrackedBuffers;
import org.junit.jupiter.api.Test;

class RpcRecordFramerTest {

    @Test
    void pollReturnsNullUntilTheLastFragmentThenConsumesTheRecord() {
        byte[] payload = new XdrWriter().u32(1).u32(2).u32(3).toBytes();
        byte[] record = XdrWriter.recordInFragments(payload, 4, 8);
        ByteBuf in = ByteBufAllocator.DEFAULT.heapBuffer();
        try {
            RpcRecordFramer framer = new RpcRecordFramer();
            in.writeBytes(record, 0, 10);
            assertNull(framer.poll(in));
            assertEquals(0, in.readerIndex());
            in.writeBytes(record, 10, record.length - 10);
            in.writeByte(0x80);
            RpcRecord framed = framer.poll(in);
            try {
                assertEquals(ByteBufUtil.hexDump(payload), ByteBufUtil.hexDump(framed.payload()));
                assertEquals(record.length, in.readerIndex());
                assertEquals(2, framed.fragmentCount());
            } finally {
                framed.release();
            }
            assertNull(framer.poll(in));
        } finally {
            in.release();
        }
    }

    @Test
    void errorsLeaveTheInputAloneAndNameTheStreamOffset() {
        byte[] first = XdrWriter.record(new byte[8]);
        byte[] bad = new XdrWriter().i32(0x8000_0000 | 65).toBytes();
        ByteBuf in = TrackedBuffers.of(XdrWriter.concat(first, bad));
        try {
            RpcRecordFramer framer = new RpcRecordFramer(64, 64, 4);
            framer.poll(in).release();
            MalformedInputException e = assertThrows(MalformedInputException.class, () -> framer.poll(in));
            assertEquals("RPC fragment length 65 exceeds 64 at offset 12", e.getMessage());
            assertEquals(first.length, in.readerIndex());
        } finally {
            in.release();
        }
    }

    @Test
    void limitsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new RpcRecordFramer(-1, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new RpcRecordFramer(10, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> new RpcRecordFramer(10, Integer.MAX_VALUE, 2));
    }
}
