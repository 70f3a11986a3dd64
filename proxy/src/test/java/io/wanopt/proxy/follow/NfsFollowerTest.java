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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NFS follower at the appliance next to the server: it sees READ calls going to the server and
 * READ replies coming from it, and hands the encoder the reply data cut at file offsets, so that a
 * read at an odd offset and size is sent as references to the blocks an aligned read sent before.
 */
class NfsFollowerTest {

    private static final int CHUNK_SIZE = 32 * 1024;
    private static final ProtocolSettings SETTINGS = new ProtocolSettings(CHUNK_SIZE, 1024, true, 4 << 20, 64,
            new ProtocolSettings.ReadAhead(false, 32 << 20, java.time.Duration.ofSeconds(5)), true, 9 << 20);

    @TempDir
    Path dir;
    private EncodingFixture fixture;
    private CodecCounters codecCounters;
    private ChunkEncoder encoder;
    private List<EncodedBatch> batches;
    private final FollowCounters counters = new FollowCounters();
    private final List<NfsFollower> followers = new ArrayList<>();
    private final byte[] file = new byte[256 * 1024];
    private int nextXid = 0x1000;

    @BeforeEach
    void start() throws IOException {
        new Random(5).nextBytes(file);
        System.arraycopy("KDMV".getBytes(StandardCharsets.US_ASCII), 0, file, 0, 4);
        fixture = new EncodingFixture(dir);
        codecCounters = fixture.codecCounters;
        encoder = fixture.encoder;
        batches = fixture.batches;
    }

    @AfterEach
    void stop() throws IOException {
        followers.forEach(NfsFollower::close);
        fixture.close();
    }

    @Test
    void aReadAtAnOddOffsetIsSentAsReferencesToTheBlocksOfAnEarlierAlignedRead() {
        NfsFollower follower = follower(false);
        read(follower, 0, 128 * 1024, 1);
        assertTrue(follower.following());
        assertEquals(0, codecCounters.get(Kind.REF_BYTES));

        read(follower, 5000, 100_000, 7);
        // The two whole 32 KiB blocks are references; [5000, 32768) and [98304, 105000) are slices of
        // the aligned read's first and fourth chunks: nothing of the second read is new.
        assertEquals(100_000, codecCounters.get(Kind.REF_BYTES));
        assertEquals(100_000 - 2 * CHUNK_SIZE, counters.slicedBytes());
        assertEquals(128 * 1024 + 100_000, counters.alignedBytes());
        // No LOOKUP was seen, so the file has no name; its first sector says it is a hosted sparse VMDK.
        assertEquals("(unnamed) [VMDK HOSTED_SPARSE]: read 231072, written 0, new on the WAN 131072"
                + " (56.7% of it before compression)", follower.filesSummary());
    }

    @Test
    void partOfAChunkThatChangedSinceItWasReadIsSentAsNewBytesNotAsASlice() {
        NfsFollower follower = follower(false);
        read(follower, 0, CHUNK_SIZE, 1);
        long literalBefore = codecCounters.get(Kind.LITERAL_BYTES);
        file[100] ^= 1;
        read(follower, 50, 1000, 1);
        assertEquals(0, counters.slicedBytes());
        assertTrue(codecCounters.get(Kind.LITERAL_BYTES) >= literalBefore + 1000, "the changed bytes went as literals");
    }

    @Test
    void theSameBlocksReadAgainWithAnotherXidAndReadSizeAreAllReferences() {
        NfsFollower follower = follower(false);
        read(follower, 0, 128 * 1024, 1);
        long before = codecCounters.get(Kind.REF_BYTES);
        read(follower, 0, 64 * 1024, 3);
        read(follower, 64 * 1024, 64 * 1024, 2);
        assertEquals(before + 128 * 1024, codecCounters.get(Kind.REF_BYTES));
    }

    @Test
    void aReplySplitAtEveryPositionIsFollowed() {
        NfsFollower follower = follower(false);
        byte[] data = Arrays.copyOfRange(file, 0, 4096);
        byte[] reply = null;
        for (int split = 1; reply == null || split < reply.length; split++) {
            observe(follower, readCall(0, data.length));
            reply = readReply(data);
            for (byte[] piece : List.of(Arrays.copyOfRange(reply, 0, split), Arrays.copyOfRange(reply, split, reply.length))) {
                ByteBuf bytes = buffer(piece);
                follower.fromLan(bytes);
                bytes.release();
            }
            assertEquals((long) split * data.length, counters.alignedBytes(), "split at " + split);
        }
        encoder.flush(batches);
        assertEquals(0, counters.malformedRecords());
        assertEquals(0, counters.flowsGivenUp());
    }

    @Test
    void aFlowWhoseClientDoesNotOpenWithAnRpcCallIsCarriedAsGenericBytes() {
        NfsFollower follower = follower(true);
        byte[] get = "GET / HTTP/1.1\r\nHost: example\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        ByteBuf request = buffer(get);
        follower.fromLan(request);
        request.release();
        encoder.flush(batches);
        assertFalse(follower.following());
        assertEquals(0, counters.followedFlows());
        assertEquals(get.length, codecCounters.get(Kind.LAN_BYTES));
    }

    @Test
    void aRecordOverTheCapEndsFollowingAndItsBytesStillReachTheEncoder() {
        NfsFollower follower = follower(false);
        observe(follower, readCall(0, 4096));
        ByteBuf huge = ByteBufAllocator.DEFAULT.heapBuffer(8);
        huge.writeInt(0x8000_0000 | (8 << 20)).writeInt(nextXid);
        follower.fromLan(huge);
        huge.release();
        encoder.flush(batches);
        assertEquals(1, counters.flowsGivenUp());
        assertEquals(8, codecCounters.get(Kind.LAN_BYTES));
    }

    private NfsFollower follower(boolean lanIsClient) {
        NfsFollower follower = new NfsFollower(lanIsClient, SETTINGS, ByteBufAllocator.DEFAULT, counters, codecCounters,
                encoder, new FileChunkIndex(1024), fixture.smartReadMaps, new RecordingFlow(batches), System::nanoTime);
        followers.add(follower);
        return follower;
    }

    /** One READ: the call goes to the server (observed), the reply comes from it in {@code pieces} reads. */
    private void read(NfsFollower follower, int offset, int count, int pieces) {
        observe(follower, readCall(offset, count));
        byte[] reply = readReply(Arrays.copyOfRange(file, offset, offset + count));
        int step = (reply.length + pieces - 1) / pieces;
        for (int start = 0; start < reply.length; start += step) {
            ByteBuf piece = buffer(Arrays.copyOfRange(reply, start, Math.min(reply.length, start + step)));
            follower.fromLan(piece);
            piece.release();
        }
        encoder.flush(batches);
        assertEquals(0, counters.malformedRecords());
        assertEquals(0, counters.notUnderstoodRecords());
    }

    private void observe(NfsFollower follower, byte[] call) {
        follower.toLan(buffer(call));
    }

    private static ByteBuf buffer(byte[] bytes) {
        return ByteBufAllocator.DEFAULT.heapBuffer(bytes.length).writeBytes(bytes);
    }

    private byte[] readCall(long offset, int count) {
        return Nfs3Records.readCall(++nextXid, offset, count);
    }

    private byte[] readReply(byte[] data) {
        return Nfs3Records.readReply(nextXid, data);
    }
}
