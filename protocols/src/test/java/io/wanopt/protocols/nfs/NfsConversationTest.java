package io.wanopt.protocols.nfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.nfs.v3.Read3Args;
import io.wanopt.protocols.nfs.v3.Read3Res;
import io.wanopt.protocols.oncrpc.XdrWriter;
import org.junit.jupiter.api.Test;

class NfsConversationTest {

    private static final byte[] FH = {7, 7, 7, 7};

    private final NfsConversation conversation = new NfsConversation(NfsLimits.defaults(), 2);

    @Test
    void repliesAreDecodedWithTheirCall() {
        NfsCall call = Conversations.call(conversation, read(1));
        assertEquals(NfsProgram.NFS_V3, call.program());
        assertTrue(call.isUnderstood());
        NfsReply reply = Conversations.reply(conversation, readReply(1));
        assertSame(call, reply.call());
        assertEquals(FileHandle.of(FH), ((Read3Res) reply.result()).request().file());
        assertEquals(0, conversation.pendingCalls().size());
    }

    @Test
    void rpcsecGssIsRecognisedAndNeverParsed() {
        NfsCall call = Conversations.call(conversation, XdrWriter.concat(new XdrWriter().callGss(2, XdrWriter.NFS, 3, 6)
                .toBytes(), new byte[] {1, 2, 3}));
        assertEquals(NotUnderstood.Reason.RPCSEC_GSS, ((NotUnderstood) call.arguments()).reason());
        NfsReply reply = Conversations.reply(conversation, XdrWriter.concat(new XdrWriter().reply(2).toBytes(),
                new byte[] {9}));
        assertEquals(NotUnderstood.Reason.RPCSEC_GSS, ((NotUnderstood) reply.result()).reason());
    }

    @Test
    void otherProgramsAndVersionsAreNotUnderstoodAndNotRemembered() {
        NfsCall nlm = Conversations.call(conversation, new XdrWriter().call(3, 100_021, 4, 2).toBytes());
        assertEquals(new NotUnderstood(NotUnderstood.Reason.UNKNOWN_PROGRAM, "program 100021 version 4"), nlm.arguments());
        NfsCall nfs2 = Conversations.call(conversation, new XdrWriter().call(4, XdrWriter.NFS, 2, 6).toBytes());
        assertEquals(NfsProgram.OTHER, nfs2.program());
        NfsCall rpc3 = Conversations.call(conversation, new XdrWriter().i32(5).i32(0).u32(3).u32(XdrWriter.NFS).u32(3)
                .u32(6).i32(0).opaque(new byte[0]).i32(0).opaque(new byte[0]).toBytes());
        assertEquals(NotUnderstood.Reason.RPC_VERSION, ((NotUnderstood) rpc3.arguments()).reason());
        assertEquals(0, conversation.pendingCalls().size());
        NfsReply orphan = Conversations.reply(conversation, new XdrWriter().reply(3).toBytes());
        assertNull(orphan.call());
        assertEquals(NotUnderstood.Reason.NO_MATCHING_CALL, ((NotUnderstood) orphan.result()).reason());
        assertEquals(1, conversation.pendingCalls().unmatched());
    }

    @Test
    void aReplyWithoutResultsIsNotExecuted() {
        Conversations.call(conversation, read(6));
        NfsReply procUnavail = Conversations.reply(conversation, new XdrWriter().i32(6).i32(1).i32(0).i32(0)
                .opaque(new byte[0]).i32(3).toBytes());
        assertEquals(new NotUnderstood(NotUnderstood.Reason.NOT_EXECUTED, "PROC_UNAVAIL"), procUnavail.result());
        Conversations.call(conversation, read(7));
        NfsReply denied = Conversations.reply(conversation, new XdrWriter().i32(7).i32(1).i32(1).i32(1).i32(1).toBytes());
        assertEquals(new NotUnderstood(NotUnderstood.Reason.NOT_EXECUTED, "MSG_DENIED AUTH_ERROR"), denied.result());
    }

    @Test
    void theOldestUnansweredCallIsEvicted() {
        Conversations.call(conversation, read(8));
        Conversations.call(conversation, read(9));
        Conversations.call(conversation, read(10));
        assertEquals(1, conversation.pendingCalls().evicted());
        assertEquals(NotUnderstood.Reason.NO_MATCHING_CALL,
                ((NotUnderstood) Conversations.reply(conversation, readReply(8)).result()).reason());
        assertInstanceOf(Read3Res.class, Conversations.reply(conversation, readReply(10)).result());
    }

    @Test
    void aMalformedCallIsNotRememberedAndItsErrorNamesTheXid() {
        MalformedInputException e = assertThrows(MalformedInputException.class, () -> Conversations.call(conversation,
                new XdrWriter().call(0xAB, XdrWriter.NFS, 3, 6).opaque(FH).u64(0).toBytes()));
        assertTrue(e.getMessage().startsWith("xid 0x000000ab: READ3args.count"), e.getMessage());
        assertInstanceOf(MalformedInputException.class, e.getCause());
        assertEquals(0, conversation.pendingCalls().size());
        assertFalse(Conversations.reply(conversation, readReply(0xAB)).isUnderstood());
    }

    @Test
    void nullProceduresAreNotFollowed() {
        assertEquals(new NotUnderstood(NotUnderstood.Reason.NOT_FOLLOWED, "NFSv4 procedure 0"),
                Conversations.call(conversation, new XdrWriter().call(11, XdrWriter.NFS, 4, 0).toBytes()).arguments());
        assertEquals(new NotUnderstood(NotUnderstood.Reason.NOT_FOLLOWED, "NFSv3 NULL"),
                Conversations.call(conversation, new XdrWriter().call(12, XdrWriter.NFS, 3, 0).toBytes()).arguments());
        assertEquals(new Read3Args(FileHandle.of(FH), 0, 4), Conversations.call(conversation, read(13)).arguments());
    }

    private static byte[] read(int xid) {
        return new XdrWriter().call(xid, XdrWriter.NFS, 3, 6).opaque(FH).u64(0).u32(4).toBytes();
    }

    private static byte[] readReply(int xid) {
        return new XdrWriter().reply(xid).u32(0).bool(false).u32(4).bool(true).opaque(new byte[] {1, 2, 3, 4}).toBytes();
    }
}
