package io.wanopt.proxy.follow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.wanopt.cache.codec.CodecCounters.Kind;
import io.wanopt.config.ProtocolSettings;
import io.wanopt.config.SmartReadSettings;
import io.wanopt.config.SmartReadSettings.Rule;
import io.wanopt.config.SmartReadSettings.UnusedBlocks;
import io.wanopt.protocols.disk.FileUsageMap;
import io.wanopt.proxy.follow.Nfs3Records.Attributes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SmartRead next to the NFS server: a client looks up and reads {@code disk-flat.vmdk}, an ext4 file
 * system made by mkfs.ext4 on non-zero bytes; the follower maps it with READs of its own (answered
 * here as the server would, taken off before the far side) on the maps' worker thread, holds the
 * server's replies meanwhile, then sends the blocks ext4 calls free as zeros. The far side's bytes are
 * checked against the disk with exactly {@link FileUsageMap}'s free ranges zeroed.
 */
class NfsSmartReadTest {

    private static final int CHUNK_SIZE = 32 * 1024;
    private static final int DISK_SIZE = Ext4FlatExtent.SIZE;
    private static final int READ_SIZE = 1 << 20;
    private static final String DISK_NAME = "disk-flat.vmdk";
    private static final ProtocolSettings SETTINGS = new ProtocolSettings(CHUNK_SIZE, 1024, true, 4 << 20, 64,
            new ProtocolSettings.ReadAhead(false, 32 << 20, Duration.ofSeconds(5)), true, 9 << 20);
    private static final SmartReadSettings ZERO_FOR_ALL = new SmartReadSettings(UnusedBlocks.ZERO, List.of(), false,
            Duration.ofSeconds(30), 4);
    /** The map's worker thread gets this long to finish, driven by the test. */
    private static final long MAP_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int LOOKUP_XID = 0x100;
    private static final int OWN_XID_DISTANCE = 0xC000_0000;
    private static final Attributes VERSION = new Attributes(DISK_SIZE, 1_700_000_000, 1_700_000_000);

    @TempDir
    Path dir;
    private final FollowCounters counters = new FollowCounters();
    private SmartReadFixture setup;
    private RecordingFlow flow;
    private NfsFollower follower;
    /** The bytes mkfs.ext4 was run on. */
    private byte[] pattern;
    /** The flat extent: an ext4 file system over {@link #pattern}. */
    private byte[] disk;
    /** {@link #disk} with its guest-free ranges zeroed: what the far side should get. */
    private byte[] zeroedDisk;
    private int nextXid = LOOKUP_XID;
    private int ownReadsAnswered;

    @BeforeEach
    void start() throws Exception {
        setup = new SmartReadFixture(dir, DISK_NAME);
        pattern = setup.extent.pattern();
        disk = setup.extent.bytes();
        zeroedDisk = setup.extent.zeroed();
        flow = new RecordingFlow(setup.sender.batches);
    }

    @AfterEach
    void stop() throws IOException {
        if (follower != null) {
            follower.close();
            flow.runTasks(); // map reads asked for after the close are refused, which ends the worker's build
            assertEquals(0, flow.held, "held replies are given back to the memory cap");
        }
        if (setup != null) {
            setup.close();
        }
    }

    @Test
    void aClientReadingTheWholeDiskGetsItsGuestFreeBlocksAsZerosAfterTheMapIsBuilt() throws IOException {
        start(new SmartReadSettings(UnusedBlocks.KEEP, List.of(new Rule("*.vmdk", UnusedBlocks.ZERO)), false,
                Duration.ofSeconds(30), 4));
        lookUpDisk(VERSION);

        int xid = readCall(0);
        byte[] firstReply = Nfs3Records.readReply(xid, VERSION, slice(disk, 0), false);
        long encodedBefore = encodedSoFar();
        fromServer(firstReply);
        assertEquals(firstReply.length, flow.held, "the reply waits for the map, under the memory cap");
        assertEquals(encodedBefore, encodedSoFar(), "nothing of it is sent yet");

        driveMapUntil(() -> flow.held == 0, disk, VERSION);
        assertTrue(ownReadsAnswered > 0);
        assertEquals(LOOKUP_XID + OWN_XID_DISTANCE, xid(flow.records.get(0)), "own XIDs start at the client's first");
        assertEquals(encodedBefore + firstReply.length, encodedSoFar(),
                "the held reply went on, the map reads' replies did not");
        setup.farSide.expect(Nfs3Records.readReply(xid, VERSION, slice(zeroedDisk, 0), false));

        for (int offset = READ_SIZE; offset < DISK_SIZE; offset += READ_SIZE) {
            clientRead(offset, VERSION, disk, zeroedDisk);
            assertEquals(0, flow.held, "a mapped version's replies are not held");
        }
        setup.farSide.assertGotExpected();
        assertEquals(setup.extent.freeBytes(), counters.freeBytesZeroed());
        assertEquals(1, counters.smartReadMaps());
        assertEquals((long) ownReadsAnswered * READ_SIZE, counters.smartReadMapReadBytes());
        assertTrue(flow.failures.isEmpty(), flow.failures.toString());
    }

    @Test
    void withGuestFreeBlocksKeptTheDiskCrossesAsItIsWithoutReadsOfTheAppliancesOwn() throws IOException {
        follower = follower(setup.sender.smartReadMaps);
        lookUpDisk(VERSION);
        for (int offset = 0; offset < DISK_SIZE; offset += READ_SIZE) {
            clientRead(offset, VERSION, disk, disk);
            assertEquals(0, flow.held);
        }
        setup.farSide.assertGotExpected();
        assertTrue(flow.records.isEmpty(), "no READs of the appliance's own");
        assertTrue(flow.tasks.isEmpty(), "no map asked for reads");
        assertEquals(0, counters.freeBytesZeroed());
        assertEquals(0, counters.smartReadMapReadBytes());
    }

    @Test
    void aReplyShowingAnotherMtimeThanTheMappedVersionIsNotZeroedByItsMap() throws IOException {
        start(ZERO_FOR_ALL);
        lookUpDisk(VERSION);
        int xid = readCall(0);
        fromServer(Nfs3Records.readReply(xid, VERSION, slice(disk, 0), false));
        driveMapUntil(() -> flow.held == 0, disk, VERSION);
        setup.farSide.expect(Nfs3Records.readReply(xid, VERSION, slice(zeroedDisk, 0), false));
        long zeroedOfFirstRead = counters.freeBytesZeroed();

        // The guest rewrote the disk: its old free blocks now hold data; the new version has no file system.
        Attributes rewritten = VERSION.changed();
        int offset = mostFreeRead();
        xid = readCall(offset);
        byte[] reply = Nfs3Records.readReply(xid, rewritten, slice(pattern, offset), offset + READ_SIZE == DISK_SIZE);
        fromServer(reply);
        driveMapUntil(() -> flow.held == 0, pattern, rewritten);
        setup.farSide.expect(reply);

        setup.farSide.assertGotExpected();
        assertEquals(zeroedOfFirstRead, counters.freeBytesZeroed());
        assertEquals(2, counters.smartReadMaps(), "the new version was mapped on its own");
    }

    @Test
    void whenTheMapCannotBeReadTheHeldRepliesGoOnAsTheyAre() throws IOException {
        start(ZERO_FOR_ALL);
        lookUpDisk(VERSION);
        int xid = readCall(0);
        byte[] reply = Nfs3Records.readReply(xid, VERSION, slice(disk, 0), false);
        fromServer(reply);
        driveMapUntil(() -> flow.held == 0, (ownXid, offset) -> Nfs3Records.readErrorReply(ownXid, 5)); // NFS3ERR_IO
        setup.farSide.expect(reply);
        setup.farSide.assertGotExpected();
        assertEquals(1, counters.smartReadMapFailures());
        assertEquals(0, counters.freeBytesZeroed());
    }

    @Test
    void aClientCallWithTheXidOfAMapReadStillOutResetsTheFlow() {
        start(ZERO_FOR_ALL);
        lookUpDisk(VERSION);
        readCall(0);
        long deadline = System.nanoTime() + MAP_WAIT_NANOS;
        while (flow.records.isEmpty()) {
            flow.runTasks();
            awaitProgress(deadline);
        }
        int ownXid = xid(flow.records.get(0));
        toServer(Nfs3Records.readCall(ownXid, 0, READ_SIZE));
        assertEquals(1, flow.failures.size(), "the two replies could not be told apart");
    }

    @Test
    void closingTheFollowerWhileRepliesAreHeldReleasesThem() {
        start(ZERO_FOR_ALL);
        lookUpDisk(VERSION);
        int first = readCall(0);
        int second = readCall(READ_SIZE);
        byte[] firstReply = Nfs3Records.readReply(first, VERSION, slice(disk, 0), false);
        byte[] secondReply = Nfs3Records.readReply(second, VERSION, slice(disk, READ_SIZE), false);
        fromServer(firstReply, secondReply);
        assertEquals(firstReply.length + secondReply.length, flow.held);
        follower.close();
        assertEquals(0, flow.held);
        assertEquals(setup.farSide.expectedBytes(), encodedSoFar(),
                "nothing held was sent, neither before nor after the close");
    }

    @Test
    void repliesThatFindTheMemoryCapFullGoOnInTheirOrder() throws IOException {
        start(ZERO_FOR_ALL);
        flow.holdCap = 0;
        // No attributes in the LOOKUP reply: the version is first seen in the second READ's reply.
        toServer(Nfs3Records.lookupCall(LOOKUP_XID, DISK_NAME));
        byte[] lookup = Nfs3Records.lookupReply(LOOKUP_XID, null);
        fromServer(lookup);
        setup.farSide.expect(lookup);
        int first = readCall(0);
        int second = readCall(READ_SIZE);
        byte[] firstReply = Nfs3Records.readReply(first, slice(disk, 0));
        byte[] secondReply = Nfs3Records.readReply(second, VERSION, slice(disk, READ_SIZE), false);
        fromServer(firstReply, secondReply); // the second starts the map; it cannot be held
        setup.farSide.expect(firstReply);
        setup.farSide.expect(secondReply);
        setup.farSide.assertGotExpected();
    }

    // ---- helpers ----

    private void start(SmartReadSettings settings) {
        follower = follower(setup.maps(settings, counters));
    }

    private NfsFollower follower(SmartReadMaps smartReadMaps) {
        return new NfsFollower(false, SETTINGS, ByteBufAllocator.DEFAULT, counters, setup.sender.codecCounters,
                setup.sender.encoder, new FileChunkIndex(1024), smartReadMaps, flow, System::nanoTime);
    }

    /** The client looks up the disk, whose attributes the reply shows. */
    private void lookUpDisk(Attributes attributes) {
        toServer(Nfs3Records.lookupCall(LOOKUP_XID, DISK_NAME));
        byte[] reply = Nfs3Records.lookupReply(LOOKUP_XID, attributes);
        fromServer(reply);
        setup.farSide.expect(reply);
    }

    /** The client's READ of {@link #READ_SIZE} bytes at {@code offset} goes to the server; its XID. */
    private int readCall(int offset) {
        int xid = ++nextXid;
        toServer(Nfs3Records.readCall(xid, offset, READ_SIZE));
        return xid;
    }

    /** A READ and its reply of {@code served}; the far side should get {@code crossing}'s bytes. */
    private void clientRead(int offset, Attributes attributes, byte[] served, byte[] crossing) {
        int xid = readCall(offset);
        boolean eof = offset + READ_SIZE == DISK_SIZE;
        fromServer(Nfs3Records.readReply(xid, attributes, slice(served, offset), eof));
        setup.farSide.expect(Nfs3Records.readReply(xid, attributes, slice(crossing, offset), eof));
    }

    /** The server's reply to a READ of the appliance's own. */
    @FunctionalInterface
    private interface ServerAnswer {
        byte[] reply(int xid, long offset);
    }

    /** Drives the map with the server holding {@code file}, whose replies show {@code attributes}. */
    private void driveMapUntil(BooleanSupplier done, byte[] file, Attributes attributes) {
        driveMapUntil(done, (xid, offset) -> Nfs3Records.readReply(xid, attributes, slice(file, (int) offset),
                offset + READ_SIZE >= file.length));
    }

    /**
     * Runs the flow's tasks (as its event loop would) and answers the appliance's own READs, checked to
     * be the client's READ but for XID and offset, until {@code done}.
     */
    private void driveMapUntil(BooleanSupplier done, ServerAnswer server) {
        long deadline = System.nanoTime() + MAP_WAIT_NANOS;
        while (!done.getAsBoolean()) {
            flow.runTasks();
            if (ownReadsAnswered < flow.records.size()) {
                byte[] call = flow.records.get(ownReadsAnswered++);
                int xid = xid(call);
                long offset = ByteBuffer.wrap(call).getLong(call.length - 12);
                assertArrayEquals(Nfs3Records.readCall(xid, offset, READ_SIZE), call,
                        "the client's READ but for XID and offset");
                assertEquals(0, offset % READ_SIZE);
                fromServer(server.reply(xid, offset));
            } else {
                awaitProgress(deadline);
            }
        }
    }

    /** Lets the worker thread work, failing the test past {@code deadline}. */
    private void awaitProgress(long deadline) {
        if (System.nanoTime() > deadline) {
            fail("the map was not built within " + TimeUnit.NANOSECONDS.toSeconds(MAP_WAIT_NANOS) + " s; "
                    + ownReadsAnswered + " map reads answered, " + counters);
        }
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while the map was built");
        }
    }

    /** A call from the client to the server (ownership passes). */
    private void toServer(byte[] call) {
        follower.toLan(ByteBufAllocator.DEFAULT.heapBuffer(call.length).writeBytes(call));
    }

    /** Records from the server, in one read. */
    private void fromServer(byte[]... records) {
        int length = Arrays.stream(records).mapToInt(record -> record.length).sum();
        ByteBuf bytes = ByteBufAllocator.DEFAULT.heapBuffer(length);
        for (byte[] record : records) {
            bytes.writeBytes(record);
        }
        follower.fromLan(bytes);
        bytes.release();
    }

    /** LAN bytes the encoder took so far (it counts them as it cuts, so what it has is cut first). */
    private long encodedSoFar() {
        setup.sender.encoder.flush(setup.sender.batches);
        return setup.sender.codecCounters.get(Kind.LAN_BYTES);
    }

    private static byte[] slice(byte[] file, int offset) {
        return Arrays.copyOfRange(file, offset, Math.min(file.length, offset + READ_SIZE));
    }

    private static int xid(byte[] record) {
        return ByteBuffer.wrap(record).getInt(4);
    }

    /** The offset of the read of {@link #READ_SIZE} bytes that holds the most guest-free bytes. */
    private int mostFreeRead() {
        int best = 0;
        long bestFree = -1;
        for (int offset = 0; offset < DISK_SIZE; offset += READ_SIZE) {
            long within = setup.extent.freeWithin(offset, READ_SIZE);
            if (within > bestFree) {
                best = offset;
                bestFree = within;
            }
        }
        assertTrue(bestFree > 0);
        return best;
    }
}
