package io.wanopt.proxy.follow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.wanopt.cache.codec.ChunkEncoder;
import io.wanopt.cache.codec.CodecCounters;
import io.wanopt.cache.codec.CodecCounters.Kind;
import io.wanopt.cache.codec.EncodedBatch;
import io.wanopt.config.ProtocolSettings;
import io.wanopt.protocols.smb.FrameKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SMB follower at the appliance next to the server: it sees READ requests going to the server
 * and READ responses coming from it ([MS-SMB2] 2.2.19, 2.2.20), and hands the encoder the response
 * data cut at file offsets, bytes unchanged; encrypted frames go on as they are, counted.
 */
class SmbFollowerTest {

    private static final int CHUNK_SIZE = 32 * 1024;
    private static final ProtocolSettings SETTINGS = new ProtocolSettings(CHUNK_SIZE, 1024, true, 4 << 20, 64,
            new ProtocolSettings.ReadAhead(false, 32 << 20, Duration.ofSeconds(5)), true, 9 << 20);

    @TempDir
    Path dir;
    private EncodingFixture fixture;
    private ChunkEncoder encoder;
    private CodecCounters codecCounters;
    private final FollowCounters counters = new FollowCounters();
    private List<EncodedBatch> batches;
    private RecordingFlow flow;
    private final byte[] file = new byte[256 * 1024];
    private SmbFollower follower;
    private final SmbFrames frames = new SmbFrames();

    @BeforeEach
    void start() throws IOException {
        new Random(9).nextBytes(file);
        fixture = new EncodingFixture(dir);
        encoder = fixture.encoder;
        codecCounters = fixture.codecCounters;
        batches = fixture.batches;
        flow = new RecordingFlow(batches);
        follower = new SmbFollower(false, SETTINGS, ByteBufAllocator.DEFAULT, counters, codecCounters, encoder,
                new FileChunkIndex(1024), fixture.smartReadMaps, flow);
    }

    @AfterEach
    void stop() throws IOException {
        follower.close();
        fixture.close();
    }

    @Test
    void aReadAtAnOddOffsetIsSentAsReferencesAndSlicesOfAnEarlierAlignedRead() {
        read(0, 128 * 1024);
        assertTrue(follower.following());
        assertEquals(128 * 1024, counters.alignedBytes());
        assertEquals(0, codecCounters.get(Kind.REF_BYTES));

        read(5000, 100_000);
        assertEquals(100_000, codecCounters.get(Kind.REF_BYTES), "nothing of the second read is new");
        assertEquals(100_000 - 2 * CHUNK_SIZE, counters.slicedBytes());
        assertEquals(4, counters.smbFrames(FrameKind.SMB2), "two requests and two responses");
    }

    @Test
    void theLanStreamGoesOnUnchangedAndEncryptedFramesAreCountedNotParsed() {
        byte[] request = frames.readRequest(0, 4096);
        follower.toLan(buffer(request));
        byte[] encrypted = new byte[4 + 52 + 100];
        encrypted[3] = (byte) (encrypted.length - 4);
        ByteBuffer.wrap(encrypted, 4, 4).putInt(FrameKind.ENCRYPTED.protocolId());
        follower.toLan(buffer(encrypted));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(request);
        expected.writeBytes(encrypted);
        assertEquals(Arrays.toString(expected.toByteArray()), Arrays.toString(flow.stream.toByteArray()));
        assertEquals(1, counters.smbFrames(FrameKind.ENCRYPTED));
    }

    @Test
    void aFlowWhoseClientDoesNotOpenWithAnSmbFrameIsNotFollowed() {
        ByteBuf http = buffer("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertFalse(SmbFollower.startsSmb(http));
        follower.toLan(http);
        assertFalse(follower.following());
        assertEquals(0, counters.smbFlows());
    }

    /** One READ: the request goes to the server (observed), the response comes from it in two reads. */
    private void read(int offset, int length) {
        follower.toLan(buffer(frames.readRequest(offset, length)));
        byte[] response = frames.readResponse(Arrays.copyOfRange(file, offset, offset + length));
        int half = response.length / 2;
        for (byte[] piece : List.of(Arrays.copyOfRange(response, 0, half), Arrays.copyOfRange(response, half,
                response.length))) {
            ByteBuf bytes = buffer(piece);
            follower.fromLan(bytes);
            bytes.release();
        }
        encoder.flush(batches);
        assertEquals(0, counters.malformedRecords());
    }

    private static ByteBuf buffer(byte[] bytes) {
        return ByteBufAllocator.DEFAULT.heapBuffer(bytes.length).writeBytes(bytes);
    }
}
