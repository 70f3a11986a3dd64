package io.wanopt.protocols.nfs.v4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.TrackedBuffers;
import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.NfsLimits;
import io.wanopt.protocols.nfs.NfsTime;
import io.wanopt.protocols.oncrpc.XdrReader;
import io.wanopt.protocols.oncrpc.XdrWriter;
import org.junit.jupiter.api.Test;

class Fattr4DecoderTest {

    @Test
    void stepsOverEveryVariableAttributeOfNfs40() {
        Bitmap4 mask = Bitmap4.of(0, 1, 3, 4, 8, 12, 19, 20, 24, 32, 36, 37, 41, 47, 48, 52, 53, 55);
        byte[] values = new XdrWriter()
                .u32(1).u32(0xFFFF) // 0 supported_attrs
                .u32(1) // 1 type: regular
                .u64(0xC0FFEE) // 3 change
                .u64(123_456) // 4 size
                .u64(1).u64(2) // 8 fsid
                .u32(2).u32(0).u32(0).u32(1).string("OWNER@").u32(1).u32(0).u32(2).string("GROUP@") // 12 acl
                .opaque(new byte[] {5, 5, 5}) // 19 filehandle
                .u64(99) // 20 fileid
                .u32(1).string("export") // 24 fs_locations.fs_root
                .u32(1).u32(2).string("a").string("b").u32(0) // 24 locations: servers a, b; rootpath empty
                .string("application/octet-stream") // 32 mimetype
                .string("root@x").string("root@x") // 36 owner, 37 owner_group
                .u32(8).u32(1) // 41 rawdev
                .u64(1).u32(2) // 47 time_access
                .u32(0) // 48 time_access_set: server time
                .u64(10).u32(11) // 52 time_metadata
                .u64(12).u32(13) // 53 time_modify
                .u64(7) // 55 mounted_on_fileid
                .toBytes();
        Fattr4 attributes = read(new XdrWriter().raw(words(mask)).opaque(values).toBytes());
        assertEquals(1, attributes.type());
        assertEquals(0xC0FFEEL, attributes.change());
        assertEquals(123_456L, attributes.size());
        assertEquals(FileHandle.of(new byte[] {5, 5, 5}), attributes.fileHandle());
        assertEquals(99L, attributes.fileId());
        assertEquals(new NfsTime(10, 11), attributes.timeMetadata());
        assertEquals(new NfsTime(12, 13), attributes.timeModify());
        assertFalse(attributes.setsTimeModify());
        assertTrue(attributes.complete());
        assertEquals(mask, attributes.mask());
    }

    @Test
    void stopsAtAnAttributeItDoesNotKnowKeepingWhatCameBefore() {
        Bitmap4 mask = Bitmap4.of(4, 58, 60);
        byte[] values = new XdrWriter().u64(8).u32(0).u32(0).u64(1).u64(2).toBytes();
        Fattr4 attributes = read(new XdrWriter().raw(words(mask)).opaque(values).u32(0xAB).toBytes());
        assertEquals(8L, attributes.size());
        assertFalse(attributes.complete());
        assertNull(attributes.timeModify());
    }

    @Test
    void valuesMustStayInsideTheAttributeList() {
        byte[] shortValues = new XdrWriter().raw(words(Bitmap4.of(3, 4))).opaque(new XdrWriter().u64(1).toBytes())
                .u64(2).toBytes();
        MalformedInputException e = assertThrows(MalformedInputException.class, () -> read(shortValues));
        assertEquals("attrs attribute 4 needs 8 bytes but only 0 remain at offset 20", e.getMessage());
        byte[] hugeAcl = new XdrWriter().raw(words(Bitmap4.of(12))).opaque(new XdrWriter().u32(0x7FFF_FFFF).toBytes())
                .toBytes();
        assertThrows(MalformedInputException.class, () -> read(hugeAcl));
    }

    @Test
    void bitmapsAreBoundedAndPrintable() {
        assertEquals("{0,4,53}", Bitmap4.of(0, 4, 53).toString());
        assertEquals(-1, Bitmap4.of(3).next(4));
        byte[] nineWords = new XdrWriter().u32(9).raw(new byte[36]).u32(0).toBytes();
        assertThrows(MalformedInputException.class, () -> read(nineWords));
    }

    private static byte[] words(Bitmap4 mask) {
        XdrWriter writer = new XdrWriter().u32(mask.wordCount());
        for (int word = 0; word < mask.wordCount(); word++) {
            int bits = 0;
            for (int bit = 0; bit < 32; bit++) {
                bits |= mask.contains(word * 32 + bit) ? 1 << bit : 0;
            }
            writer.i32(bits);
        }
        return writer.toBytes();
    }

    private static Fattr4 read(byte[] bytes) {
        ByteBuf buf = TrackedBuffers.of(bytes);
        try {
            return Fattr4Decoder.read(new XdrReader(buf), "attrs", NfsLimits.defaults());
        } finally {
            buf.release();
        }
    }
}
