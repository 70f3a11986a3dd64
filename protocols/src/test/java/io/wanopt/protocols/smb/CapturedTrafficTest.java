package io.wanopt.protocols.smb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Real smbclient ↔ Samba connections (src/test/resources/smb/README.md) through the whole decoding path. */
class CapturedTrafficTest {

    private static final String SHARE = "\\\\127.0.0.1\\share";
    /** The share's small.bin and the uploaded file, as the capture program made them. */
    private static final byte[] SMALL_BIN = randomBytes(6, 20_000);
    private static final byte[] UPLOADED = randomBytes(7, 12_000);
    private static final List<String> FIXTURES = List.of("smb311-get-put.txt", "smb210-get-put.txt",
            "smb311-signed-get-put.txt", "smb311-encrypted-get-put.txt", "smb311-guest-ls.txt");

    @Test
    void smb311GetAndPutAreFollowedToTheFileBytes() {
        SmbConversation conversation = new SmbConversation(SmbLimits.defaults());
        List<SmbCapture.Decoded> decoded = SmbCapture.load("smb311-get-put.txt").replay(conversation);
        NegotiateResponse negotiated = conversation.negotiated();
        assertEquals(Smb2Dialect.SMB_3_1_1, negotiated.dialect());
        assertEquals(List.of(NegotiateContexts.AES_128_GCM), negotiated.contexts().ciphers());
        assertEquals(List.of(NegotiateContexts.AES_GMAC), negotiated.contexts().signingAlgorithms());
        assertTrue(negotiated.supportsEncryption());
        assertFalse(negotiated.signingRequired());
        assertEquals(16_384, negotiated.maxReadSize());
        NegotiateRequest offered = (NegotiateRequest) decoded.get(0).messages().get(0).body();
        assertEquals(List.of(Smb2Dialect.SMB_2_0_2, Smb2Dialect.SMB_2_1, Smb2Dialect.SMB_3_0, Smb2Dialect.SMB_3_0_2,
                Smb2Dialect.SMB_3_1_1), offered.dialects());
        SmbSession session = onlySession(conversation, decoded);
        assertEquals(SmbSession.Protection.NONE, session.protection());
        assertFileTransfers(decoded, "up.bin");
        // Samba's default signing ("enabled, not required") signs only session setup and tree connects
        assertTrue(readsAndWrites(decoded).noneMatch(m -> m.header().isSigned()));
    }

    @Test
    void interimPendingResponseLeavesTheWritePendingUntilItsFinalResponse() {
        List<SmbCapture.Decoded> decoded = replay("smb311-get-put.txt");
        List<Smb2Response> writeResponses = messages(decoded).filter(m -> m.header().command().equals(Smb2Command.WRITE))
                .filter(Smb2Response.class::isInstance).map(Smb2Response.class::cast).toList();
        assertEquals(2, writeResponses.size());
        Smb2Response interim = writeResponses.get(0);
        Smb2Response last = writeResponses.get(1);
        assertTrue(interim.isInterim());
        assertEquals(NtStatus.PENDING, interim.header().status());
        assertTrue(interim.header().isAsync());
        assertEquals(interim.header().asyncId(), ((InterimResponse) interim.body()).asyncId());
        assertEquals(interim.messageId(), last.messageId());
        assertEquals(last.request(), interim.request());
        assertTrue(last.request().body() instanceof WriteRequest);
        assertEquals(new WriteResponse(12_000, 0), last.body());
        assertEquals("up.bin", last.file().name());
    }

    @Test
    void smb21GetAndPutAreFollowedToTheFileBytes() {
        SmbConversation conversation = new SmbConversation(SmbLimits.defaults());
        List<SmbCapture.Decoded> decoded = SmbCapture.load("smb210-get-put.txt").replay(conversation);
        assertEquals(Smb2Dialect.SMB_2_1, conversation.negotiated().dialect());
        assertEquals(NegotiateContexts.NONE, conversation.negotiated().contexts());
        assertFalse(conversation.negotiated().supportsEncryption());
        assertEquals(SmbSession.Protection.NONE, onlySession(conversation, decoded).protection());
        assertFileTransfers(decoded, "up210.bin");
    }

    @Test
    void mandatorySigningMarksTheSessionSignedAndLeavesTheDataReadable() {
        SmbConversation conversation = new SmbConversation(SmbLimits.defaults());
        List<SmbCapture.Decoded> decoded = SmbCapture.load("smb311-signed-get-put.txt").replay(conversation);
        assertTrue(conversation.negotiated().signingRequired());
        SmbSession session = onlySession(conversation, decoded);
        assertTrue(session.signingRequired());
        assertEquals(SmbSession.Protection.SIGNED, session.protection());
        assertTrue(readsAndWrites(decoded).count() >= 6);
        assertTrue(readsAndWrites(decoded).allMatch(m -> m.header().isSigned()));
        assertTrue(readsAndWrites(decoded).allMatch(m -> !isZero(decodedOf(decoded, m).bytes(m.header().signature()))));
        assertFileTransfers(decoded, "up.bin");
    }

    @Test
    void requiredEncryptionLeavesOnlyTransformHeadersAfterSessionSetup() {
        SmbConversation conversation = new SmbConversation(SmbLimits.defaults());
        List<SmbCapture.Decoded> decoded = SmbCapture.load("smb311-encrypted-get-put.txt").replay(conversation);
        SmbSession session = onlySession(conversation, decoded);
        assertEquals(SmbSession.Protection.ENCRYPTED, session.protection());
        assertEquals(SessionSetupResponse.ENCRYPT_DATA, session.sessionFlags() & SessionSetupResponse.ENCRYPT_DATA);
        int lastSetup = 0;
        for (int i = 0; i < decoded.size(); i++) {
            if (decoded.get(i).messages().stream().anyMatch(m -> m.body() instanceof SessionSetupResponse r
                    && m.header().status().isSuccess())) {
                lastSetup = i;
            }
        }
        List<SmbCapture.Decoded> after = decoded.subList(lastSetup + 1, decoded.size());
        assertEquals(26, after.size());
        for (SmbCapture.Decoded frame : after) {
            TransformHeader transform = (TransformHeader) frame.content();
            assertEquals(session.sessionId(), transform.sessionId());
            assertEquals(TransformHeader.FLAG_ENCRYPTED, transform.flags());
            assertEquals(transform.originalMessageSize(), transform.encryptedLength());
            assertEquals(frame.wire().length - 4 - TransformHeader.LENGTH, transform.encryptedLength());
        }
        assertEquals(after.size(), session.encryptedFrames());
        assertEquals(0, readsAndWrites(decoded).count());
        // the 16 KiB READ response is there, encrypted: 64 + 16 + 16384 bytes
        assertTrue(after.stream().anyMatch(f -> ((TransformHeader) f.content()).originalMessageSize() == 16_464));
    }

    @Test
    void guestSessionIsNeitherSignedNorEncrypted() {
        SmbConversation conversation = new SmbConversation(SmbLimits.defaults());
        List<SmbCapture.Decoded> decoded = SmbCapture.load("smb311-guest-ls.txt").replay(conversation);
        SmbSession session = onlySession(conversation, decoded);
        assertTrue(session.isGuest());
        assertEquals(SmbSession.Protection.NONE, session.protection());
        assertTrue(messages(decoded).anyMatch(m -> m.body() instanceof NotUnderstood n
                && n.detail().equals("QUERY_DIRECTORY response")));
    }

    private static final int FSCTL_DFS_GET_REFERRALS = 0x0006_0194;
    private static final int FSCTL_VALIDATE_NEGOTIATE_INFO = 0x0014_0204;

    @Test
    void ioctlRequestsSayWhatTheyDo() {
        List<SmbCapture.Decoded> decoded = SmbCapture.load("smb210-get-put.txt")
                .replay(new SmbConversation(SmbLimits.defaults()));
        List<IoctlRequest> ioctls = messages(decoded).map(Smb2Message::body).filter(IoctlRequest.class::isInstance)
                .map(IoctlRequest.class::cast).toList();
        // smbclient asks for DFS referrals and validates the negotiation of SMB 2.1 ([MS-SMB2] 2.2.31).
        assertEquals(Set.of(FSCTL_DFS_GET_REFERRALS, FSCTL_VALIDATE_NEGOTIATE_INFO),
                ioctls.stream().map(IoctlRequest::ctlCode).collect(Collectors.toSet()));
        for (IoctlRequest ioctl : ioctls) {
            assertEquals(IoctlRequest.FLAG_IS_FSCTL, ioctl.flags());
            assertEquals(new FileId(-1, -1), ioctl.fileId(), "to no open");
        }
    }

    @Test
    void everyFixtureDecodesWithEveryResponseMatchedAndNothingLeftOver() {
        for (String name : FIXTURES) {
            SmbConversation conversation = new SmbConversation(SmbLimits.defaults());
            List<SmbCapture.Decoded> decoded = SmbCapture.load(name).replay(conversation);
            assertTrue(decoded.size() >= 28, name);
            messages(decoded).forEach(m -> {
                if (m.body() instanceof NotUnderstood notUnderstood) {
                    assertEquals(NotUnderstood.Reason.NOT_FOLLOWED, notUnderstood.reason(), name + " " + m);
                    // IOCTL requests are read for their CtlCode; their responses are not followed.
                    assertFalse(Smb2BodyDecoder.follows(m.header().command())
                            && !(m.header().command().equals(Smb2Command.IOCTL) && m instanceof Smb2Response),
                            name + " " + m);
                }
                if (m instanceof Smb2Response response) {
                    assertNotNull(response.request(), name + " " + m);
                    assertEquals(response.header().command(), response.request().header().command(), name);
                }
            });
            assertEquals(0, conversation.pendingRequests(), name);
            assertEquals(0, conversation.unmatchedResponses(), name);
            assertEquals(0, conversation.openFiles(), name);
        }
    }

    /** The READ data of small.bin is the share's file and the WRITE data the uploaded one, byte for byte. */
    private static void assertFileTransfers(List<SmbCapture.Decoded> decoded, String uploadName) {
        CreateResponse opened = messages(decoded).filter(m -> m.body() instanceof CreateResponse
                && m.file().name().equals("small.bin")).map(m -> (CreateResponse) m.body()).findFirst().orElseThrow();
        assertEquals(20_000, opened.info().endOfFile());
        assertEquals(CreateResponse.FILE_OPENED, opened.createAction());
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        List<Located> reads = fileData(decoded).filter(d -> !d.data().written())
                .sorted(Comparator.comparingLong(d -> d.data().fileOffset())).toList();
        assertEquals(List.of(0L, 16_384L), reads.stream().map(d -> d.data().fileOffset()).toList());
        for (Located located : reads) {
            assertEquals("small.bin", located.data().file().name());
            assertEquals(SHARE, located.data().file().share());
            assertEquals(opened.fileId(), located.data().fileId());
            assertEquals(read.size(), located.data().fileOffset());
            read.writeBytes(located.frame().bytes(located.data().data()));
        }
        assertEquals(sha256(SMALL_BIN), sha256(read.toByteArray()));
        assertArrayEquals(SMALL_BIN, read.toByteArray());
        List<Located> writes = fileData(decoded).filter(d -> d.data().written()).toList();
        assertEquals(1, writes.size());
        assertEquals(uploadName, writes.get(0).data().file().name());
        assertEquals(0, writes.get(0).data().fileOffset());
        assertEquals(sha256(UPLOADED), sha256(writes.get(0).frame().bytes(writes.get(0).data().data())));
    }

    private record Located(SmbCapture.Decoded frame, SmbFileData data) {
    }

    private static java.util.stream.Stream<Located> fileData(List<SmbCapture.Decoded> decoded) {
        return decoded.stream().filter(d -> d.content() instanceof Smb2Compound)
                .flatMap(d -> ((Smb2Compound) d.content()).fileData().stream().map(data -> new Located(d, data)));
    }

    private static java.util.stream.Stream<Smb2Message> messages(List<SmbCapture.Decoded> decoded) {
        return decoded.stream().flatMap(d -> d.messages().stream());
    }

    private static java.util.stream.Stream<Smb2Message> readsAndWrites(List<SmbCapture.Decoded> decoded) {
        return messages(decoded).filter(m -> m.header().command().equals(Smb2Command.READ)
                || m.header().command().equals(Smb2Command.WRITE));
    }

    private static SmbCapture.Decoded decodedOf(List<SmbCapture.Decoded> decoded, Smb2Message message) {
        return decoded.stream().filter(d -> d.messages().contains(message)).findFirst().orElseThrow();
    }

    /** The one session of a capture: the SessionId of its final SESSION_SETUP response. */
    private static SmbSession onlySession(SmbConversation conversation, List<SmbCapture.Decoded> decoded) {
        long sessionId = messages(decoded).filter(m -> m.body() instanceof SessionSetupResponse
                && m.header().status().isSuccess()).findFirst().orElseThrow().header().sessionId();
        SmbSession session = conversation.session(sessionId);
        assertTrue(session.isEstablished());
        return session;
    }

    private static List<SmbCapture.Decoded> replay(String name) {
        return SmbCapture.load(name).replay(new SmbConversation(SmbLimits.defaults()));
    }

    private static boolean isZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] randomBytes(long seed, int length) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
