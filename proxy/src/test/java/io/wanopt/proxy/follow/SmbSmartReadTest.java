package io.wanopt.proxy.follow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.wanopt.config.ProtocolSettings;
import io.wanopt.config.SmartReadSettings;
import io.wanopt.config.SmartReadSettings.Rule;
import io.wanopt.config.SmartReadSettings.UnusedBlocks;
import io.wanopt.protocols.disk.FileUsageMap;
import io.wanopt.protocols.disk.RandomAccessSource;
import io.wanopt.protocols.disk.UnsupportedFormatException;
import io.wanopt.protocols.smb.FileId;
import io.wanopt.protocols.smb.NetworkOpenInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SmartRead next to the SMB server: a client opens {@code disk-flat.vmdk} on the share {@code vms}, an
 * ext4 file system made by mkfs.ext4 on non-zero bytes, and reads it. The appliance sends no READs of
 * its own in an SMB session: it keeps the data the client reads until {@link FileUsageMap} can be read
 * from it, and from the response that completed the map on sends the blocks ext4 calls free as zeros.
 * The far side's bytes are checked against the disk with exactly those free ranges zeroed.
 */
class SmbSmartReadTest {

    private static final ProtocolSettings SETTINGS = new ProtocolSettings(32 * 1024, 1024, true, 4 << 20, 64,
            new ProtocolSettings.ReadAhead(false, 32 << 20, Duration.ofSeconds(5)), true, 9 << 20);
    private static final SmartReadSettings ZERO_FOR_ALL = new SmartReadSettings(UnusedBlocks.ZERO, List.of(), false,
            Duration.ofSeconds(30), 4);
    private static final int READ_SIZE = 1 << 20;
    private static final int DISK_SIZE = Ext4FlatExtent.SIZE;
    private static final String SHARE = "\\\\server\\vms";
    private static final String DISK_NAME = "disk-flat.vmdk";
    private static final FileId DISK_ID = new FileId(0x0101, 0x0202);
    private static final FileId OTHER_ID = new FileId(0x0303, 0x0404);
    /** 2023-11-14 22:13:20 UTC as a FILETIME. */
    private static final long WRITE_TIME = 133_444_736_000_000_000L;
    private static final NetworkOpenInfo DISK_INFO = info(DISK_SIZE);

    @TempDir
    Path dir;
    private final FollowCounters counters = new FollowCounters();
    private final SmbFrames frames = new SmbFrames();
    private SmartReadFixture setup;
    private Ext4FlatExtent extent;
    private FarSide farSide;
    private RecordingFlow flow;
    private SmartReadMaps maps;
    private SmbFollower follower;

    @BeforeEach
    void start() throws Exception {
        setup = new SmartReadFixture(dir, DISK_NAME);
        extent = setup.extent;
        farSide = setup.farSide;
        flow = new RecordingFlow(setup.sender.batches);
    }

    @AfterEach
    void stop() throws IOException {
        if (follower != null) {
            follower.close();
            assertEquals(0, flow.held, "kept READ data is given back to the memory cap");
            assertTrue(flow.failures.isEmpty(), flow.failures.toString());
        }
        if (setup != null) {
            setup.close();
        }
    }

    @Test
    void aClientReadingTheDiskInOrderGetsItsGuestFreeBlocksAsZerosFromTheResponseThatCompletedTheMap()
            throws IOException {
        start(new SmartReadSettings(UnusedBlocks.KEEP, List.of(new Rule("vms/*-flat.vmdk", UnusedBlocks.ZERO)), false,
                Duration.ofSeconds(30), 4));
        connectShare();
        open(DISK_NAME, DISK_ID, DISK_INFO);
        int completing = readDisk(inOrder());
        assertTrue(completing > 0, "the map needs more than the first read");
        assertTrue(counters.freeBytesZeroed() > 0);
    }

    @Test
    void readsBeforeTheMapIsBuiltCrossAsTheyAreWhateverTheirOrder() throws IOException {
        start(ZERO_FOR_ALL);
        open(DISK_NAME, DISK_ID, DISK_INFO); // no TREE_CONNECT seen: the rule path is the name alone
        int early = mostFreeRead();
        List<Integer> offsets = new ArrayList<>(List.of(early));
        for (int offset = 0; offset < DISK_SIZE; offset += READ_SIZE) {
            if (offset != early) {
                offsets.add(offset);
            }
        }
        int completing = readDisk(offsets);
        assertTrue(completing > 0, "the early read's free blocks crossed as they are");
    }

    @Test
    void withGuestFreeBlocksKeptTheDiskCrossesAsItIsAndNothingIsKept() throws IOException {
        start(setup.sender.smartReadMaps.settings());
        connectShare();
        open(DISK_NAME, DISK_ID, DISK_INFO);
        readDiskAsItIs(0);
        assertNothingZeroed();
        assertEquals(0, counters.smartReadMapFailures());
    }

    @Test
    void aWriteOnTheConnectionStopsZeroingAndLetsGoOfTheKeptData() throws IOException {
        openTheDiskAndReadItsFirstMib();
        writeAnotherFile();
        assertEquals(0, flow.held);
        readDiskAsItIs(READ_SIZE);
        assertNothingZeroed();
    }

    @Test
    void aDiskWhoseLayoutIsNotInTheFirst32MibReadIsGivenUpAndItsDataLetGo() throws IOException {
        start(ZERO_FOR_ALL);
        connectShare();
        long size = 64L << 20;
        open(DISK_NAME, DISK_ID, info(size));
        Random random = new Random(23);
        byte[] data = new byte[READ_SIZE];
        int reads = SmbSmartRead.MAX_KEPT / READ_SIZE + 1;
        for (int read = 0; read < reads; read++) {
            random.nextBytes(data);
            long offset = size / 4 + (long) read * READ_SIZE; // the client skips the partition table
            exchange(frames.readRequest(DISK_ID, offset, READ_SIZE), frames.readResponse(data));
            assertEquals(read < reads - 1 ? (read + 1L) * READ_SIZE : 0, flow.held, "kept after read " + read);
        }
        assertEquals(1, counters.smartReadMapFailures());
        clientRead(DISK_ID, 0, extent.bytes(), extent.bytes());
        clientRead(DISK_ID, READ_SIZE, extent.bytes(), extent.bytes());
        assertEquals(0, flow.held, "a version given up is not kept again");
        assertNothingZeroed();
    }

    @Test
    void aVmdkFullOfRandomBytesIsNotMappedAndCrossesAsItIs() throws IOException {
        start(ZERO_FOR_ALL);
        connectShare();
        byte[] file = new byte[4 * READ_SIZE];
        new Random(29).nextBytes(file);
        open("x.vmdk", DISK_ID, info(file.length));
        for (int offset = 0; offset < file.length; offset += READ_SIZE) {
            clientRead(DISK_ID, offset, file, file);
        }
        assertNothingZeroed();
        assertEquals(0, flow.held);
        assertEquals(1, counters.smartReadMapFailures());
    }

    @Test
    void closingTheFollowerLetsGoOfTheKeptData() throws IOException {
        openTheDiskAndReadItsFirstMib();
        follower.close();
        assertEquals(0, flow.held);
        farSide.assertGotExpected();
    }

    @Test
    void aWriteBeforeTheDiskIsOpenedStopsZeroingToo() throws IOException {
        start(ZERO_FOR_ALL);
        connectShare();
        writeAnotherFile();
        open(DISK_NAME, DISK_ID, DISK_INFO);
        readDiskAsItIs(0);
        assertNothingZeroed();
    }

    @Test
    void anotherFileOpenedWithTheFileIdOfTheClosedDiskIsNotZeroedByItsMap() throws IOException {
        openTheDiskAndReadItsFirstMib();
        clientRead(DISK_ID, READ_SIZE, extent.bytes(), extent.bytes());
        assertEquals(1, counters.smartReadMaps());
        exchange(frames.closeRequest(DISK_ID), frames.closeResponse());
        byte[] other = new byte[DISK_SIZE];
        new Random(31).nextBytes(other);
        open("other.bin", DISK_ID, info(other.length));
        clientRead(DISK_ID, mostFreeRead(), other, other);
        farSide.assertGotExpected();
        assertEquals(0, counters.freeBytesZeroed());
    }

    @Test
    void aDiskWhoseConnectionEndedBeforeItsMapWasBuiltIsMappedOnTheNextConnection() throws IOException {
        openTheDiskAndReadItsFirstMib();
        follower.close();
        assertEquals(0, flow.held);
        flow = new RecordingFlow(setup.sender.batches);
        follower = follower();
        connectShare();
        open(DISK_NAME, DISK_ID, DISK_INFO);
        readDisk(inOrder());
    }

    @Test
    void aLargerReadAtAnOffsetReadBeforeKeepsTheBytesNotSeen() throws IOException {
        start(ZERO_FOR_ALL);
        connectShare();
        open(DISK_NAME, DISK_ID, DISK_INFO);
        int superblockRead = 4096; // the partition's superblock, not its group descriptors
        toServer(frames.readRequest(DISK_ID, Ext4FlatExtent.PARTITION_OFFSET, superblockRead));
        byte[] response = frames.readResponse(Arrays.copyOfRange(extent.bytes(), Ext4FlatExtent.PARTITION_OFFSET,
                Ext4FlatExtent.PARTITION_OFFSET + superblockRead));
        fromServer(response);
        farSide.expect(response);
        for (int offset = 0; offset < DISK_SIZE; offset += READ_SIZE) {
            // the read at the partition holds all the map lacked
            clientRead(DISK_ID, offset, extent.bytes(), offset < Ext4FlatExtent.PARTITION_OFFSET ? extent.bytes()
                    : extent.zeroed());
        }
        farSide.assertGotExpected();
        assertEquals(1, counters.smartReadMaps());
        assertEquals(0, flow.held);
    }

    // ---- helpers ----

    private void start(SmartReadSettings settings) {
        maps = setup.maps(settings, counters);
        follower = follower();
    }

    /** A follower of {@link #flow}, next to the server. */
    private SmbFollower follower() {
        return new SmbFollower(false, SETTINGS, ByteBufAllocator.DEFAULT, counters, setup.sender.codecCounters,
                setup.sender.encoder, new FileChunkIndex(1024), maps, flow);
    }

    /** With unused blocks zeroed: the client opens the disk and reads its first MiB, which is kept for the map. */
    private void openTheDiskAndReadItsFirstMib() {
        start(ZERO_FOR_ALL);
        connectShare();
        open(DISK_NAME, DISK_ID, DISK_INFO);
        clientRead(DISK_ID, 0, extent.bytes(), extent.bytes());
        assertEquals(READ_SIZE, flow.held, "the first MiB is kept for the map");
    }

    /** The client connects to the share {@link #SHARE}. */
    private void connectShare() {
        exchange(frames.treeConnectRequest(SHARE), frames.treeConnectResponse());
    }

    /** The client opens {@code name}; the server answers with {@code fileId} and {@code info}. */
    private void open(String name, FileId fileId, NetworkOpenInfo info) {
        exchange(frames.createRequest(name), frames.createResponse(info, fileId));
    }

    /** The client opens a file other than the disk and writes to it. */
    private void writeAnotherFile() {
        open("notes.txt", OTHER_ID, info(0));
        exchange(frames.writeRequest(OTHER_ID, 0, new byte[] {'h', 'i'}), frames.writeResponse(2));
    }

    /** The client reads the disk from {@code from} to its end; it crosses as it is, nothing kept. */
    private void readDiskAsItIs(int from) {
        for (int offset = from; offset < DISK_SIZE; offset += READ_SIZE) {
            clientRead(DISK_ID, offset, extent.bytes(), extent.bytes());
            assertEquals(0, flow.held, "READ data kept after the read at " + offset);
        }
    }

    /**
     * A READ of {@code fileId} at {@code offset} answered with {@code served}'s bytes; the far side should
     * get {@code crossing}'s.
     */
    private void clientRead(FileId fileId, int offset, byte[] served, byte[] crossing) {
        toServer(frames.readRequest(fileId, offset, READ_SIZE));
        fromServer(frames.readResponse(slice(served, offset)));
        farSide.expect(frames.readResponse(slice(crossing, offset)));
    }

    /** A request and its response, which crosses as it is. */
    private void exchange(byte[] request, byte[] response) {
        toServer(request);
        fromServer(response);
        farSide.expect(response);
    }

    /** A request from the client on its way to the server (ownership passes). */
    private void toServer(byte[] request) {
        follower.toLan(ByteBufAllocator.DEFAULT.heapBuffer(request.length).writeBytes(request));
    }

    /** A response from the server. */
    private void fromServer(byte[] response) {
        ByteBuf bytes = ByteBufAllocator.DEFAULT.heapBuffer(response.length).writeBytes(response);
        follower.fromLan(bytes);
        bytes.release();
    }

    /** The far side got all as it was: no map was built, nothing zeroed. */
    private void assertNothingZeroed() throws IOException {
        farSide.assertGotExpected();
        assertEquals(0, counters.smartReadMaps());
        assertEquals(0, counters.freeBytesZeroed());
    }

    /**
     * The client reads the disk at {@code offsets}, {@link #READ_SIZE} bytes each; the far side should get
     * the disk as it is up to the read after which {@link FileUsageMap} can be read from what was read,
     * and from that read on with its guest-free bytes zeroed, while what was read until then is kept.
     * Returns the index of that read.
     */
    private int readDisk(List<Integer> offsets) throws IOException {
        int completing = readCompletingTheMap(offsets);
        long zeroed = 0;
        for (int read = 0; read < offsets.size(); read++) {
            boolean mapped = read >= completing;
            int offset = offsets.get(read);
            clientRead(DISK_ID, offset, extent.bytes(), mapped ? extent.zeroed() : extent.bytes());
            assertEquals(mapped ? 0 : (read + 1L) * READ_SIZE, flow.held, "READ data kept after read " + read);
            assertEquals(mapped ? 1 : 0, counters.smartReadMaps(), "maps built after read " + read);
            zeroed += mapped ? extent.freeWithin(offset, READ_SIZE) : 0;
        }
        farSide.assertGotExpected();
        assertEquals(zeroed, counters.freeBytesZeroed());
        assertEquals(0, counters.smartReadMapFailures());
        return completing;
    }

    /** The offsets of reads of all the disk, in order. */
    private static List<Integer> inOrder() {
        return IntStream.range(0, DISK_SIZE / READ_SIZE).mapToObj(read -> read * READ_SIZE).toList();
    }

    /** The index of the read among {@code offsets} after which the disk can be mapped from the reads so far. */
    private int readCompletingTheMap(List<Integer> offsets) throws IOException {
        Set<Long> read = new HashSet<>();
        for (int i = 0; i < offsets.size(); i++) {
            read.add((long) offsets.get(i));
            try {
                FileUsageMap.read(new ReadSoFar(extent.bytes(), read), DISK_NAME);
                return i;
            } catch (NotReadYet e) {
                // the map needs bytes of a later read
            } catch (UnsupportedFormatException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("the reads do not hold what the map needs");
    }

    /** The offset of the read of {@link #READ_SIZE} bytes that holds the most guest-free bytes. */
    private int mostFreeRead() {
        int best = 0;
        for (int offset = READ_SIZE; offset < DISK_SIZE; offset += READ_SIZE) {
            if (extent.freeWithin(offset, READ_SIZE) > extent.freeWithin(best, READ_SIZE)) {
                best = offset;
            }
        }
        assertTrue(extent.freeWithin(best, READ_SIZE) > 0);
        return best;
    }

    private static byte[] slice(byte[] file, int offset) {
        return Arrays.copyOfRange(file, offset, offset + READ_SIZE);
    }

    /** The times, sizes and attributes of a file of {@code size} bytes, as a CREATE response gives them. */
    private static NetworkOpenInfo info(long size) {
        return new NetworkOpenInfo(WRITE_TIME, WRITE_TIME, WRITE_TIME, WRITE_TIME, size, size, 0x20); // ARCHIVE
    }

    /** The client has not read these bytes (yet). */
    private static final class NotReadYet extends IOException {
        private static final long serialVersionUID = 1L;

        NotReadYet(long offset) {
            super("byte " + offset + " was not read");
        }
    }

    /** The bytes of {@code file} in the reads of {@link #READ_SIZE} bytes at {@code readOffsets}; others fail. */
    private record ReadSoFar(byte[] file, Set<Long> readOffsets) implements RandomAccessSource {

        @Override
        public int read(long offset, byte[] dst, int dstOff, int len) throws IOException {
            if (offset >= file.length) {
                return -1;
            }
            long readAt = offset / READ_SIZE * READ_SIZE;
            if (!readOffsets.contains(readAt)) {
                throw new NotReadYet(offset);
            }
            int n = (int) Math.min(len, Math.min(readAt + READ_SIZE, file.length) - offset);
            System.arraycopy(file, (int) offset, dst, dstOff, n);
            return n;
        }

        @Override
        public long size() {
            return file.length;
        }
    }
}
