package io.wanopt.protocols.oncrpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.TrackedBuffers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RpcRecordDecoderTest {

    private static final byte[] PAYLOAD_A = randomBytes(1, 61);
    private static final byte[] PAYLOAD_B = randomBytes(2, 50);
    private static final byte[] PAYLOAD_C = randomBytes(3, 8);
    /** A one-fragment record, a record of 4 fragments (one empty), and a small one-fragment record. */
    private static final byte[] RECORD_A = XdrWriter.record(PAYLOAD_A);
    private static final byte[] RECORD_B = XdrWriter.recordInFragments(PAYLOAD_B, 10, 0, 33, 7);
    private static final byte[] RECORD_C = XdrWriter.record(PAYLOAD_C);
    private static final byte[] STREAM = XdrWriter.concat(RECORD_A, RECORD_B, RECORD_C);

    @Test
    void decodesTheSameRecordsWhateverTheChunkSize() {
        for (int chunk = 1; chunk <= STREAM.length; chunk++) {
            EmbeddedChannel channel = new EmbeddedChannel(new RpcRecordDecoder());
            writeInChunks(channel, STREAM, chunk);
            List<RpcRecord> records = readRecords(channel);
            try {
                assertEquals(3, records.size(), "chunk size " + chunk);
                assertRecord(records.get(0), RECORD_A, PAYLOAD_A, 1, 0);
                assertRecord(records.get(1), RECORD_B, PAYLOAD_B, 4, RECORD_A.length);
                assertRecord(records.get(2), RECORD_C, PAYLOAD_C, 1, RECORD_A.length + RECORD_B.length);
            } finally {
                records.forEach(RpcRecord::release);
            }
            assertFalse(channel.finish(), "no leftovers at chunk size " + chunk);
        }
    }

    @Test
    void payloadOfSeveralFragmentsIsACompositeOfTheWireBytes() {
        EmbeddedChannel channel = new EmbeddedChannel(new RpcRecordDecoder());
        channel.writeInbound(TrackedBuffers.of(RECORD_B));
        RpcRecord record = channel.readInbound();
        try {
            assertInstanceOf(CompositeByteBuf.class, record.payload());
            // fragments 10, 0, 33, 7: payload byte 10 follows three headers
            assertEquals(4 + 9, record.wireOffset(9));
            assertEquals(12 + 10, record.wireOffset(10));
            assertEquals(RECORD_B.length, record.wireOffset(PAYLOAD_B.length));
            List<RpcRecord.WireRange> ranges = record.wireRanges(new PayloadRange(5, 40));
            assertEquals(List.of(new RpcRecord.WireRange(9, 5), new RpcRecord.WireRange(22, 33),
                    new RpcRecord.WireRange(59, 2)), ranges);
            byte[] joined = new byte[0];
            for (RpcRecord.WireRange range : ranges) {
                joined = XdrWriter.concat(joined, Arrays.copyOfRange(RECORD_B, range.offset(), range.offset() + range.length()));
            }
            assertArrayEquals(Arrays.copyOfRange(PAYLOAD_B, 5, 45), joined);
            assertEquals(List.of(), record.wireRanges(new PayloadRange(10, 0)));
        } finally {
            record.release();
        }
        assertFalse(channel.finish());
    }

    @Test
    void waitsOnAPartialRecordWithoutThrowing() {
        EmbeddedChannel channel = new EmbeddedChannel(new RpcRecordDecoder());
        assertFalse(channel.writeInbound(TrackedBuffers.of(RECORD_A, 0, 3)));
        assertFalse(channel.writeInbound(TrackedBuffers.of(RECORD_A, 3, 20)));
        assertNull(channel.readInbound());
        assertTrue(channel.writeInbound(TrackedBuffers.of(RECORD_A, 23, RECORD_A.length - 23)));
        RpcRecord record = channel.readInbound();
        assertRecord(record, RECORD_A, PAYLOAD_A, 1, 0);
        record.release();
        assertFalse(channel.finish());
    }

    @Test
    void anEmptyRecordIsARecord() {
        EmbeddedChannel channel = new EmbeddedChannel(new RpcRecordDecoder());
        channel.writeInbound(TrackedBuffers.of(XdrWriter.record(new byte[0])));
        RpcRecord record = channel.readInbound();
        assertEquals(0, record.payload().readableBytes());
        assertEquals(4, record.wire().readableBytes());
        record.release();
        assertFalse(channel.finish());
    }

    @Test
    void aFragmentOverTheCapFailsAtItsHeaderThenEverythingPassesThrough() {
        EmbeddedChannel channel = new EmbeddedChannel(new RpcRecordDecoder(new RpcRecordFramer(100, 1000, 16)));
        byte[] tooLong = new XdrWriter().i32(0x8000_0000 | 200).toBytes();
        byte[] input = XdrWriter.concat(RECORD_A, tooLong, new byte[] {1, 2, 3});
        MalformedInputException e = assertThrows(MalformedInputException.class,
                () -> channel.writeInbound(TrackedBuffers.of(input)));
        assertEquals("RPC fragment length 200 exceeds 100 at offset " + RECORD_A.length, e.getMessage());
        RpcRecord first = channel.readInbound();
        assertRecord(first, RECORD_A, PAYLOAD_A, 1, 0);
        first.release();
        ByteBuf rest = channel.readInbound();
        assertEquals(ByteBufUtil.hexDump(XdrWriter.concat(tooLong, new byte[] {1, 2, 3})), ByteBufUtil.hexDump(rest));
        rest.release();
        channel.writeInbound(TrackedBuffers.of(RECORD_C));
        ByteBuf passed = channel.readInbound();
        assertEquals(ByteBufUtil.hexDump(RECORD_C), ByteBufUtil.hexDump(passed));
        passed.release();
        assertFalse(channel.finish());
    }

    @Test
    void aRecordOverTheCapFailsAtTheFragmentThatCrossesIt() {
        EmbeddedChannel channel = new EmbeddedChannel(new RpcRecordDecoder(new RpcRecordFramer(100, 120, 16)));
        byte[] record = XdrWriter.recordInFragments(new byte[150], 100, 50);
        MalformedInputException e = assertThrows(MalformedInputException.class,
                () -> channel.writeInbound(TrackedBuffers.of(record)));
        assertEquals("RPC record length 150 exceeds 120 at offset 104", e.getMessage());
        releaseAll(channel);
    }

    @Test
    void tooManyFragmentsFail() {
        EmbeddedChannel channel = new EmbeddedChannel(new RpcRecordDecoder(new RpcRecordFramer(100, 1000, 3)));
        byte[] record = XdrWriter.recordInFragments(new byte[4], 1, 1, 1, 1);
        MalformedInputException e = assertThrows(MalformedInputException.class,
                () -> channel.writeInbound(TrackedBuffers.of(record)));
        assertEquals("RPC fragment count 4 exceeds 3 at offset 15", e.getMessage());
        releaseAll(channel);
    }

    @Test
    void theLargestFragmentLengthIsRejectedBeforeItsDataArrives() {
        EmbeddedChannel channel = new EmbeddedChannel(new RpcRecordDecoder());
        MalformedInputException e = assertThrows(MalformedInputException.class,
                () -> channel.writeInbound(TrackedBuffers.of(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF})));
        assertEquals("RPC fragment length 2147483647 exceeds " + RpcRecordFramer.DEFAULT_MAX_RECORD_LENGTH
                + " at offset 0", e.getMessage());
        releaseAll(channel);
    }

    @Test
    void anIncompleteRecordAtEndOfInputIsPassedOnAsBytes() {
        EmbeddedChannel channel = new EmbeddedChannel(new RpcRecordDecoder());
        channel.writeInbound(TrackedBuffers.of(XdrWriter.concat(RECORD_C, Arrays.copyOf(RECORD_A, 30))));
        RpcRecord complete = channel.readInbound();
        complete.release();
        assertTrue(channel.finish());
        ByteBuf partial = channel.readInbound();
        assertEquals(ByteBufUtil.hexDump(Arrays.copyOf(RECORD_A, 30)), ByteBufUtil.hexDump(partial));
        partial.release();
        assertNull(channel.readInbound());
    }

    static void writeInChunks(EmbeddedChannel channel, byte[] input, int chunk) {
        for (int offset = 0; offset < input.length; offset += chunk) {
            channel.writeInbound(TrackedBuffers.of(input, offset, Math.min(chunk, input.length - offset)));
        }
    }

    private static List<RpcRecord> readRecords(EmbeddedChannel channel) {
        List<RpcRecord> records = new ArrayList<>();
        for (Object message = channel.readInbound(); message != null; message = channel.readInbound()) {
            records.add((RpcRecord) message);
        }
        return records;
    }

    private static void releaseAll(EmbeddedChannel channel) {
        for (Object message = channel.readInbound(); message != null; message = channel.readInbound()) {
            ReferenceCountUtil.release(message);
        }
        channel.finishAndReleaseAll();
    }

    private static void assertRecord(RpcRecord record, byte[] wire, byte[] payload, int fragments, long streamOffset) {
        assertEquals(ByteBufUtil.hexDump(wire), ByteBufUtil.hexDump(record.wire()));
        assertEquals(ByteBufUtil.hexDump(payload), ByteBufUtil.hexDump(record.payload()));
        assertEquals(fragments, record.fragmentCount());
        assertEquals(streamOffset, record.streamOffset());
    }

    private static byte[] randomBytes(long seed, int length) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
