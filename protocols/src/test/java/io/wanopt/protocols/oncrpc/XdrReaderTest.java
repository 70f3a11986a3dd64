package io.wanopt.protocols.oncrpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.TrackedBuffers;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class XdrReaderTest {

    @Test
    void readsPrimitivesAndPaddedItemsWithoutMovingTheBuffer() {
        byte[] bytes = new XdrWriter().i32(-2).u32(0xFFFF_FFFFL).u64(0x0102_0304_0506_0708L).bool(true)
                .opaque(new byte[] {9, 8, 7}).string("name").fixed(new byte[] {1, 2, 3, 4, 5}).toBytes();
        read(bytes, xdr -> {
            assertEquals(-2, xdr.readInt("a"));
            assertEquals(0xFFFF_FFFFL, xdr.readUnsignedInt("b"));
            assertEquals(0x0102_0304_0506_0708L, xdr.readHyper("c"));
            assertTrue(xdr.readBool("d"));
            assertEquals(new PayloadRange(24, 3), xdr.readOpaque("e", 3));
            assertEquals("name", xdr.readString("f", 4));
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, xdr.readFixedOpaque(5, "g"));
            assertEquals(0, xdr.remaining());
            assertEquals(bytes.length, xdr.offset());
        });
    }

    @Test
    void offsetsCountFromThePayloadStartAlsoInBodies() {
        ByteBuf buf = TrackedBuffers.of(new XdrWriter().u32(0xAAAA).u32(1).opaque(new XdrWriter().u32(5).u32(6).toBytes())
                .u32(7).toBytes());
        try {
            buf.readerIndex(4); // offset 0 is the reader index
            XdrReader xdr = new XdrReader(buf);
            assertEquals(1, xdr.readInt("x"));
            XdrReader body = xdr.readOpaqueBody("body", 8);
            assertEquals(8, body.offset());
            assertEquals(8, body.remaining());
            assertEquals(5, body.readInt("y"));
            assertEquals(6, body.readInt("z"));
            MalformedInputException e = assertThrows(MalformedInputException.class, () -> body.readInt("past the body"));
            assertEquals("past the body needs 4 bytes but only 0 remain at offset 16", e.getMessage());
            assertEquals(7, xdr.readInt("after"));
            assertEquals(4, buf.readerIndex());
            assertEquals(7, new XdrReader(buf, 16).readInt("at 16"));
        } finally {
            buf.release();
        }
    }

    @Test
    void truncatedItemsThrowWithNeededRemainingAndOffset() {
        read(new byte[] {0, 0, 0, 1, 0, 0}, xdr -> {
            xdr.readInt("first");
            MalformedInputException e = assertThrows(MalformedInputException.class, () -> xdr.readHyper("READ3args.offset"));
            assertEquals("READ3args.offset needs 8 bytes but only 2 remain at offset 4", e.getMessage());
        });
    }

    @Test
    void hugeAndNegativeLengthsAreCheckedBeforeAnythingIsAllocated() {
        read(new XdrWriter().u32(0xFFFF_FFFFL).u32(0x7FFF_FFFF).u32(12).u32(1).toBytes(), xdr -> {
            MalformedInputException huge = assertThrows(MalformedInputException.class, () -> xdr.readOpaqueBytes("fh", 64));
            assertEquals("fh length 4294967295 exceeds 64 at offset 0", huge.getMessage());
        });
        read(new XdrWriter().u32(0x7FFF_FFFF).toBytes(), xdr -> {
            MalformedInputException e = assertThrows(MalformedInputException.class,
                    () -> xdr.readOpaque("data", Integer.MAX_VALUE));
            assertEquals("data needs 2147483648 bytes but only 0 remain at offset 4", e.getMessage());
        });
        read(new XdrWriter().u32(3).u32(1).u32(2).toBytes(), xdr -> {
            MalformedInputException e = assertThrows(MalformedInputException.class, () -> xdr.readCount("gids", 16, 4));
            assertEquals("gids (3 items) needs 12 bytes but only 8 remain at offset 4", e.getMessage());
        });
        read(new XdrWriter().u32(17).toBytes(), xdr -> assertThrows(MalformedInputException.class,
                () -> xdr.readCount("gids", 16, 4)));
    }

    @Test
    void paddingMustBeThereToo() {
        read(new XdrWriter().u32(3).raw(new byte[] {1, 2, 3}).toBytes(), xdr ->
                assertThrows(MalformedInputException.class, () -> xdr.readOpaque("name", 10)));
    }

    @Test
    void boolsAreZeroOrOne() {
        read(new XdrWriter().u32(0).u32(2).toBytes(), xdr -> {
            assertFalse(xdr.readBool("a"));
            MalformedInputException e = assertThrows(MalformedInputException.class, () -> xdr.readBool("eof"));
            assertEquals("eof 2 is invalid (expected: 0 or 1) at offset 4", e.getMessage());
        });
    }

    private static void read(byte[] bytes, Consumer<XdrReader> test) {
        ByteBuf buf = TrackedBuffers.of(bytes);
        try {
            test.accept(new XdrReader(buf));
        } finally {
            buf.release();
        }
    }
}
