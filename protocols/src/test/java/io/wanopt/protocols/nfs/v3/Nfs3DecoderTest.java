package io.wanopt.protocols.nfs.v3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.nfs.Conversations;
import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.NfsConversation;
import io.wanopt.protocols.nfs.NfsLimits;
import io.wanopt.protocols.nfs.NfsTime;
import io.wanopt.protocols.nfs.NotUnderstood;
import io.wanopt.protocols.nfs.StableHow;
import io.wanopt.protocols.oncrpc.PayloadRange;
import io.wanopt.protocols.oncrpc.XdrWriter;
import org.junit.jupiter.api.Test;

class Nfs3DecoderTest {

    private static final byte[] DIR = {1, 1, 1, 1, 1, 1, 1, 1};
    private static final byte[] FILE = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
    private static final FileHandle DIR_FH = FileHandle.of(DIR);
    private static final FileHandle FILE_FH = FileHandle.of(FILE);

    private final NfsConversation conversation = Conversations.create();

    @Test
    void getattr() {
        Getattr3Args args = (Getattr3Args) call(1, 1, new XdrWriter().opaque(FILE));
        assertEquals(FILE_FH, args.object());
        Getattr3Res res = (Getattr3Res) reply(1, new XdrWriter().u32(0).raw(fattr3(1, 4096, 77)));
        assertEquals(Nfs3Status.NFS3_OK, res.status());
        assertEquals(4096, res.attributes().size());
        assertEquals(new NfsTime(77, 7), res.attributes().mtime());
        assertEquals(new NfsTime(78, 8), res.attributes().ctime());
        assertEquals(args, res.request());
        Getattr3Res stale = (Getattr3Res) reply(2, call(2, 1, new XdrWriter().opaque(FILE)), new XdrWriter().u32(70));
        assertEquals(Nfs3Status.NFS3ERR_STALE, stale.status());
        assertNull(stale.attributes());
    }

    @Test
    void setattrShowsSizeAndTimesAndWcc() {
        Setattr3Args args = (Setattr3Args) call(3, 2, new XdrWriter().opaque(FILE)
                .bool(false).bool(true).u32(1000).bool(false).bool(true).u64(0).u32(1).u32(2).u32(123).u32(456)
                .bool(true).u32(9).u32(10));
        assertEquals(0L, args.newAttributes().size());
        assertEquals(1000L, args.newAttributes().uid());
        assertNull(args.newAttributes().mode());
        assertTrue(args.newAttributes().setsAtime());
        assertNull(args.newAttributes().atime());
        assertTrue(args.newAttributes().setsMtime());
        assertEquals(new NfsTime(123, 456), args.newAttributes().mtime());
        assertEquals(new NfsTime(9, 10), args.guardCtime());
        Setattr3Res res = (Setattr3Res) reply(3, new XdrWriter().u32(0).bool(true).u64(4096).u32(1).u32(2).u32(3).u32(4)
                .bool(true).raw(fattr3(1, 0, 99)));
        assertEquals(new WccAttr(4096, new NfsTime(1, 2), new NfsTime(3, 4)), res.objectWcc().before());
        assertEquals(0, res.objectWcc().after().size());
    }

    @Test
    void lookupBindsANameToAHandle() {
        Lookup3Args args = (Lookup3Args) call(4, 3, new XdrWriter().opaque(DIR).string("disk-flat.vmdk"));
        assertEquals(new Lookup3Args(DIR_FH, "disk-flat.vmdk"), args);
        Lookup3Res res = (Lookup3Res) reply(4, new XdrWriter().u32(0).opaque(FILE).bool(true).raw(fattr3(1, 1 << 30, 5))
                .bool(false));
        assertEquals(FILE_FH, res.object());
        assertEquals(1 << 30, res.objectAttributes().size());
        assertNull(res.dirAttributes());
        Lookup3Res missing = (Lookup3Res) reply(5, call(5, 3, new XdrWriter().opaque(DIR).string("nope")),
                new XdrWriter().u32(2).bool(true).raw(fattr3(2, 4096, 1)));
        assertEquals(Nfs3Status.NFS3ERR_NOENT, missing.status());
        assertNull(missing.object());
        assertEquals(4096, missing.dirAttributes().size());
    }

    @Test
    void readReplyGivesTheCallsFileAndWhereTheDataIs() {
        byte[] header = new XdrWriter().reply(6).toBytes();
        call(6, 6, new XdrWriter().opaque(FILE).u64(0x1_0000_0001L).u32(5));
        Read3Res res = (Read3Res) reply(6, new XdrWriter().u32(0).bool(true).raw(fattr3(1, 10, 3)).u32(5).bool(true)
                .opaque(new byte[] {1, 2, 3, 4, 5}));
        assertEquals(FILE_FH, res.request().file());
        assertEquals(0x1_0000_0001L, res.request().offset());
        assertEquals(5, res.count());
        assertTrue(res.eof());
        // reply header, status, post_op_attr (4 + 84), count, eof, data length
        assertEquals(new PayloadRange(header.length + 4 + 88 + 4 + 4 + 4, 5), res.data());
        Read3Res failed = (Read3Res) reply(7, call(7, 6, new XdrWriter().opaque(FILE).u64(0).u32(5)),
                new XdrWriter().u32(5).bool(false));
        assertEquals(Nfs3Status.NFS3ERR_IO, failed.status());
        assertNull(failed.data());
    }

    @Test
    void writeCallGivesOffsetStabilityAndWhereTheDataIs() {
        byte[] header = new XdrWriter().callAuthSys(8, XdrWriter.NFS, 3, 7, 0, 0).toBytes();
        Write3Args args = (Write3Args) call(8, 7, new XdrWriter().opaque(FILE).u64(8192).u32(3).u32(2).opaque(new byte[] {7, 8, 9}));
        assertEquals(8192, args.offset());
        assertEquals(StableHow.FILE_SYNC, args.stable());
        assertEquals(new PayloadRange(header.length + 4 + 12 + 8 + 4 + 4 + 4, 3), args.data());
        Write3Res res = (Write3Res) reply(8, new XdrWriter().u32(0).bool(false).bool(true).raw(fattr3(1, 8195, 4)).u32(3)
                .u32(2).u64(0xABCDL));
        assertEquals(3, res.count());
        assertEquals(StableHow.FILE_SYNC, res.committed());
        assertEquals(0xABCDL, res.verifier());
        assertEquals(8195, res.fileWcc().after().size());
        Write3Res full = (Write3Res) reply(9, call(9, 7, new XdrWriter().opaque(FILE).u64(0).u32(0).u32(9).opaque(new byte[0])),
                new XdrWriter().u32(28).bool(false).bool(false));
        assertEquals(Nfs3Status.NFS3ERR_NOSPC, full.status());
        assertEquals(StableHow.valueOf(9), full.request().stable());
        assertFalse(full.request().stable().isKnown());
    }

    @Test
    void createInAllThreeModes() {
        Create3Args unchecked = (Create3Args) call(10, 8, new XdrWriter().opaque(DIR).string("a.vmdk").u32(0)
                .bool(true).u32(0644).bool(false).bool(false).bool(true).u64(0).u32(0).u32(0));
        assertEquals(CreateMode3.UNCHECKED, unchecked.mode());
        assertEquals(0L, unchecked.attributes().size());
        Create3Res created = (Create3Res) reply(10, new XdrWriter().u32(0).bool(true).opaque(FILE).bool(false)
                .bool(false).bool(false));
        assertEquals(FILE_FH, created.object());
        assertEquals("a.vmdk", created.request().name());
        Create3Args exclusive = (Create3Args) call(11, 8, new XdrWriter().opaque(DIR).string("b").u32(2).u64(42));
        assertEquals(42, exclusive.verifier());
        assertNull(exclusive.attributes());
        Create3Res exists = (Create3Res) reply(11, new XdrWriter().u32(17).bool(false).bool(false));
        assertEquals(Nfs3Status.NFS3ERR_EXIST, exists.status());
        MalformedInputException e = assertThrows(MalformedInputException.class,
                () -> call(12, 8, new XdrWriter().opaque(DIR).string("c").u32(3)));
        assertTrue(e.getMessage().contains("CREATE3args.how.mode 3 is invalid"), e.getMessage());
    }

    @Test
    void commit() {
        Commit3Args args = (Commit3Args) call(13, 21, new XdrWriter().opaque(FILE).u64(4096).u32(0));
        assertEquals(new Commit3Args(FILE_FH, 4096, 0), args);
        Commit3Res res = (Commit3Res) reply(13, new XdrWriter().u32(0).bool(false).bool(false).u64(7));
        assertEquals(7, res.verifier());
    }

    @Test
    void readdirplusListsNamesAndHandles() {
        Readdirplus3Args args = (Readdirplus3Args) call(14, 17, new XdrWriter().opaque(DIR).u64(0).u64(0).u32(4096).u32(32768));
        assertEquals(32768, args.maxCount());
        Readdirplus3Res res = (Readdirplus3Res) reply(14, new XdrWriter().u32(0).bool(false).u64(99)
                .bool(true).u64(11).string("vm-flat.vmdk").u64(1).bool(true).raw(fattr3(1, 1L << 33, 1)).bool(true).opaque(FILE)
                .bool(true).u64(12).string("vm.vmdk").u64(2).bool(false).bool(false)
                .bool(false).bool(true));
        assertEquals(2, res.entries().size());
        assertEquals(new Entryplus3(12, "vm.vmdk", 2, null, null), res.entries().get(1));
        assertEquals(FILE_FH, res.entries().get(0).handle());
        assertEquals(1L << 33, res.entries().get(0).attributes().size());
        assertTrue(res.eof());
        assertTrue(res.complete());
        assertEquals(99, res.cookieVerifier());
    }

    @Test
    void readdirplusStopsKeepingEntriesAtTheLimit() {
        NfsConversation small = new NfsConversation(new NfsLimits(1024, 1024, 1 << 20, 16, 64, 8, 1), 4);
        Conversations.call(small, new XdrWriter().call(1, XdrWriter.NFS, 3, 17).opaque(DIR).u64(0).u64(0).u32(1).u32(1)
                .toBytes());
        Readdirplus3Res res = (Readdirplus3Res) Conversations.reply(small, new XdrWriter().reply(1).u32(0).bool(false).u64(0)
                .bool(true).u64(1).string("a").u64(1).bool(false).bool(false)
                .bool(true).u64(2).string("b").u64(2).bool(false).bool(false).bool(false).bool(true).toBytes()).result();
        assertEquals(1, res.entries().size());
        assertFalse(res.complete());
        assertFalse(res.eof());
    }

    @Test
    void otherProceduresAreNotFollowed() {
        Object remove = call(15, 12, new XdrWriter().opaque(DIR).string("x"));
        assertEquals(new NotUnderstood(NotUnderstood.Reason.NOT_FOLLOWED, "NFSv3 REMOVE"), remove);
        assertEquals(remove, reply(15, new XdrWriter().u32(0)));
        assertEquals(new NotUnderstood(NotUnderstood.Reason.NOT_FOLLOWED, "NFSv3 UNKNOWN(99)"),
                call(16, 99, new XdrWriter()));
        assertFalse(Nfs3Decoder.follows(Nfs3Procedure.REMOVE));
        assertTrue(Nfs3Decoder.follows(Nfs3Procedure.READ));
    }

    @Test
    void malformedArgumentsNameTheFieldAndTheXid() {
        MalformedInputException longHandle = assertThrows(MalformedInputException.class,
                () -> call(0x10, 1, new XdrWriter().opaque(new byte[65])));
        assertEquals("xid 0x00000010: GETATTR3args.object length 65 exceeds 64 at offset 72", longHandle.getMessage());
        MalformedInputException truncated = assertThrows(MalformedInputException.class,
                () -> call(0x11, 6, new XdrWriter().opaque(FILE).u64(0)));
        assertTrue(truncated.getMessage().startsWith("xid 0x00000011: READ3args.count needs 4 bytes but only 0 remain"),
                truncated.getMessage());
        call(0x12, 6, new XdrWriter().opaque(FILE).u64(0).u32(5));
        assertThrows(MalformedInputException.class, () -> reply(0x12, new XdrWriter().u32(0).bool(false).u32(5)
                .bool(true).u32(0xFFFF_FFFFL)));
    }

    /** fattr3 of {@code type} with {@code size}; mtime {@code t}.7 and ctime {@code t+1}.8. */
    static byte[] fattr3(int type, long size, int t) {
        return new XdrWriter().u32(type).u32(0644).u32(1).u32(0).u32(0).u64(size).u64(size).u32(0).u32(0).u64(5).u64(6)
                .u32(t).u32(6).u32(t).u32(7).u32(t + 1).u32(8).toBytes();
    }

    private Object call(int xid, long procedure, XdrWriter args) {
        return Conversations.call(conversation, XdrWriter.concat(new XdrWriter().callAuthSys(xid, XdrWriter.NFS, 3,
                procedure, 0, 0).toBytes(), args.toBytes())).arguments();
    }

    private Object reply(int xid, XdrWriter results) {
        return Conversations.reply(conversation, XdrWriter.concat(new XdrWriter().reply(xid).toBytes(), results.toBytes()))
                .result();
    }

    /** A reply to the call made just before, for reading the test as call-then-reply. */
    private Object reply(int xid, Object call, XdrWriter results) {
        return reply(xid, results);
    }
}
