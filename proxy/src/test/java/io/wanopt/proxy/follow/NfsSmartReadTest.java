package io.wanopt.proxy.follow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.wanopt.cache.codec.CodecCounters.Kind;
import io.wanopt.config.ProtocolSettings;
import io.wanopt.config.SmartReadSettings;
import io.wanopt.config.SmartReadSettings.Rule;
import io.wanopt.config.SmartReadSettings.UnusedBlocks;
import io.wanopt.protocols.disk.ByteRange;
import io.wanopt.protocols.disk.FileSource;
import io.wanopt.protocols.disk.FileUsageMap;
import io.wanopt.protocols.disk.UnsupportedFormatException;
import io.wanopt.proxy.follow.Nfs3Records.Attributes;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
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
    private static final int DISK_SIZE = 8 << 20;
    private static final int PARTITION_OFFSET = 1 << 20;
    private static final int READ_SIZE = 1 << 20;
    private static final String DISK_NAME = "disk-flat.vmdk";
    private static final ProtocolSettings SETTINGS = new ProtocolSettings(CHUNK_SIZE, 1024, true, 4 << 20, 64,
            new ProtocolSettings.ReadAhead(false, 32 << 20, Duration.ofSeconds(5)), true, 9 << 20);
    private static final SmartReadSettings ZERO_FOR_ALL = new SmartReadSettings(UnusedBlocks.ZERO, List.of(), false,
            Duration.ofSeconds(30), 4);
    /** The map's worker thread gets this long to finish, driven by the test. */
    private static final long MAP_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long COMMAND_TIMEOUT_SECONDS = 60;
    private static final int LOOKUP_XID = 0x100;
    private static final int OWN_XID_DISTANCE = 0xC000_0000;
    private static final Attributes VERSION = new Attributes(DISK_SIZE, 1_700_000_000, 1_700_000_000);

    @TempDir
    Path dir;
    private final FollowCounters counters = new FollowCounters();
    private EncodingFixture fixture;
    private FarSide farSide;
    private RecordingFlow flow;
    private SmartReadMaps maps;
    private NfsFollower follower;
    /** The bytes mkfs.ext4 was run on. */
    private byte[] pattern;
    /** The flat extent: an ext4 file system over {@link #pattern}. */
    private byte[] disk;
    /** {@link #disk} with its guest-free ranges zeroed: what the far side should get. */
    private byte[] zeroedDisk;
    private List<ByteRange> free;
    /** What the far side should decode, in order. */
    private final ByteArrayOutputStream farExpected = new ByteArrayOutputStream();
    private int nextXid = LOOKUP_XID;
    private int ownReadsAnswered;

    @BeforeEach
    void start() throws Exception {
        makeDisk();
        fixture = new EncodingFixture(dir.resolve("sender"));
        farSide = new FarSide(dir.resolve("receiver"), fixture);
        flow = new RecordingFlow(fixture.batches);
    }

    @AfterEach
    void stop() throws IOException {
        if (follower != null) {
            follower.close();
            flow.runTasks(); // map reads asked for after the close are refused, which ends the worker's build
            assertEquals(0, flow.held, "held replies are given back to the memory cap");
        }
        if (maps != null) {
            maps.close();
        }
        fixture.close();
        farSide.close();
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
        expectFar(Nfs3Records.readReply(xid, VERSION, slice(zeroedDisk, 0), false));

        for (int offset = READ_SIZE; offset < DISK_SIZE; offset += READ_SIZE) {
            clientRead(offset, VERSION, disk, zeroedDisk);
            assertEquals(0, flow.held, "a mapped version's replies are not held");
        }
        assertFarSideGotWhatWasExpected();
        assertEquals(totalFree(), counters.freeBytesZeroed());
        assertEquals(1, counters.smartReadMaps());
        assertEquals((long) ownReadsAnswered * READ_SIZE, counters.smartReadMapReadBytes());
        assertTrue(flow.failures.isEmpty(), flow.failures.toString());
    }

    @Test
    void withGuestFreeBlocksKeptTheDiskCrossesAsItIsWithoutReadsOfTheAppliancesOwn() throws IOException {
        follower = follower(fixture.smartReadMaps);
        lookUpDisk(VERSION);
        for (int offset = 0; offset < DISK_SIZE; offset += READ_SIZE) {
            clientRead(offset, VERSION, disk, disk);
            assertEquals(0, flow.held);
        }
        assertFarSideGotWhatWasExpected();
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
        expectFar(Nfs3Records.readReply(xid, VERSION, slice(zeroedDisk, 0), false));
        long zeroedOfFirstRead = counters.freeBytesZeroed();

        // The guest rewrote the disk: its old free blocks now hold data; the new version has no file system.
        Attributes rewritten = VERSION.changed();
        int offset = mostFreeRead();
        xid = readCall(offset);
        byte[] reply = Nfs3Records.readReply(xid, rewritten, slice(pattern, offset), offset + READ_SIZE == DISK_SIZE);
        fromServer(reply);
        driveMapUntil(() -> flow.held == 0, pattern, rewritten);
        expectFar(reply);

        assertFarSideGotWhatWasExpected();
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
        expectFar(reply);
        assertFarSideGotWhatWasExpected();
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
        assertEquals(farExpected.size(), encodedSoFar(),
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
        expectFar(lookup);
        int first = readCall(0);
        int second = readCall(READ_SIZE);
        byte[] firstReply = Nfs3Records.readReply(first, slice(disk, 0));
        byte[] secondReply = Nfs3Records.readReply(second, VERSION, slice(disk, READ_SIZE), false);
        fromServer(firstReply, secondReply); // the second starts the map; it cannot be held
        expectFar(firstReply);
        expectFar(secondReply);
        assertFarSideGotWhatWasExpected();
    }

    // ---- helpers ----

    private void start(SmartReadSettings settings) {
        maps = new SmartReadMaps(settings, counters);
        follower = follower(maps);
    }

    private NfsFollower follower(SmartReadMaps smartReadMaps) {
        return new NfsFollower(false, SETTINGS, ByteBufAllocator.DEFAULT, counters, fixture.codecCounters,
                fixture.encoder, new FileChunkIndex(1024), smartReadMaps, flow, System::nanoTime);
    }

    /** The client looks up the disk, whose attributes the reply shows. */
    private void lookUpDisk(Attributes attributes) {
        toServer(Nfs3Records.lookupCall(LOOKUP_XID, DISK_NAME));
        byte[] reply = Nfs3Records.lookupReply(LOOKUP_XID, attributes);
        fromServer(reply);
        expectFar(reply);
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
        expectFar(Nfs3Records.readReply(xid, attributes, slice(crossing, offset), eof));
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

    private void expectFar(byte[] bytes) {
        farExpected.writeBytes(bytes);
    }

    /** LAN bytes the encoder took so far (it counts them as it cuts, so what it has is cut first). */
    private long encodedSoFar() {
        fixture.encoder.flush(fixture.batches);
        return fixture.codecCounters.get(Kind.LAN_BYTES);
    }

    private void assertFarSideGotWhatWasExpected() throws IOException {
        fixture.encoder.flush(fixture.batches);
        assertArrayEquals(farExpected.toByteArray(), farSide.decode(fixture.batches));
    }

    private static byte[] slice(byte[] file, int offset) {
        return Arrays.copyOfRange(file, offset, Math.min(file.length, offset + READ_SIZE));
    }

    private static int xid(byte[] record) {
        return ByteBuffer.wrap(record).getInt(4);
    }

    private long totalFree() {
        return free.stream().mapToLong(ByteRange::length).sum();
    }

    /** The offset of the read of {@link #READ_SIZE} bytes that holds the most guest-free bytes. */
    private int mostFreeRead() {
        int best = 0;
        long bestFree = -1;
        for (int offset = 0; offset < DISK_SIZE; offset += READ_SIZE) {
            long within = 0;
            for (ByteRange range : free) {
                within += Math.max(0, Math.min(range.end(), offset + READ_SIZE) - Math.max(range.offset(), offset));
            }
            if (within > bestFree) {
                best = offset;
                bestFree = within;
            }
        }
        assertTrue(bestFree > 0);
        return best;
    }

    /**
     * A guest disk of {@link #DISK_SIZE} non-zero bytes with an MBR whose one partition, from 1 MiB,
     * holds an ext4 file system with one file, made without discard so that its free blocks keep those
     * bytes; its free ranges as {@link FileUsageMap} reads them. Mapping it takes reads at two offsets.
     */
    private void makeDisk() throws IOException, InterruptedException, UnsupportedFormatException {
        Path mkfs = Path.of("/usr/sbin/mkfs.ext4");
        if (!Files.isExecutable(mkfs)) {
            mkfs = Path.of("/sbin/mkfs.ext4");
        }
        assumeTrue(Files.isExecutable(mkfs), "mkfs.ext4 is not installed");
        Random random = new Random(17);
        pattern = new byte[DISK_SIZE];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (byte) (1 + random.nextInt(255));
        }
        Path image = dir.resolve(DISK_NAME);
        Files.write(image, withPartition(pattern));
        Path tree = Files.createDirectories(dir.resolve("tree"));
        byte[] guestFile = new byte[1 << 20];
        random.nextBytes(guestFile);
        Files.write(tree.resolve("guest-file.bin"), guestFile);
        run(mkfs.toString(), "-F", "-q", "-E", "nodiscard,offset=" + PARTITION_OFFSET, "-b", "4096", "-d",
                tree.toString(), image.toString(), (DISK_SIZE - PARTITION_OFFSET) / 1024 + "k");
        disk = Files.readAllBytes(image);
        try (FileSource source = FileSource.open(image)) {
            free = FileUsageMap.read(source, DISK_NAME).free();
        }
        zeroedDisk = disk.clone();
        for (ByteRange range : free) {
            Arrays.fill(zeroedDisk, (int) range.offset(), (int) range.end(), (byte) 0);
        }
        assertTrue(totalFree() > DISK_SIZE / 4 && totalFree() < DISK_SIZE, "free bytes: " + totalFree());
        assertFalse(Arrays.equals(disk, zeroedDisk), "the free blocks hold the pattern");
    }

    /** {@code disk} with an MBR (sector 0) of one Linux partition from {@link #PARTITION_OFFSET} to the end. */
    private static byte[] withPartition(byte[] disk) {
        byte[] withTable = disk.clone();
        ByteBuffer entry = ByteBuffer.wrap(withTable, 446, 16).order(ByteOrder.LITTLE_ENDIAN);
        entry.put((byte) 0).put(new byte[3]).put((byte) 0x83).put(new byte[3]); // not bootable, no CHS, Linux
        entry.putInt(PARTITION_OFFSET / 512).putInt((DISK_SIZE - PARTITION_OFFSET) / 512);
        Arrays.fill(withTable, 446 + 16, 510, (byte) 0); // no other partitions
        withTable[510] = 0x55;
        withTable[511] = (byte) 0xAA;
        return withTable;
    }

    private void run(String... command) throws IOException, InterruptedException {
        Path log = dir.resolve("command.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        boolean exited = process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        if (!exited || process.exitValue() != 0) {
            List<String> lines = Files.readAllLines(log);
            throw new IOException(String.join(" ", command)
                    + (exited ? " exited with " + process.exitValue() : " timed out after " + COMMAND_TIMEOUT_SECONDS + " s")
                    + ": " + String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size())));
        }
    }
}
