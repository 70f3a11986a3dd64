package io.wanopt.protocols.smb;

import static io.wanopt.protocols.smb.Exchanges.decode;
import static io.wanopt.protocols.smb.Exchanges.messages;
import static io.wanopt.protocols.smb.Exchanges.only;
import static io.wanopt.protocols.smb.Smb2Builder.frame;
import static io.wanopt.protocols.smb.Smb2Builder.request;
import static io.wanopt.protocols.smb.Smb2Builder.response;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-made exchanges for what the captures lack: compounding, error and interim responses, bounded tables. */
class SmbConversationTest {

    private static final long SESSION = 0x1122_3344_5566_7788L;
    private static final int TREE = 5;
    private static final String SHARE = "\\\\server\\vms";
    private static final FileId DISK = new FileId(0x10, 0x20);
    private static final int SIGNING_ENABLED = SessionSetupRequest.SIGNING_ENABLED;
    private static final int SIGNING_REQUIRED = SessionSetupRequest.SIGNING_ENABLED | SessionSetupRequest.SIGNING_REQUIRED;

    @Test
    void compoundedCreateReadCloseResolvesTheRelatedFileIdFromTheCreateResponse() {
        SmbConversation conversation = connected(SIGNING_ENABLED, SIGNING_ENABLED, 0);
        byte[] requests = frame(
                request(Smb2Command.CREATE, 10, Smb2Builder.createRequest("vm\\disk.vmdk")),
                request(Smb2Command.READ, 11, Smb2Builder.readRequest(FileId.RELATED, 4096, 512)).related(),
                request(Smb2Command.CLOSE, 12, Smb2Builder.closeRequest(FileId.RELATED,
                        CloseRequest.FLAG_POSTQUERY_ATTRIB)).related());
        List<Smb2Message> sent = messages(conversation, requests);
        assertEquals(3, sent.size());
        // each message but the last is padded to 8 bytes; NextCommand is its padded length
        // CREATE: 64 + 56 + 24 bytes of name; READ: 64 + 49, padded to 120
        assertEquals(new FrameRange(4, 144), sent.get(0).range());
        assertEquals(new FrameRange(148, 120), sent.get(1).range());
        assertEquals(new FrameRange(268, 88), sent.get(2).range());
        assertEquals("vm\\disk.vmdk", ((CreateRequest) sent.get(0).body()).name());
        assertNull(sent.get(1).file(), "the FileId is only known from the CREATE response");
        assertEquals(3, conversation.pendingRequests());

        byte[] data = new byte[512];
        Arrays.fill(data, (byte) 0x5A);
        byte[] responses = frame(
                response(Smb2Command.CREATE, 10, Smb2Builder.createResponse(DISK, 1 << 20)),
                response(Smb2Command.READ, 11, Smb2Builder.readResponse(data)).related(),
                response(Smb2Command.CLOSE, 12, Smb2Builder.closeResponse(CloseRequest.FLAG_POSTQUERY_ATTRIB, 1 << 20))
                        .related());
        Smb2Compound answered = (Smb2Compound) decode(conversation, responses);
        OpenFile disk = new OpenFile(DISK, "vm\\disk.vmdk", SHARE, SESSION, TREE);
        assertEquals(disk, answered.messages().get(0).file());
        assertEquals(List.of(new SmbFileData(disk, DISK, 4096, new FrameRange(156 + 80, 512), false)),
                answered.fileData());
        assertArrayEquals(data, Arrays.copyOfRange(responses, 236, 236 + 512));
        Smb2Response close = (Smb2Response) answered.messages().get(2);
        assertEquals(disk, close.file());
        assertEquals(1 << 20, ((CloseResponse) close.body()).info().endOfFile());
        assertNull(conversation.openFile(DISK), "closed");
        assertEquals(0, conversation.pendingRequests());
    }

    @Test
    void aRelatedWriteAfterACreateHasNoFileUntilTheResponses() {
        SmbConversation conversation = connected(SIGNING_ENABLED, SIGNING_ENABLED, 0);
        byte[] data = {1, 2, 3, 4, 5};
        List<Smb2Message> sent = messages(conversation, frame(
                request(Smb2Command.CREATE, 20, Smb2Builder.createRequest("new.bin")),
                request(Smb2Command.WRITE, 21, Smb2Builder.writeRequest(FileId.RELATED, 0, data)).related()));
        SmbFileData written = SmbFileData.of(sent.get(1));
        assertNull(written.file());
        assertEquals(FileId.RELATED, written.fileId());
        assertTrue(written.written());
        // after the CREATE (64 + 56 + 14 bytes of name, padded to 136) and the WRITE's fixed part
        assertEquals(new FrameRange(4 + 136 + 112, 5), written.data());
        List<Smb2Message> answered = messages(conversation, frame(
                response(Smb2Command.CREATE, 20, Smb2Builder.createResponse(DISK, 0)),
                response(Smb2Command.WRITE, 21, Smb2Builder.writeResponse(5)).related()));
        assertEquals("new.bin", answered.get(1).file().name());
        assertEquals(new WriteResponse(5, 0), answered.get(1).body());
        // a later, separate READ of the same FileId knows the file at once
        Smb2Message read = only(conversation, frame(request(Smb2Command.READ, 22, Smb2Builder.readRequest(DISK, 0, 5))));
        assertEquals("new.bin", read.file().name());
    }

    @Test
    void relatedSessionAndTreeIdsAreThoseOfTheMessageBefore() {
        SmbConversation conversation = connected(SIGNING_ENABLED, SIGNING_ENABLED, 0);
        messages(conversation, frame(
                request(Smb2Command.CREATE, 30, Smb2Builder.createRequest("a.txt")),
                request(Smb2Command.CLOSE, 31, Smb2Builder.closeRequest(FileId.RELATED, 0)).related()
                        .session(Smb2Header.RELATED_SESSION_ID).tree(0xFFFF_FFFF)));
        messages(conversation, frame(
                response(Smb2Command.CREATE, 30, Smb2Builder.createResponse(DISK, 7)),
                response(Smb2Command.CLOSE, 31, Smb2Builder.closeResponse(0, 0)).related()
                        .session(Smb2Header.RELATED_SESSION_ID).tree(0xFFFF_FFFF)));
        assertNull(conversation.openFile(DISK));
        assertEquals(0, conversation.pendingRequests());
    }

    @Test
    void anErrorResponseAnswersItsRequest() {
        SmbConversation conversation = connected(SIGNING_ENABLED, SIGNING_ENABLED, 0);
        openDisk(conversation);
        only(conversation, frame(request(Smb2Command.READ, 40, Smb2Builder.readRequest(DISK, 1 << 20, 65536))));
        Smb2Response eof = (Smb2Response) only(conversation, frame(response(Smb2Command.READ, 40,
                Smb2Builder.errorResponse()).status(NtStatus.END_OF_FILE)));
        assertEquals(new ErrorResponse(0, new FrameRange(76, 0)), eof.body());
        assertEquals("disk.vmdk", eof.file().name());
        assertNotNull(eof.request());
        assertNull(SmbFileData.of(eof));
        assertEquals(0, conversation.pendingRequests());
    }

    @Test
    void anInterimPendingResponseKeepsTheReadPendingAndTheFinalOneCarriesTheData() {
        SmbConversation conversation = connected(SIGNING_ENABLED, SIGNING_ENABLED, 0);
        openDisk(conversation);
        Smb2Message read = only(conversation, frame(request(Smb2Command.READ, 41, Smb2Builder.readRequest(DISK, 8192,
                3))));
        Smb2Response interim = (Smb2Response) only(conversation, frame(response(Smb2Command.READ, 41,
                Smb2Builder.errorResponse()).status(NtStatus.PENDING).async(0x99)));
        assertEquals(new InterimResponse(0x99), interim.body());
        assertTrue(interim.isInterim());
        assertSame(read, interim.request());
        assertSame(read, conversation.pendingRequest(41));
        Smb2Response last = (Smb2Response) only(conversation, frame(response(Smb2Command.READ, 41,
                Smb2Builder.readResponse(new byte[] {7, 8, 9})).async(0x99)));
        assertSame(read, last.request());
        assertEquals(new SmbFileData(last.file(), DISK, 8192, new FrameRange(84, 3), false), SmbFileData.of(last));
        assertNull(conversation.pendingRequest(41));
        assertEquals(0, conversation.unmatchedResponses());
    }

    @Test
    void statusesThatCarryANormalBodyAreNotErrors() {
        SmbConversation conversation = new SmbConversation(SmbLimits.defaults());
        Smb2Message moreProcessing = only(conversation, frame(response(Smb2Command.SESSION_SETUP, 1,
                Smb2Builder.sessionSetupResponse(0)).status(NtStatus.MORE_PROCESSING_REQUIRED)));
        assertTrue(moreProcessing.body() instanceof SessionSetupResponse);
        Smb2Message logonFailure = only(conversation, frame(response(Smb2Command.SESSION_SETUP, 2,
                Smb2Builder.errorResponse()).status(NtStatus.LOGON_FAILURE)));
        assertTrue(logonFailure.body() instanceof ErrorResponse);
        Smb2Message overflow = only(conversation, frame(response(Smb2Command.QUERY_INFO, 3,
                Smb2Builder.opaqueBody(9, 40)).status(NtStatus.BUFFER_OVERFLOW)));
        assertEquals(new NotUnderstood(NotUnderstood.Reason.NOT_FOLLOWED, "QUERY_INFO response"), overflow.body());
        Smb2Message denied = only(conversation, frame(response(Smb2Command.QUERY_INFO, 4,
                Smb2Builder.errorResponse()).status(NtStatus.ACCESS_DENIED)));
        assertTrue(denied.body() instanceof ErrorResponse);
        Smb2Message pipeOverflow = only(conversation, frame(response(Smb2Command.READ, 5,
                Smb2Builder.readResponse(new byte[4])).status(NtStatus.BUFFER_OVERFLOW)));
        assertEquals(4, ((ReadResponse) pipeOverflow.body()).data().length());
    }

    @Test
    void unknownCommandsAndUnfollowedOnesAreValuesAndStillMatched() {
        SmbConversation conversation = new SmbConversation(SmbLimits.defaults());
        Smb2Command unknown = Smb2Command.valueOf(0x77);
        assertFalse(unknown.isKnown());
        Smb2Message sent = only(conversation, frame(request(unknown, 50, Smb2Builder.opaqueBody(2, 2))));
        assertEquals(new NotUnderstood(NotUnderstood.Reason.UNKNOWN_COMMAND, "UNKNOWN(119) request"), sent.body());
        Smb2Response answered = (Smb2Response) only(conversation, frame(response(unknown, 50,
                Smb2Builder.opaqueBody(2, 2))));
        assertSame(sent, answered.request());
        Smb2Message queryInfo = only(conversation, frame(request(Smb2Command.QUERY_INFO, 51,
                Smb2Builder.opaqueBody(41, 40))));
        assertEquals(NotUnderstood.Reason.NOT_FOLLOWED, ((NotUnderstood) queryInfo.body()).reason());
    }

    @Test
    void aResponseOfAnotherCommandDoesNotAnswerTheRequest() {
        SmbConversation conversation = new SmbConversation(SmbLimits.defaults());
        only(conversation, frame(request(Smb2Command.READ, 54, Smb2Builder.readRequest(DISK, 0, 1))));
        Smb2Response forged = (Smb2Response) only(conversation, frame(response(Smb2Command.CREATE, 54,
                Smb2Builder.createResponse(DISK, 0))));
        assertNull(forged.request());
        assertNull(conversation.openFile(DISK));
    }

    @Test
    void breakNotificationsAndCancelsAreNotMatchedAsRequestAndResponse() {
        SmbConversation conversation = new SmbConversation(SmbLimits.defaults());
        Smb2Response notification = (Smb2Response) only(conversation, frame(response(Smb2Command.OPLOCK_BREAK,
                Smb2Header.UNSOLICITED_MESSAGE_ID, Smb2Builder.opaqueBody(24, 24))));
        assertNull(notification.request());
        only(conversation, frame(request(Smb2Command.CANCEL, 52, Smb2Builder.opaqueBody(4, 4)).async(7)));
        assertEquals(0, conversation.pendingRequests());
        assertEquals(0, conversation.unmatchedResponses());
        only(conversation, frame(response(Smb2Command.READ, 53, Smb2Builder.readResponse(new byte[1]))));
        assertEquals(1, conversation.unmatchedResponses());
    }

    @Test
    void pendingRequestsAndOpenFilesAreBoundedOldestFirst() {
        SmbConversation conversation = new SmbConversation(new SmbLimits(4, 2, 1, 2, 2, 64, 8));
        for (long id = 1; id <= 3; id++) {
            only(conversation, frame(request(Smb2Command.ECHO, id, Smb2Builder.opaqueBody(4, 4))));
        }
        assertEquals(2, conversation.pendingRequests());
        assertEquals(1, conversation.evictedRequests());
        only(conversation, frame(response(Smb2Command.ECHO, 1, Smb2Builder.opaqueBody(4, 4))));
        assertEquals(1, conversation.unmatchedResponses());
        assertNotNull(conversation.pendingRequest(3));

        for (int i = 0; i < 2; i++) {
            FileId fileId = new FileId(i, i);
            only(conversation, frame(request(Smb2Command.CREATE, 10 + i, Smb2Builder.createRequest("f" + i))));
            only(conversation, frame(response(Smb2Command.CREATE, 10 + i, Smb2Builder.createResponse(fileId, 0))));
        }
        assertEquals(1, conversation.openFiles());
        assertEquals(1, conversation.evictedOpenFiles());
        assertNull(conversation.openFile(new FileId(0, 0)));
        assertEquals("f1", conversation.openFile(new FileId(1, 1)).name());
    }

    @Test
    void signingRequiredByEitherSideMakesTheSessionSignedUnlessItIsAGuest() {
        assertEquals(SmbSession.Protection.NONE, connected(SIGNING_ENABLED, SIGNING_ENABLED, 0).session(SESSION)
                .protection());
        assertEquals(SmbSession.Protection.SIGNED, connected(SIGNING_REQUIRED, SIGNING_ENABLED, 0).session(SESSION)
                .protection());
        assertEquals(SmbSession.Protection.SIGNED, connected(SIGNING_ENABLED, SIGNING_REQUIRED, 0).session(SESSION)
                .protection());
        SmbSession guest = connected(SIGNING_REQUIRED, SIGNING_REQUIRED, SessionSetupResponse.IS_GUEST)
                .session(SESSION);
        assertTrue(guest.isGuest());
        assertEquals(SmbSession.Protection.NONE, guest.protection());
    }

    @Test
    void encryptionComesFromTheSessionTheShareOrTransformHeaders() {
        assertEquals(SmbSession.Protection.ENCRYPTED, connected(SIGNING_ENABLED, SIGNING_ENABLED,
                SessionSetupResponse.ENCRYPT_DATA).session(SESSION).protection());

        SmbConversation encryptedShare = connected(SIGNING_ENABLED, SIGNING_ENABLED, 0);
        only(encryptedShare, frame(request(Smb2Command.TREE_CONNECT, 60, Smb2Builder.treeConnectRequest(
                "\\\\server\\secret"))));
        only(encryptedShare, frame(response(Smb2Command.TREE_CONNECT, 60, Smb2Builder.treeConnectResponse(
                TreeConnectResponse.SHAREFLAG_ENCRYPT_DATA)).tree(6)));
        assertTrue(encryptedShare.tree(SESSION, 6).encryptData());
        assertEquals(SmbSession.Protection.ENCRYPTED, encryptedShare.session(SESSION).protection());

        SmbConversation conversation = new SmbConversation(SmbLimits.defaults());
        byte[] transform = new Smb2Builder.Le().u8(0xFD).u8('S').u8('M').u8('B').zeros(32).u32(100).u16(0).u16(1)
                .u64(0xABCDL).zeros(100).toBytes();
        assertEquals(new TransformHeader(100, TransformHeader.FLAG_ENCRYPTED, 0xABCD, 100),
                decode(conversation, Smb2Builder.transport(transform)));
        assertEquals(1, conversation.session(0xABCD).encryptedFrames());
        assertEquals(SmbSession.Protection.ENCRYPTED, conversation.session(0xABCD).protection());
    }

    @Test
    void negotiateTellsTheDialectAndWhetherEncryptionIsPossible() {
        SmbConversation smb30 = new SmbConversation(SmbLimits.defaults());
        NegotiateRequest offered = (NegotiateRequest) only(smb30, frame(request(Smb2Command.NEGOTIATE, 0,
                Smb2Builder.negotiateRequest(SIGNING_ENABLED, 0x0202, 0x0210, 0x0300, 0x0302, 0x0999)))).body();
        assertEquals(List.of(Smb2Dialect.SMB_2_0_2, Smb2Dialect.SMB_2_1, Smb2Dialect.SMB_3_0, Smb2Dialect.SMB_3_0_2,
                Smb2Dialect.valueOf(0x0999)), offered.dialects());
        assertEquals("UNKNOWN(2457)", offered.dialects().get(4).name());
        only(smb30, frame(response(Smb2Command.NEGOTIATE, 0, Smb2Builder.negotiateResponse(0x0300, SIGNING_ENABLED,
                NegotiateResponse.CAP_ENCRYPTION, 0))));
        assertTrue(smb30.negotiated().supportsEncryption());

        SmbConversation smb311 = new SmbConversation(SmbLimits.defaults());
        only(smb311, frame(response(Smb2Command.NEGOTIATE, 0, Smb2Builder.negotiateResponse(0x0311, SIGNING_REQUIRED,
                0, 0))));
        assertEquals(List.of(0), smb311.negotiated().contexts().ciphers());
        assertFalse(smb311.negotiated().supportsEncryption(), "cipher 0: no common cipher");
        assertTrue(smb311.negotiated().signingRequired());
    }

    @Test
    void otherProtocolsAreValues() {
        SmbConversation conversation = new SmbConversation(SmbLimits.defaults());
        byte[] compressed = new Smb2Builder.Le().u8(0xFC).u8('S').u8('M').u8('B').u32(4096).u16(5).u16(0).u32(64)
                .zeros(100).toBytes();
        assertEquals(new CompressionTransformHeader(4096, 5, false, 64),
                decode(conversation, Smb2Builder.transport(compressed)));
        assertEquals(new Smb1Message(0x72), decode(conversation, Smb2Builder.transport(new byte[] {(byte) 0xFF, 'S',
                'M', 'B', 0x72, 0, 0})));
        assertEquals(new UnknownProtocol(2), decode(conversation, Smb2Builder.transport(new byte[] {1, 2})));
    }

    @Test
    void logoffAndTreeDisconnectForgetTheirState() {
        SmbConversation conversation = connected(SIGNING_ENABLED, SIGNING_ENABLED, 0);
        openDisk(conversation);
        assertNotNull(conversation.tree(SESSION, TREE));
        only(conversation, frame(request(Smb2Command.TREE_DISCONNECT, 70, Smb2Builder.opaqueBody(4, 4))));
        only(conversation, frame(response(Smb2Command.TREE_DISCONNECT, 70, Smb2Builder.opaqueBody(4, 4))));
        assertNull(conversation.tree(SESSION, TREE));
        only(conversation, frame(request(Smb2Command.LOGOFF, 71, Smb2Builder.opaqueBody(4, 4))));
        only(conversation, frame(response(Smb2Command.LOGOFF, 71, Smb2Builder.opaqueBody(4, 4))));
        assertNull(conversation.session(SESSION));
        assertNull(conversation.openFile(DISK));
    }

    @Test
    void fileTimesAreFileTimes() {
        assertEquals(java.time.Instant.parse("2026-11-26T12:36:22.942097500Z"),
                NetworkOpenInfo.instant(134_401_701_829_420_975L));
    }

    /** NEGOTIATE, SESSION_SETUP and TREE_CONNECT of session {@link #SESSION} to tree {@link #TREE} of {@link #SHARE}. */
    private static SmbConversation connected(int serverSecurityMode, int clientSecurityMode, int sessionFlags) {
        SmbConversation conversation = new SmbConversation(SmbLimits.defaults());
        only(conversation, frame(request(Smb2Command.NEGOTIATE, 0, Smb2Builder.negotiateRequest(clientSecurityMode,
                0x0210, 0x0311))));
        only(conversation, frame(response(Smb2Command.NEGOTIATE, 0, Smb2Builder.negotiateResponse(0x0311,
                serverSecurityMode, 0, NegotiateContexts.AES_128_GCM))));
        only(conversation, frame(request(Smb2Command.SESSION_SETUP, 1, Smb2Builder.sessionSetupRequest(
                clientSecurityMode))));
        only(conversation, frame(response(Smb2Command.SESSION_SETUP, 1, Smb2Builder.sessionSetupResponse(
                sessionFlags)).signed()));
        only(conversation, frame(request(Smb2Command.TREE_CONNECT, 2, Smb2Builder.treeConnectRequest(SHARE))));
        only(conversation, frame(response(Smb2Command.TREE_CONNECT, 2, Smb2Builder.treeConnectResponse(0))));
        SmbSession session = conversation.session(SESSION);
        assertTrue(session.isEstablished());
        assertEquals(1, session.signedMessages());
        assertEquals(SHARE, conversation.tree(SESSION, TREE).path());
        return conversation;
    }

    /** Opens "disk.vmdk" as {@link #DISK}. */
    private static void openDisk(SmbConversation conversation) {
        only(conversation, frame(request(Smb2Command.CREATE, 3, Smb2Builder.createRequest("disk.vmdk"))));
        only(conversation, frame(response(Smb2Command.CREATE, 3, Smb2Builder.createResponse(DISK, 1 << 30))));
        assertEquals("disk.vmdk", conversation.openFile(DISK).name());
    }
}
