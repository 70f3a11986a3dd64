package io.wanopt.protocols.nfs.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.nfs.Conversations;
import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.NfsConversation;
import io.wanopt.protocols.nfs.NotUnderstood;
import io.wanopt.protocols.oncrpc.AuthFlavor;
import io.wanopt.protocols.oncrpc.XdrWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class Mount3DecoderTest {

    private final NfsConversation conversation = Conversations.create();

    @Test
    void mntReplyGivesTheRootHandleOfTheAskedPath() {
        Mnt3Args args = (Mnt3Args) Conversations.call(conversation,
                new XdrWriter().callAuthSys(1, XdrWriter.MOUNT, 3, 1, 0, 0).string("/vmfs/datastore1").toBytes()).arguments();
        assertEquals("/vmfs/datastore1", args.dirPath());
        Mnt3Res res = (Mnt3Res) Conversations.reply(conversation,
                new XdrWriter().reply(1).u32(0).opaque(new byte[] {9, 9, 9}).u32(2).u32(1).u32(390_003).toBytes()).result();
        assertTrue(res.status().isOk());
        assertEquals(FileHandle.of(new byte[] {9, 9, 9}), res.root());
        assertEquals(List.of(AuthFlavor.AUTH_SYS, AuthFlavor.valueOf(390_003)), res.authFlavors());
        assertEquals(args, res.request());
    }

    @Test
    void mntRefused() {
        Conversations.call(conversation, new XdrWriter().call(2, XdrWriter.MOUNT, 3, 1).string("/secret").toBytes());
        Mnt3Res res = (Mnt3Res) Conversations.reply(conversation, new XdrWriter().reply(2).u32(13).toBytes()).result();
        assertEquals(MountStat3.MNT3ERR_ACCES, res.status());
        assertNull(res.root());
    }

    @Test
    void otherProceduresAreNotFollowedAndLimitsHold() {
        assertEquals(new NotUnderstood(NotUnderstood.Reason.NOT_FOLLOWED, "MOUNTv3 UMNT"), Conversations.call(conversation,
                new XdrWriter().call(3, XdrWriter.MOUNT, 3, 3).string("/x").toBytes()).arguments());
        assertThrows(MalformedInputException.class, () -> Conversations.call(conversation,
                new XdrWriter().call(4, XdrWriter.MOUNT, 3, 1).string("/" + "a".repeat(1024)).toBytes()));
        Conversations.call(conversation, new XdrWriter().call(5, XdrWriter.MOUNT, 3, 1).string("/").toBytes());
        MalformedInputException e = assertThrows(MalformedInputException.class, () -> Conversations.reply(conversation,
                new XdrWriter().reply(5).u32(0).opaque(new byte[4]).u32(1000).toBytes()));
        assertTrue(e.getMessage().contains("mountres3_ok.auth_flavors 1000 exceeds 64"), e.getMessage());
    }
}
