package io.wanopt.protocols.nfs.v4;

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
import io.wanopt.protocols.nfs.StableHow;
import io.wanopt.protocols.oncrpc.PayloadRange;
import io.wanopt.protocols.oncrpc.XdrWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class Compound4DecoderTest {

    private static final byte[] FH = {4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4};
    private static final byte[] DATA = {10, 20, 30, 40, 50};

    private final NfsConversation conversation = Conversations.create();

    @Test
    void nfs41ReadCompoundWithSequence() {
        Compound4Args args = call(1, 1, new Compound4Builder()
                .op(Nfs4Op.SEQUENCE, w -> w.u64(0x1111).u64(0x2222).u32(7).u32(3).u32(9).bool(false))
                .op(Nfs4Op.PUTFH, w -> w.opaque(FH))
                .op(Nfs4Op.READ, w -> {
                    Compound4Builder.stateid(w, 1);
                    w.u64(1 << 20).u32(65536);
                }));
        assertEquals(1, args.minorVersion());
        assertTrue(args.isComplete());
        assertEquals(new Nfs4ArgOp.Sequence(0x1111, 0x2222, 7, 3, 9, false), args.operations().get(0));
        Nfs4ArgOp.Read read = (Nfs4ArgOp.Read) args.operations().get(2);
        assertEquals(1 << 20, read.offset());
        assertEquals(65536, read.count());
        assertEquals(1, read.stateid().seqid());
        assertFalse(read.stateid().isAnonymous());

        byte[] replyHeader = new Compound4Builder().reply(1, 0);
        Compound4Res res = reply(1, new Compound4Builder()
                .result(Nfs4Op.SEQUENCE, 0, w -> w.u64(0x1111).u64(0x2222).u32(7).u32(3).u32(9).u32(9).u32(0))
                .ok(Nfs4Op.PUTFH)
                .result(Nfs4Op.READ, 0, w -> w.bool(true).opaque(DATA)));
        assertEquals(Nfs4Status.NFS4_OK, res.status());
        assertEquals(new Nfs4ResOp.Sequence(Nfs4Status.NFS4_OK, 0x1111, 0x2222, 7, 3, 9, 9, 0), res.results().get(0));
        Nfs4ResOp.Read readRes = (Nfs4ResOp.Read) res.results().get(2);
        assertTrue(readRes.eof());
        // header + SEQUENCE (4 + 4 + 36) + PUTFH (8) + READ opcode, status, eof, length
        assertEquals(new PayloadRange(replyHeader.length + 44 + 8 + 16, 5), readRes.data());
        assertEquals(args, res.request());
    }

    @Test
    void writeAndCommit() {
        byte[] header = new Compound4Builder().call(2, 0);
        Compound4Args args = call(2, 0, new Compound4Builder()
                .op(Nfs4Op.PUTFH, w -> w.opaque(FH))
                .op(Nfs4Op.WRITE, w -> {
                    Compound4Builder.stateid(w, 0);
                    w.u64(4096).u32(1).opaque(DATA);
                })
                .op(Nfs4Op.COMMIT, w -> w.u64(0).u32(0)));
        Nfs4ArgOp.Write write = (Nfs4ArgOp.Write) args.operations().get(1);
        assertEquals(StableHow.DATA_SYNC, write.stable());
        assertEquals(4096, write.offset());
        // header + PUTFH (4 + 4 + 20) + WRITE opcode, stateid, offset, stable, length
        assertEquals(new PayloadRange(header.length + 28 + 4 + 16 + 8 + 4 + 4, 5), write.data());
        Compound4Res res = reply(2, new Compound4Builder().ok(Nfs4Op.PUTFH)
                .result(Nfs4Op.WRITE, 0, w -> w.u32(5).u32(2).u64(99))
                .result(Nfs4Op.COMMIT, 0, w -> w.u64(99)));
        assertEquals(new Nfs4ResOp.Write(Nfs4Status.NFS4_OK, 5, StableHow.FILE_SYNC, 99), res.results().get(1));
        assertEquals(new Nfs4ResOp.Commit(Nfs4Status.NFS4_OK, 99), res.results().get(2));
    }

    @Test
    void openByNameWithCreateAttributesAndItsReply() {
        Compound4Args args = call(3, 0, new Compound4Builder()
                .op(Nfs4Op.PUTROOTFH)
                .op(Nfs4Op.LOOKUP, w -> w.string("export"))
                .op(Nfs4Op.OPEN, w -> {
                    w.u32(1).u32(3).u32(0).u64(77).opaque(new byte[] {1, 2, 3}).u32(1).u32(0);
                    Compound4Builder.sizeAndMtime(w, 0, 1234);
                    w.u32(0).string("new-flat.vmdk");
                })
                .op(Nfs4Op.GETFH));
        Nfs4ArgOp.Open open = (Nfs4ArgOp.Open) args.operations().get(2);
        assertTrue(open.create());
        assertEquals(0, open.createMode());
        assertEquals(0L, open.createAttributes().size());
        assertEquals(OpenClaimType4.CLAIM_NULL, open.claim());
        assertEquals("new-flat.vmdk", open.fileName());
        assertEquals(77, open.ownerClientId());

        Compound4Res res = reply(3, new Compound4Builder().ok(Nfs4Op.PUTROOTFH).ok(Nfs4Op.LOOKUP)
                .result(Nfs4Op.OPEN, 0, w -> {
                    Compound4Builder.stateid(w, 1);
                    w.bool(true).u64(5).u64(6).u32(4).u32(1).u32(1 << 4);
                    w.u32(2); // write delegation
                    Compound4Builder.stateid(w, 9);
                    w.bool(false).u32(1).u64(1 << 30).u32(0).u32(0).u32(0x1F).string("EVERYONE@");
                })
                .result(Nfs4Op.GETFH, 0, w -> w.opaque(FH)));
        Nfs4ResOp.Open openRes = (Nfs4ResOp.Open) res.results().get(2);
        assertEquals(1, openRes.stateid().seqid());
        assertEquals(2, openRes.delegationType());
        assertEquals(9, openRes.delegationStateid().seqid());
        assertEquals(6, openRes.changeAfter());
        assertTrue(openRes.attrSet().contains(4));
        assertEquals(FileHandle.of(FH), ((Nfs4ResOp.Getfh) res.results().get(3)).object());
    }

    @Test
    void openClaimsAndDelegationsOfNfs41() {
        Compound4Args args = call(4, 1, new Compound4Builder()
                .op(Nfs4Op.PUTFH, w -> w.opaque(FH))
                .op(Nfs4Op.OPEN, w -> {
                    w.u32(0).u32(1).u32(0).u64(1).opaque(new byte[0]).u32(1).u32(3).u64(42);
                    Compound4Builder.sizeAndMtime(w, 10, 1);
                    w.u32(5);
                    Compound4Builder.stateid(w, 3);
                }));
        Nfs4ArgOp.Open open = (Nfs4ArgOp.Open) args.operations().get(1);
        assertEquals(3, open.createMode());
        assertEquals(10L, open.createAttributes().size());
        assertEquals(OpenClaimType4.CLAIM_DELEG_CUR_FH, open.claim());
        assertNull(open.fileName());
        Compound4Res res = reply(4, new Compound4Builder().ok(Nfs4Op.PUTFH).result(Nfs4Op.OPEN, 0, w -> {
            Compound4Builder.stateid(w, 1);
            w.bool(false).u64(0).u64(0).u32(0).u32(0).u32(3).u32(1).bool(true);
        }));
        assertEquals(3, ((Nfs4ResOp.Open) res.results().get(1)).delegationType());
        MalformedInputException badClaim = assertThrows(MalformedInputException.class, () -> call(5, 1, new Compound4Builder()
                .op(Nfs4Op.OPEN, w -> w.u32(0).u32(1).u32(0).u64(1).opaque(new byte[0]).u32(0).u32(7))));
        assertTrue(badClaim.getMessage().contains("open_claim4.claim 7 is invalid"), badClaim.getMessage());
    }

    @Test
    void getattrAndSetattrFindSizeChangeAndTimesBehindOtherAttributes() {
        call(6, 0, new Compound4Builder().op(Nfs4Op.PUTFH, w -> w.opaque(FH))
                .op(Nfs4Op.GETATTR, w -> w.u32(2).u32(0x18).u32(1 << (53 - 32)))
                .op(Nfs4Op.SETATTR, w -> {
                    Compound4Builder.stateid(w, 2);
                    w.u32(2).u32(1 << 4).u32(1 << (54 - 32)).opaque(new XdrWriter().u64(0).u32(1).u64(50).u32(60).toBytes());
                }));
        Compound4Res res = reply(6, new Compound4Builder().ok(Nfs4Op.PUTFH)
                .result(Nfs4Op.GETATTR, 0, w -> Compound4Builder.sizeAndMtime(w, 1L << 40, 1700000000L))
                .result(Nfs4Op.SETATTR, 0, w -> w.u32(1).u32(1 << 4)));
        Fattr4 attributes = ((Nfs4ResOp.Getattr) res.results().get(1)).attributes();
        assertEquals(1L << 40, attributes.size());
        assertEquals(new NfsTime(1700000000L, 5), attributes.timeModify());
        assertNull(attributes.change());
        assertTrue(attributes.complete());
        Nfs4ArgOp.Setattr setattr = (Nfs4ArgOp.Setattr) res.request().operations().get(2);
        assertEquals(0L, setattr.attributes().size());
        assertTrue(setattr.attributes().setsTimeModify());
        assertEquals(new NfsTime(50, 60), setattr.attributes().timeModify());
        assertEquals(Bitmap4.of(4), ((Nfs4ResOp.Setattr) res.results().get(2)).attrsSet());
    }

    @Test
    void anUnknownOperationEndsTheWalkAndTheRestIsNotUnderstood() {
        byte[] header = new Compound4Builder().call(7, 2);
        Compound4Args args = call(7, 2, new Compound4Builder()
                .op(Nfs4Op.PUTFH, w -> w.opaque(FH))
                .op(Nfs4Op.READ_PLUS, w -> {
                    Compound4Builder.stateid(w, 0);
                    w.u64(0).u32(10);
                })
                .op(Nfs4Op.GETFH));
        assertEquals(1, args.operations().size());
        assertEquals(3, args.declaredOps());
        assertEquals(Nfs4Op.READ_PLUS, args.notUnderstood());
        assertEquals(header.length + 28, args.notUnderstoodOffset());
        Compound4Res res = reply(7, new Compound4Builder().ok(Nfs4Op.PUTFH)
                .result(Nfs4Op.READ_PLUS, 0, w -> w.bool(true).u32(0)).ok(Nfs4Op.GETFH));
        assertEquals(1, res.results().size());
        assertEquals(Nfs4Op.READ_PLUS, res.notUnderstood());
        Compound4Args unknownCode = call(8, 0, new Compound4Builder().op(Nfs4Op.valueOf(4242)));
        assertEquals("UNKNOWN(4242)", unknownCode.notUnderstood().toString());
    }

    @Test
    void aFutureMinorVersionIsNotWalkedAtAll() {
        Compound4Args args = call(9, 3, new Compound4Builder().op(Nfs4Op.PUTROOTFH));
        assertEquals(3, args.minorVersion());
        assertTrue(args.operations().isEmpty());
        assertEquals(Nfs4Op.PUTROOTFH, args.notUnderstood());
    }

    @Test
    void theWalkStopsAtTheOperationLimit() {
        NfsConversation limited = new NfsConversation(new NfsLimits(1024, 1024, 1 << 20, 2, 64, 8, 16), 4);
        Compound4Args args = (Compound4Args) Conversations.call(limited, new Compound4Builder().op(Nfs4Op.PUTROOTFH)
                .op(Nfs4Op.GETFH).op(Nfs4Op.SAVEFH).call(10, 0)).arguments();
        assertEquals(2, args.operations().size());
        assertEquals(Nfs4Op.SAVEFH, args.notUnderstood());
    }

    @Test
    void failedOperationsEndTheReply() {
        call(11, 0, new Compound4Builder().op(Nfs4Op.PUTFH, w -> w.opaque(FH)).op(Nfs4Op.LOOKUP, w -> w.string("gone"))
                .op(Nfs4Op.GETFH));
        Compound4Res res = reply(11, new Compound4Builder().ok(Nfs4Op.PUTFH).result(Nfs4Op.LOOKUP, 2, w -> { }),
                Nfs4Status.NFS4ERR_NOENT.code());
        assertEquals(Nfs4Status.NFS4ERR_NOENT, res.status());
        assertEquals(List.of(new Nfs4ResOp.Putfh(Nfs4Status.NFS4_OK), new Nfs4ResOp.Lookup(Nfs4Status.NFS4ERR_NOENT)),
                res.results());
        assertTrue(res.isComplete());
    }

    @Test
    void closeAccessRenewSaveAndRestore() {
        call(12, 0, new Compound4Builder().op(Nfs4Op.PUTFH, w -> w.opaque(FH)).op(Nfs4Op.SAVEFH)
                .op(Nfs4Op.ACCESS, w -> w.u32(0x3F)).op(Nfs4Op.RESTOREFH)
                .op(Nfs4Op.CLOSE, w -> {
                    w.u32(4);
                    Compound4Builder.stateid(w, 2);
                }).op(Nfs4Op.RENEW, w -> w.u64(5)));
        Compound4Res res = reply(12, new Compound4Builder().ok(Nfs4Op.PUTFH).ok(Nfs4Op.SAVEFH)
                .result(Nfs4Op.ACCESS, 0, w -> w.u32(0x3F).u32(0x1F)).ok(Nfs4Op.RESTOREFH)
                .result(Nfs4Op.CLOSE, 0, w -> Compound4Builder.stateid(w, 3)).ok(Nfs4Op.RENEW));
        assertEquals(new Nfs4ResOp.Access(Nfs4Status.NFS4_OK, 0x3F, 0x1F), res.results().get(2));
        assertEquals(3, ((Nfs4ResOp.Close) res.results().get(4)).openStateid().seqid());
        assertEquals(new Nfs4ArgOp.Renew(5), res.request().operations().get(5));
    }

    @Test
    void malformedOperationsThrow() {
        assertThrows(MalformedInputException.class, () -> call(13, 0, new Compound4Builder()
                .op(Nfs4Op.PUTFH, w -> w.opaque(new byte[129]))));
        assertThrows(MalformedInputException.class, () -> Conversations.call(conversation,
                new XdrWriter().call(14, XdrWriter.NFS, 4, 1).string("").u32(0).u32(1000).toBytes()));
        assertThrows(MalformedInputException.class, () -> call(15, 0, new Compound4Builder()
                .op(Nfs4Op.GETATTR, w -> w.u32(9).u32(0).u32(0).u32(0).u32(0).u32(0).u32(0).u32(0).u32(0).u32(0))));
    }

    private Compound4Args call(int xid, long minorVersion, Compound4Builder builder) {
        return (Compound4Args) Conversations.call(conversation, builder.call(xid, minorVersion)).arguments();
    }

    private Compound4Res reply(int xid, Compound4Builder builder) {
        return reply(xid, builder, 0);
    }

    private Compound4Res reply(int xid, Compound4Builder builder, int status) {
        return (Compound4Res) Conversations.reply(conversation, builder.reply(xid, status)).result();
    }
}
