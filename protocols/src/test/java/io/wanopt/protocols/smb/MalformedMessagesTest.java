package io.wanopt.protocols.smb;

import static io.wanopt.protocols.smb.Exchanges.decode;
import static io.wanopt.protocols.smb.Smb2Builder.frame;
import static io.wanopt.protocols.smb.Smb2Builder.request;
import static io.wanopt.protocols.smb.Smb2Builder.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.wanopt.protocols.MalformedInputException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Frames that break [MS-SMB2] throw {@link MalformedInputException} naming the field, its value, the limit
 * and where it is, and change nothing in the conversation.
 */
class MalformedMessagesTest {

    private static final FileId FILE = new FileId(1, 2);

    @Test
    void nextCommandMustStayInTheFrameBeEightByteAlignedAndSpanAHeader() {
        byte[] echo = Smb2Builder.opaqueBody(4, 4);
        assertMalformed("SMB2 frame at stream offset 0: NextCommand 200 exceeds 68 at offset 24",
                frame(request(Smb2Command.ECHO, 1, echo).nextCommand(200)));
        assertMalformed("SMB2 frame at stream offset 0: NextCommand 68 is invalid (expected: 0, or a multiple of 8 >= 64)"
                + " at offset 24", frame(request(Smb2Command.ECHO, 1, echo).nextCommand(68),
                        request(Smb2Command.ECHO, 2, echo)));
        assertMalformed("SMB2 frame at stream offset 0: NextCommand 56 is invalid (expected: 0, or a multiple of 8 >= 64)"
                + " at offset 24", frame(request(Smb2Command.ECHO, 1, echo).nextCommand(56)));
        assertMalformed("SMB2 frame at stream offset 0: NextCommand 2147483648 exceeds 68 at offset 24",
                frame(request(Smb2Command.ECHO, 1, echo).nextCommand(0x8000_0000L)));
        // pointing exactly at the end of the frame promises a message that is not there
        assertMalformed("SMB2 frame at stream offset 0: SMB2 header needs 64 bytes but only 0 remain at offset 76",
                frame(request(Smb2Command.ECHO, 1, Arrays.copyOf(echo, 8)).nextCommand(72)));
    }

    @Test
    void everyCompoundedMessageNeedsItsOwnValidHeader() {
        byte[] chain = frame(request(Smb2Command.ECHO, 1, Smb2Builder.opaqueBody(4, 4)),
                request(Smb2Command.ECHO, 2, Smb2Builder.opaqueBody(4, 4)));
        chain[4 + 72] = (byte) 0xFD;
        assertMalformed("SMB2 frame at stream offset 0: SMB2 ProtocolId 0xFD534D42 is invalid (expected: 0xFE534D42) at"
                + " offset 76", chain);
        byte[] header = frame(request(Smb2Command.ECHO, 1, Smb2Builder.opaqueBody(4, 4)));
        header[8] = 65;
        assertMalformed("SMB2 frame at stream offset 0: SMB2 header StructureSize 65 is invalid (expected: 64) at offset 8",
                header);
        assertMalformed("SMB2 frame at stream offset 0: SMB2 header needs 64 bytes but only 10 remain at offset 4",
                Smb2Builder.transport(Arrays.copyOfRange(frame(request(Smb2Command.ECHO, 1, new byte[0])), 4, 14)));
    }

    @Test
    void compoundsLongerThanTheCapAreMalformed() {
        Smb2Builder.Message[] chain = new Smb2Builder.Message[5];
        for (int i = 0; i < chain.length; i++) {
            chain[i] = request(Smb2Command.ECHO, i, Smb2Builder.opaqueBody(4, 4));
        }
        MalformedInputException e = assertThrows(MalformedInputException.class, () -> decode(
                new SmbConversation(new SmbLimits(4, 8, 8, 8, 8, 64, 8)), frame(chain)));
        assertEquals("SMB2 frame at stream offset 0: compounded messages 5 exceeds 4 at offset 292", e.getMessage());
    }

    @Test
    void dataRangesMustLieInTheirMessage() {
        byte[] read = Smb2Builder.readResponse(new byte[16]);
        read[4] = 17; // DataLength 17 of 16 present
        assertMalformed("SMB2 frame at stream offset 0: MessageId 9 (READ response): READ response data needs 17 bytes"
                + " but only 16 remain at offset 84", frame(response(Smb2Command.READ, 9, read)));
        read = Smb2Builder.readResponse(new byte[16]);
        read[2] = 64; // DataOffset into the header
        assertMalformed("SMB2 frame at stream offset 0: MessageId 9 (READ response): READ response data offset 64 is"
                + " invalid (expected: >= 80) at offset 70", frame(response(Smb2Command.READ, 9, read)));
        read = Smb2Builder.readResponse(new byte[16]);
        read[4] = read[5] = read[6] = read[7] = (byte) 0xFF; // DataLength 4 GiB - 1
        assertMalformed("SMB2 frame at stream offset 0: MessageId 9 (READ response): READ response data needs"
                + " 4294967295 bytes but only 16 remain at offset 84", frame(response(Smb2Command.READ, 9, read)));
        byte[] write = Smb2Builder.writeRequest(FILE, 0, new byte[8]);
        write[2] = (byte) 0xF0; // DataOffset 240 past the message
        assertMalformed("SMB2 frame at stream offset 0: MessageId 9 (WRITE request): WRITE request data needs 8 bytes"
                + " but only 0 remain at offset 124", frame(request(Smb2Command.WRITE, 9, write)));
    }

    @Test
    void fixedPartsAndStructureSizesAreChecked() {
        assertMalformed("SMB2 frame at stream offset 0: MessageId 9 (READ request): READ request needs 48 bytes but"
                + " only 40 remain at offset 68", frame(request(Smb2Command.READ, 9, Arrays.copyOf(
                        Smb2Builder.readRequest(FILE, 0, 1), 40))));
        byte[] close = Smb2Builder.closeRequest(FILE, 0);
        close[0] = 25;
        assertMalformed("SMB2 frame at stream offset 0: MessageId 9 (CLOSE request): CLOSE request StructureSize 25 is"
                + " invalid (expected: 24) at offset 68", frame(request(Smb2Command.CLOSE, 9, close)));
        assertMalformed("SMB2 frame at stream offset 0: MessageId 9 (CLOSE response): CLOSE response StructureSize"
                + " needs 2 bytes but only 0 remain at offset 68", frame(response(Smb2Command.CLOSE, 9, new byte[0])));
    }

    @Test
    void namesAreBoundedEvenAndInTheMessage() {
        byte[] odd = Smb2Builder.createRequest("abc");
        odd[46] = 5; // NameLength 5
        assertMalformed("SMB2 frame at stream offset 0: MessageId 9 (CREATE request): CREATE request Name length 5 is"
                + " invalid (expected: an even number of bytes) at offset 124", frame(request(Smb2Command.CREATE, 9,
                        odd)));
        MalformedInputException e = assertThrows(MalformedInputException.class, () -> decode(
                new SmbConversation(new SmbLimits(4, 8, 8, 8, 8, 64, 8)),
                frame(request(Smb2Command.CREATE, 9, Smb2Builder.createRequest("x".repeat(33))))));
        assertEquals("SMB2 frame at stream offset 0: MessageId 9 (CREATE request): CREATE request Name length 66"
                + " exceeds 64 at offset 124", e.getMessage());
        byte[] path = Smb2Builder.treeConnectRequest("\\\\s\\x");
        path[6] = (byte) 0xFF; // PathLength 0xFF0A
        path[7] = (byte) 0xFF;
        assertMalformed("SMB2 frame at stream offset 0: MessageId 9 (TREE_CONNECT request): TREE_CONNECT request Path"
                + " needs 65535 bytes but only 10 remain at offset 76", frame(request(Smb2Command.TREE_CONNECT, 9,
                        path)));
    }

    @Test
    void listCountsAreCappedBeforeAnythingIsAllocated() {
        byte[] negotiate = Smb2Builder.negotiateRequest(1, 0x0202);
        negotiate[2] = negotiate[3] = (byte) 0xFF; // DialectCount 65535
        assertMalformed("SMB2 frame at stream offset 0: MessageId 0 (NEGOTIATE request): DialectCount 65535 exceeds 64"
                + " at offset 70", frame(request(Smb2Command.NEGOTIATE, 0, negotiate)));
        byte[] contexts = Smb2Builder.negotiateResponse(0x0311, 1, 0, 2);
        contexts[6] = 100; // NegotiateContextCount 100
        assertMalformed("SMB2 frame at stream offset 0: MessageId 0 (NEGOTIATE response): NegotiateContextCount 100"
                + " exceeds 64 at offset 4", frame(response(Smb2Command.NEGOTIATE, 0, contexts)));
        contexts = Smb2Builder.negotiateResponse(0x0311, 1, 0, 2);
        contexts[6] = 2; // a second context that is not there
        assertMalformed("SMB2 frame at stream offset 0: MessageId 0 (NEGOTIATE response): negotiate context needs 8"
                + " bytes but only 0 remain at offset 148", frame(response(Smb2Command.NEGOTIATE, 0, contexts)));
        contexts = Smb2Builder.negotiateResponse(0x0311, 1, 0, 2);
        contexts[72] = 9; // CipherCount 9 in 4 bytes of data
        assertMalformed("SMB2 frame at stream offset 0: MessageId 0 (NEGOTIATE response): Ciphers needs 20 bytes but"
                + " only 4 remain at offset 140", frame(response(Smb2Command.NEGOTIATE, 0, contexts)));
    }

    @Test
    void createContextsMustChainForwardInsideTheirArea() {
        // one context "RqLs" whose Next (12) is neither 0 nor a multiple of 8 >= 16
        byte[] context = new Smb2Builder.Le().u32(12).u16(16).u16(4).u16(0).u16(0).u32(0)
                .bytes("RqLs".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).zeros(4).toBytes();
        byte[] create = Smb2Builder.concat(Arrays.copyOf(Smb2Builder.createRequest("ab"), 60), context);
        create[48] = 124; // CreateContextsOffset: just after the 4-byte name
        create[52] = (byte) context.length;
        assertMalformed("SMB2 frame at stream offset 0: MessageId 9 (CREATE request): create context Next 12 is invalid"
                + " (expected: 0, or a multiple of 8 from 16 to 24) at offset 128", frame(request(Smb2Command.CREATE, 9,
                        create)));
        context[0] = 0; // the last one: accepted, and its name read
        create = Smb2Builder.concat(Arrays.copyOf(Smb2Builder.createRequest("ab"), 60), context);
        create[48] = 124;
        create[52] = (byte) context.length;
        CreateRequest parsed = (CreateRequest) Exchanges.only(new SmbConversation(SmbLimits.defaults()),
                frame(request(Smb2Command.CREATE, 9, create))).body();
        assertEquals(java.util.List.of("RqLs"), parsed.createContexts());
        assertEquals(true, parsed.requestsLease());
    }

    @Test
    void truncatedTransformHeadersAreMalformed() {
        byte[] transform = Arrays.copyOf(new byte[] {(byte) 0xFD, 'S', 'M', 'B'}, 40);
        assertMalformed("ENCRYPTED frame at stream offset 0: SMB2 TRANSFORM_HEADER needs 52 bytes but only 40 remain at"
                + " offset 4", Smb2Builder.transport(transform));
        byte[] compressed = Arrays.copyOf(new byte[] {(byte) 0xFC, 'S', 'M', 'B'}, 12);
        assertMalformed("COMPRESSED frame at stream offset 0: SMB2 COMPRESSION_TRANSFORM_HEADER needs 16 bytes but only"
                + " 12 remain at offset 4", Smb2Builder.transport(compressed));
    }

    @Test
    void aMalformedFrameChangesNoState() {
        SmbConversation conversation = new SmbConversation(SmbLimits.defaults());
        byte[] badRead = Arrays.copyOf(Smb2Builder.readRequest(FILE, 0, 1), 20);
        assertThrows(MalformedInputException.class, () -> decode(conversation, frame(
                request(Smb2Command.CREATE, 1, Smb2Builder.createRequest("a")),
                request(Smb2Command.READ, 2, badRead).related())));
        assertEquals(0, conversation.pendingRequests());
        Exchanges.only(conversation, frame(request(Smb2Command.CREATE, 1, Smb2Builder.createRequest("a"))));
        assertEquals(1, conversation.pendingRequests());
    }

    private static void assertMalformed(String message, byte[] frame) {
        MalformedInputException e = assertThrows(MalformedInputException.class,
                () -> decode(new SmbConversation(SmbLimits.defaults()), frame));
        assertEquals(message, e.getMessage());
    }
}
