package io.wanopt.proxy.follow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.wanopt.cache.codec.ChunkEncoder;
import io.wanopt.cache.codec.CodecCounters;
import io.wanopt.cache.codec.CodecCounters.Kind;
import io.wanopt.cache.codec.EncodedBatch;
import io.wanopt.config.ProtocolSettings;
import io.wanopt.proxy.follow.ReadAheadMessage.Outcome;
import java.io.IOException;
import java.nio.ByteBuffer;
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
 * Read-ahead on both appliances, each follower driven as its flow would drive it: next to the
 * server, what it sends ahead and which server replies it marks or drops; next to the client, which
 * client READs it answers, and that it never answers from data a change may have made stale.
 */
class ReadAheadTest {

    private static final int COUNT = 64 * 1024;
    private static final Duration MAX_AGE = Duration.ofSeconds(5);
    private static final byte[] OPENING_READ = Nfs3Records.readCall(0x200, 0, COUNT);
    private static final ProtocolSettings SETTINGS = new ProtocolSettings(32 * 1024, 1024, true, 4 << 20, 64,
            new ProtocolSettings.ReadAhead(true, 32 << 20, MAX_AGE), true, 9 << 20);

    @TempDir
    Path dir;
    private EncodingFixture fixture;
    private ChunkEncoder encoder;
    private CodecCounters codecCounters;
    private final FollowCounters counters = new FollowCounters();
    private List<EncodedBatch> batches;
    private RecordingFlow flow;
    private final byte[] file = new byte[8 * COUNT];
    private long now;
    private NfsFollower follower;

    @BeforeEach
    void start() throws IOException {
        new Random(11).nextBytes(file);
        fixture = new EncodingFixture(dir);
        encoder = fixture.encoder;
        codecCounters = fixture.codecCounters;
        batches = fixture.batches;
        flow = new RecordingFlow(batches);
    }

    @AfterEach
    void stop() throws IOException {
        follower.close();
        assertEquals(0, flow.held, "what read-ahead held is given back to the memory cap");
        fixture.close();
    }

    // ---- next to the server ----

    @Test
    void aSequentialReaderGetsTwoReadsSentAheadWithItsOwnCallAtTheNextOffsets() {
        serverSide();
        byte[] clientCall = Nfs3Records.readCall(0x100, 0, COUNT);
        follower.toLan(buffer(clientCall));
        assertEquals(2, flow.records.size(), "a window of two READs");
        for (int i = 0; i < 2; i++) {
            byte[] sent = flow.records.get(i);
            byte[] expected = Nfs3Records.readCall(xid(sent), (long) (i + 1) * COUNT, COUNT);
            assertArrayEquals(expected, sent, "the client's call but for XID and offset");
            ReadAheadMessage.Call announced = (ReadAheadMessage.Call) flow.told.get(i);
            assertArrayEquals(Arrays.copyOfRange(sent, 4, sent.length), announced.payload());
        }
        assertEquals(2, counters.readAheadCalls());
    }

    @Test
    void aClientCallWithTheXidOfAReadAheadStillOutResetsTheFlow() {
        serverSide();
        follower.toLan(buffer(Nfs3Records.readCall(0x100, 0, COUNT)));
        follower.toLan(buffer(Nfs3Records.readCall(xid(flow.records.get(0)), 5 * COUNT, 100)));
        assertEquals(1, flow.failures.size(), "the two replies could not be told apart");
    }

    @Test
    void aReaderUnderRpcsecGssIsNeverReadAheadOf() {
        serverSide();
        follower.toLan(buffer(Nfs3Records.readCallUnderRpcsecGss(0x100, 0, COUNT)));
        fromLan(Nfs3Records.readReply(0x100, slice(0)));
        follower.toLan(buffer(Nfs3Records.readCallUnderRpcsecGss(0x101, COUNT, COUNT)));
        assertTrue(flow.records.isEmpty());
        assertEquals(0, counters.readAheadCalls());
    }

    @Test
    void theServersReplyToAReadAheadIsMarkedWithItsPlaceInTheStream() {
        serverSide();
        follower.toLan(buffer(Nfs3Records.readCall(0x100, 0, COUNT)));
        byte[] clientReply = Nfs3Records.readReply(0x100, slice(0));
        byte[] aheadReply = Nfs3Records.readReply(xid(flow.records.get(0)), slice(1));
        fromLan(clientReply);
        fromLan(aheadReply);
        ReadAheadMessage.Reply marked = (ReadAheadMessage.Reply) flow.told.get(2);
        assertEquals(new ReadAheadMessage.Reply(xid(flow.records.get(0)), clientReply.length, aheadReply.length), marked);
        encoder.flush(batches);
        assertEquals(clientReply.length + aheadReply.length, codecCounters.get(Kind.LAN_BYTES));
    }

    @Test
    void aReadAheadWhoseReplyComesAfterAWriteWasSentIsDroppedNotSent() {
        serverSide();
        follower.toLan(buffer(Nfs3Records.readCall(0x100, 0, COUNT)));
        follower.toLan(buffer(Nfs3Records.writeCall(0x101, 0, new byte[100])));
        fromLan(Nfs3Records.readReply(xid(flow.records.get(0)), slice(1)));
        assertEquals(new ReadAheadMessage.Dropped(xid(flow.records.get(0))), flow.told.get(2));
        encoder.flush(batches);
        assertEquals(0, codecCounters.get(Kind.LAN_BYTES), "nothing of the dropped reply is sent");
        follower.fromPeer(new ReadAheadMessage.Done(xid(flow.records.get(1)), Outcome.UNUSED));
        fromLan(Nfs3Records.writeReply(0x101, 100));
        assertEquals(2, flow.records.size(), "no read-ahead until the reader reads again");
    }

    @Test
    void theWindowDoublesWhenTheClientWaitedAndSlidesAsReadsAreUsed() {
        serverSide();
        follower.toLan(buffer(Nfs3Records.readCall(0x100, 0, COUNT)));
        follower.fromPeer(new ReadAheadMessage.Done(xid(flow.records.get(0)), Outcome.WAITED));
        // window 4 reads, 1 still out: 3 more, at offsets 3, 4 and 5 counts
        assertEquals(5, flow.records.size());
        assertEquals(5L * COUNT, ByteBuffer.wrap(flow.records.get(4)).getLong(flow.records.get(4).length - 12));
        follower.fromPeer(new ReadAheadMessage.Done(xid(flow.records.get(1)), Outcome.USED));
        assertEquals(6, flow.records.size());
    }

    // ---- next to the client ----

    @Test
    void aClientReadEqualToAnAnnouncedOneIsAnsweredFromItsReplyUnderTheClientsXid() {
        clientSide();
        int aheadXid = 0x4000_0001;
        byte[] aheadReply = announceAndDeliver(aheadXid, 1, Nfs3Records.readReply(0x200, slice(0)));
        assertEquals(aheadReply.length, flow.took, "the read-ahead reply is taken off the stream");

        fromLan(Nfs3Records.readCall(0x201, COUNT, COUNT));
        assertArrayEquals(Nfs3Records.readReply(0x201, slice(1)), flow.records.get(0));
        assertEquals(new ReadAheadMessage.Done(aheadXid, Outcome.USED), flow.told.get(0));
        encoder.flush(batches);
        assertEquals(OPENING_READ.length, codecCounters.get(Kind.LAN_BYTES), "the answered READ does not go to the server");
    }

    @Test
    void aClientReadThatCameBeforeTheReplyWaitsForIt() {
        clientSide();
        int aheadXid = 0x4000_0001;
        follower.toLan(buffer(Nfs3Records.readReply(0x200, slice(0)))); // the flow's first reply
        follower.fromPeer(new ReadAheadMessage.Call(payload(Nfs3Records.readCall(aheadXid, COUNT, COUNT))));
        fromLan(Nfs3Records.readCall(0x201, COUNT, COUNT));
        assertTrue(flow.records.isEmpty());
        byte[] aheadReply = Nfs3Records.readReply(aheadXid, slice(1));
        follower.fromPeer(new ReadAheadMessage.Reply(aheadXid, flow.stream.size(), aheadReply.length));
        follower.toLan(buffer(aheadReply));
        assertArrayEquals(Nfs3Records.readReply(0x201, slice(1)), flow.records.get(0));
        assertEquals(new ReadAheadMessage.Done(aheadXid, Outcome.WAITED), flow.told.get(0));
    }

    @Test
    void aWriteDropsWhatIsHeldAndAWaitingReadGoesToTheServer() {
        clientSide();
        announceAndDeliver(0x4000_0001, 1, Nfs3Records.readReply(0x200, slice(0)));
        follower.fromPeer(new ReadAheadMessage.Call(payload(Nfs3Records.readCall(0x4000_0002, 2L * COUNT, COUNT))));
        byte[] waiting = Nfs3Records.readCall(0x201, 2L * COUNT, COUNT);
        fromLan(waiting);
        byte[] write = Nfs3Records.writeCall(0x202, COUNT, new byte[100]);
        fromLan(write);
        assertTrue(flow.told.contains(new ReadAheadMessage.Done(0x4000_0001, Outcome.UNUSED)));
        assertTrue(flow.told.contains(new ReadAheadMessage.Done(0x4000_0002, Outcome.UNUSED)));
        encoder.flush(batches);
        assertEquals(OPENING_READ.length + waiting.length + write.length, codecCounters.get(Kind.LAN_BYTES),
                "the waiting READ went on");

        fromLan(Nfs3Records.readCall(0x203, COUNT, COUNT));
        assertTrue(flow.records.isEmpty(), "nothing answered from before the write");
        assertEquals(2 * COUNT, counters.readAheadDiscardedBytes());
    }

    @Test
    void aReadWaitingWhenTheClientEndsGoesToTheServerBeforeTheEnd() {
        clientSide();
        follower.toLan(buffer(Nfs3Records.readReply(0x200, slice(0))));
        follower.fromPeer(new ReadAheadMessage.Call(payload(Nfs3Records.readCall(0x4000_0001, COUNT, COUNT))));
        byte[] waiting = Nfs3Records.readCall(0x201, COUNT, COUNT);
        fromLan(waiting);
        follower.lanInputEnded();
        encoder.flush(batches);
        assertEquals(OPENING_READ.length + waiting.length, codecCounters.get(Kind.LAN_BYTES));
        assertEquals(new ReadAheadMessage.Done(0x4000_0001, Outcome.UNUSED), flow.told.get(0));
    }

    @Test
    void heldDataOlderThanMaxAgeIsDroppedNotServed() {
        clientSide();
        announceAndDeliver(0x4000_0001, 1, Nfs3Records.readReply(0x200, slice(0)));
        now += MAX_AGE.toNanos() + 1;
        byte[] call = Nfs3Records.readCall(0x201, COUNT, COUNT);
        fromLan(call);
        assertTrue(flow.records.isEmpty());
        assertEquals(new ReadAheadMessage.Done(0x4000_0001, Outcome.UNUSED), flow.told.get(0));
        encoder.flush(batches);
        assertEquals(OPENING_READ.length + call.length, codecCounters.get(Kind.LAN_BYTES));
    }

    @Test
    void anAnnouncementOfAReadTheClientAlreadySentIsRefusedAsAsked() {
        clientSide();
        follower.toLan(buffer(Nfs3Records.readReply(0x200, slice(0))));
        fromLan(Nfs3Records.readCall(0x201, COUNT, COUNT));
        follower.fromPeer(new ReadAheadMessage.Call(payload(Nfs3Records.readCall(0x4000_0001, COUNT, COUNT))));
        assertEquals(new ReadAheadMessage.Done(0x4000_0001, Outcome.ASKED), flow.told.get(0));
    }

    @Test
    void aReplyMarkOverlappingTheStreamFailsTheFlow() {
        clientSide();
        follower.toLan(buffer(Nfs3Records.readReply(0x200, slice(0))));
        follower.fromPeer(new ReadAheadMessage.Reply(0x4000_0001, 10, 100));
        assertEquals(1, flow.failures.size());
    }

    // ---- helpers ----

    private void serverSide() {
        follower = new NfsFollower(false, SETTINGS, ByteBufAllocator.DEFAULT, counters, codecCounters, encoder,
                new FileChunkIndex(1024), fixture.smartReadMaps, flow, () -> now);
        follower.readAheadForPeer();
    }

    /** Next to the client, whose first READ (block 0, XID 0x200) went to the server. */
    private void clientSide() {
        follower = new NfsFollower(true, SETTINGS, ByteBufAllocator.DEFAULT, counters, codecCounters, encoder,
                new FileChunkIndex(1024), fixture.smartReadMaps, flow, () -> now);
        fromLan(OPENING_READ);
    }

    /**
     * Next to the client: a client reply passes, then read-ahead call {@code aheadXid} for block
     * {@code block} is announced and its reply arrives in the stream. Returns that reply's bytes.
     */
    private byte[] announceAndDeliver(int aheadXid, int block, byte[] firstReply) {
        follower.toLan(buffer(firstReply));
        follower.fromPeer(new ReadAheadMessage.Call(payload(Nfs3Records.readCall(aheadXid, (long) block * COUNT, COUNT))));
        byte[] aheadReply = Nfs3Records.readReply(aheadXid, slice(block));
        follower.fromPeer(new ReadAheadMessage.Reply(aheadXid, firstReply.length, aheadReply.length));
        follower.toLan(buffer(aheadReply));
        assertArrayEquals(firstReply, flow.stream.toByteArray(), "only the client's reply reaches the client");
        return aheadReply;
    }

    /** LAN bytes stay the caller's. */
    private void fromLan(byte[] bytes) {
        ByteBuf buffer = buffer(bytes);
        follower.fromLan(buffer);
        buffer.release();
    }

    private byte[] slice(int block) {
        return Arrays.copyOfRange(file, block * COUNT, (block + 1) * COUNT);
    }

    private static byte[] payload(byte[] record) {
        return Arrays.copyOfRange(record, 4, record.length);
    }

    private static int xid(byte[] record) {
        return ByteBuffer.wrap(record).getInt(4);
    }

    private static ByteBuf buffer(byte[] bytes) {
        return ByteBufAllocator.DEFAULT.heapBuffer(bytes.length).writeBytes(bytes);
    }
}
