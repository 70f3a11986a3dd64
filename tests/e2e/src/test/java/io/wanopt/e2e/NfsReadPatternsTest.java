package io.wanopt.e2e;

import static io.wanopt.e2e.RealServerSetup.assertSameContent;
import static io.wanopt.e2e.RealServerSetup.wanBytes;
import static io.wanopt.e2e.TestBytes.randomBytes;
import static io.wanopt.e2e.TestBytes.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wanopt.harness.FileDigest;
import io.wanopt.harness.HostTools;
import io.wanopt.harness.Nfs3BlockClient;
import io.wanopt.harness.Nfs3BlockClient.Attributes;
import io.wanopt.harness.Nfs3BlockClient.Handle;
import io.wanopt.harness.Nfs3BlockClient.ReadReply;
import io.wanopt.harness.NfsClient;
import io.wanopt.harness.NfsClient.Version;
import io.wanopt.harness.NfsServer;
import io.wanopt.harness.Sites;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * NFS reads a branch client makes of a real nfs-ganesha through both appliances and an emulated
 * 10 Mbit/s, 140 ms WAN, checked for what must hold whatever the appliances do to speed them up
 * (file-offset chunking, read-ahead):
 * <ul>
 * <li>after an aligned copy (nfs-cp), the file read again on one connection at odd offsets and sizes
 *     arrives intact, and puts under 2 % of the file on the WAN (the part of a file chunk a READ's
 *     edge cuts crosses as a slice of the chunk sent before);
 * <li>a file changed on the server between two reads, on one connection or by two nfs-cp runs, is
 *     read anew;
 * <li>a file changed while a client reads it sequentially gives old or new bytes during the change,
 *     and only new ones once the client asked for its attributes again, although read-ahead may
 *     hold bytes of the file from before the change.
 * </ul>
 *
 * <p>Changes are made two ways. In the export directory, as a process on the server would: ganesha
 * reads the new bytes but keeps showing the old size and mtime (its attribute cache, 60 s by
 * default), so nothing in the NFS traffic tells of the change, and a file grown this way still ends
 * at its old size for every NFS client; growing is therefore done the other way. Through NFS WRITE
 * by a second client beside the server: ganesha's attributes show the change at once.
 */
class NfsReadPatternsTest {

    private static final Duration RPC_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration COPY_TIMEOUT = Duration.ofSeconds(60);
    private static final int MIB = 1 << 20;
    /** What libnfs reads with, and what read-ahead engages on. */
    private static final int SEQUENTIAL_READ = MIB;
    /** None a multiple of the 4 KiB file block; the cycle's sum isn't either, so offsets drift through every alignment. */
    private static final int[] ODD_READ_SIZES = {65_537, 131_071, 1_000_000, 4_095, 777_777, 12_289};
    private static final int UNIFORM_ODD_READ_SIZE = 999_999;
    /** A repeated read may cost at most this share of the file on the WAN, besides the chunks its READs cut. */
    private static final double REPEAT_WAN_SHARE = 0.02;
    private static final int BLOCK = 64 * 1024;

    private static final String ODD_OFFSETS = "odd-offsets.bin";
    private static final long ODD_OFFSETS_SIZE = 16L * MIB;
    private static final String BETWEEN_READS = "between-reads.bin";
    private static final String WHILE_READING = "while-reading-";
    private static final String BETWEEN_COPIES = "between-copies-";
    private static final long CHANGED_FILE_SIZE = 3L * MIB + 4321;
    private static final long WHILE_READING_SIZE = 5L * MIB + 4321;
    /** Read before the change: two reads, enough for read-ahead to see a sequential reader. */
    private static final int READ_BEFORE_CHANGE = 2 * SEQUENTIAL_READ;
    /** Changed from here to the end: bytes read-ahead would have fetched by the time of the change. */
    private static final int CHANGED_FROM = READ_BEFORE_CHANGE + MIB / 2;

    private static final System.Logger LOG = System.getLogger(NfsReadPatternsTest.class.getName());

    /** Who changes a file on the server. */
    enum Writer {
        /** A process on the server, writing in the export directory behind ganesha's back. */
        EXPORT_DIRECTORY,
        /** A second NFS client beside the server, with WRITEs that go to ganesha directly. */
        NFS_CLIENT_AT_SERVER
    }

    @TempDir
    static Path dir;
    private static NfsServer nfs;
    private static Sites sites;
    /** The second client beside the server, connected to ganesha, not to an appliance. */
    private static Nfs3BlockClient atServer;

    @BeforeAll
    static void start() throws Exception {
        Optional<String> unavailable = HostTools.unavailableReason(NfsServer.TOOLS);
        assumeTrue(unavailable.isEmpty(), () -> unavailable.orElseThrow());
        Path serverDir = dir.resolve("nfs");
        Path export = NfsServer.exportDirectory(serverDir);
        // ganesha caches directories: every file the tests read is in the export before it starts.
        writeMixedFile(export.resolve(ODD_OFFSETS), ODD_OFFSETS_SIZE, 1);
        writeMixedFile(export.resolve(BETWEEN_READS), CHANGED_FILE_SIZE, 2);
        for (Version version : Version.values()) {
            writeMixedFile(export.resolve(BETWEEN_COPIES + version + ".bin"), CHANGED_FILE_SIZE, 3 + version.ordinal());
        }
        for (Writer writer : Writer.values()) {
            writeMixedFile(export.resolve(WHILE_READING + writer + ".bin"), WHILE_READING_SIZE, 5 + writer.ordinal());
        }
        nfs = NfsServer.start(serverDir, HostTools.freeLoopbackPort(), HostTools.freeLoopbackPort());
        sites = new Sites(dir.resolve("sites"), "")
                .branch("branch", new InetSocketAddress("127.0.0.1", nfs.nfsPort()),
                        new InetSocketAddress("127.0.0.1", nfs.mountPort()))
                .overWan(RealServerSetup.REFERENCE_LINK).start();
        atServer = Nfs3BlockClient.connect(new InetSocketAddress("127.0.0.1", nfs.nfsPort()),
                new InetSocketAddress("127.0.0.1", nfs.mountPort()), Nfs3BlockClient.EXPORT, RPC_TIMEOUT);
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            if (atServer != null) {
                atServer.close();
            }
            if (sites != null) {
                sites.close();
            }
        } finally {
            if (nfs != null) {
                nfs.close();
            }
        }
    }

    @Test
    void readsAtOddOffsetsAfterAnAlignedCopyArriveIntactAndAsReferences() throws IOException {
        Path original = nfs.exportDirectory().resolve(ODD_OFFSETS);
        long size = Files.size(original);
        Path copied = dir.resolve("odd-offsets-copied.bin");
        long copyBegin = System.nanoTime();
        long copyWan = wanBytes(sites, () -> copyThroughAppliances(Version.V3, ODD_OFFSETS, copied));
        LOG.log(System.Logger.Level.INFO, String.format("%d-byte file, nfs-cp v3 copy: %d bytes on the WAN (%.1f%%) in %.1f s",
                size, copyWan, 100.0 * copyWan / size, secondsSince(copyBegin)));
        assertSameContent(original, copied);

        int[] next = {0};
        assertReadAtOddOffsetsAsReferences("READs of cycling odd sizes from offset 1", original, 1,
                () -> ODD_READ_SIZES[next[0]++ % ODD_READ_SIZES.length]);
        // one size, each READ where the last ended: what read-ahead engages on, here at odd offsets
        assertReadAtOddOffsetsAsReferences("READs of " + UNIFORM_ODD_READ_SIZE + " bytes from offset 3", original, 3,
                () -> UNIFORM_ODD_READ_SIZE);
    }

    /**
     * Reads {@code original} whole through the appliances on one connection: from {@code start} to its
     * end in READs as long as {@code sizes} says, then its first {@code start} bytes. The bytes must be
     * the file's, and the WAN may carry less than {@link #REPEAT_WAN_SHARE} of the file.
     */
    private static void assertReadAtOddOffsetsAsReferences(String what, Path original, int start, IntSupplier sizes)
            throws IOException {
        long size = Files.size(original);
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        int[] reads = {0};
        long begin = System.nanoTime();
        long wan = wanBytes(sites, () -> {
            try (Nfs3BlockClient client = connectThroughAppliances()) {
                Handle file = client.lookup(ODD_OFFSETS);
                IntSupplier countedSizes = () -> {
                    reads[0]++;
                    return sizes.getAsInt();
                };
                byte[] rest = readToEnd(client, file, start, countedSizes);
                content.writeBytes(client.read(file, 0, start).data());
                content.writeBytes(rest);
            }
        });
        double seconds = secondsSince(begin);
        LOG.log(System.Logger.Level.INFO, String.format("%s: %d READs, %d bytes on the WAN (%.2f%% of the file) in %.1f s",
                what, reads[0] + 1, wan, 100.0 * wan / size, seconds));
        assertEquals(FileDigest.sha256(original), sha256(content.toByteArray()), "SHA-256 of the file read by " + what);
        assertTrue(wan < REPEAT_WAN_SHARE * size, "reading the " + size + "-byte file again by " + what
                + " put " + wan + " bytes on the WAN; allowed: " + REPEAT_WAN_SHARE + " of the file");
    }

    @Test
    void aFileChangedBetweenTwoReadsIsReadAnewOnTheSameConnection() throws IOException {
        Path local = nfs.exportDirectory().resolve(BETWEEN_READS);
        Random random = new Random(20);
        try (Nfs3BlockClient client = connectThroughAppliances()) {
            Handle file = client.lookup(BETWEEN_READS);
            assertReadsAsOnDisk(client, file, local, "first read");

            overwriteInExportDirectory(local, MIB + 123, randomBytes(random, MIB + MIB / 2));
            // as a client revalidates before it reads again (ganesha's answer does not show this change)
            client.getattr(file);
            assertReadsAsOnDisk(client, file, local, "after an overwrite in the export directory");

            Attributes before = client.getattr(file);
            writeThroughNfs(BETWEEN_READS, MIB / 2 + 7, randomBytes(random, MIB));
            Attributes after = client.getattr(file);
            assertTrue(before.mtimeSeconds() != after.mtimeSeconds() || before.mtimeNanos() != after.mtimeNanos(),
                    "GETATTR shows the new mtime after a WRITE: " + before + " then " + after);
            assertReadsAsOnDisk(client, file, local, "after an overwrite through NFS");

            try (FileChannel channel = FileChannel.open(local, StandardOpenOption.WRITE)) {
                channel.truncate(2L * MIB + 999);
            }
            client.getattr(file);
            assertReadsAsOnDisk(client, file, local, "after truncating in the export directory");

            long grownFrom = Files.size(local);
            writeThroughNfs(BETWEEN_READS, grownFrom + 5000, randomBytes(random, MIB + 77));
            assertEquals(Files.size(local), client.getattr(file).size(), "GETATTR size after growing through NFS");
            assertReadsAsOnDisk(client, file, local, "after growing through NFS");
        }
    }

    @ParameterizedTest
    @EnumSource(Version.class)
    void aFileChangedBetweenTwoCopiesIsCopiedAnew(Version version) throws IOException {
        String name = BETWEEN_COPIES + version + ".bin";
        Path local = nfs.exportDirectory().resolve(name);
        Path copied = dir.resolve("copied-" + name);
        Random random = new Random(30 + version.ordinal());
        copyThroughAppliances(version, name, copied);
        assertSameContent(local, copied);

        overwriteInExportDirectory(local, MIB - 3, randomBytes(random, MIB));
        copyThroughAppliances(version, name, copied);
        assertSameContent(local, copied);

        writeThroughNfs(name, Files.size(local) + 1, randomBytes(random, MIB / 2));
        copyThroughAppliances(version, name, copied);
        assertSameContent(local, copied);
    }

    @ParameterizedTest
    @EnumSource(Writer.class)
    void aFileChangedWhileReadIsReadAnewAfterGetattr(Writer writer) throws IOException {
        String name = WHILE_READING + writer + ".bin";
        Path local = nfs.exportDirectory().resolve(name);
        byte[] before = Files.readAllBytes(local);
        try (Nfs3BlockClient client = connectThroughAppliances()) {
            Handle file = client.lookup(name);
            ByteArrayOutputStream firstRead = new ByteArrayOutputStream();
            long offset = 0;
            for (; offset < READ_BEFORE_CHANGE; offset += SEQUENTIAL_READ) {
                firstRead.writeBytes(client.read(file, offset, SEQUENTIAL_READ).data());
            }
            byte[] change = randomBytes(new Random(40 + writer.ordinal()), before.length - CHANGED_FROM);
            switch (writer) {
                case EXPORT_DIRECTORY -> overwriteInExportDirectory(local, CHANGED_FROM, change);
                case NFS_CLIENT_AT_SERVER -> writeThroughNfs(name, CHANGED_FROM, change);
            }
            // one more READ after the change; what read-ahead fetched beyond it before the change stays unused
            firstRead.writeBytes(client.read(file, offset, SEQUENTIAL_READ).data());
            byte[] after = Files.readAllBytes(local);
            assertEachByteOldOrNew(before, after, firstRead.toByteArray());

            client.getattr(file);
            byte[] reread = readToEnd(client, file, 0, () -> SEQUENTIAL_READ);
            assertEquals(after.length, reread.length, "length of the re-read after the change");
            assertEquals(sha256(after), sha256(reread), "SHA-256 of the re-read after the change");
        }
    }

    private static Nfs3BlockClient connectThroughAppliances() throws IOException {
        return Nfs3BlockClient.connect(sites.entry(0, 0), sites.entry(0, 1), Nfs3BlockClient.EXPORT, RPC_TIMEOUT);
    }

    private static void copyThroughAppliances(Version version, String name, Path local) throws IOException {
        NfsClient.get(version, "127.0.0.1", sites.entry(0, 0).getPort(), sites.entry(0, 1).getPort(), name, local,
                COPY_TIMEOUT);
    }

    /** Reads {@code file} sequentially with 1 MiB READs and compares it with the file on the server's disk. */
    private static void assertReadsAsOnDisk(Nfs3BlockClient client, Handle file, Path local, String when)
            throws IOException {
        byte[] read = readToEnd(client, file, 0, () -> SEQUENTIAL_READ);
        assertEquals(Files.size(local), read.length, "length " + when);
        assertEquals(FileDigest.sha256(local), sha256(read), "SHA-256 " + when);
    }

    /**
     * READs {@code file} from {@code offset} on, each as long as {@code sizes} says, until the server
     * says end of file or returns nothing (what ganesha answers at the end of a file truncated behind
     * its back, whose old size it still believes).
     */
    private static byte[] readToEnd(Nfs3BlockClient client, Handle file, long offset, IntSupplier sizes)
            throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        while (true) {
            ReadReply reply = client.read(file, offset, sizes.getAsInt());
            data.writeBytes(reply.data());
            offset += reply.data().length;
            if (reply.eof() || reply.data().length == 0) {
                return data.toByteArray();
            }
        }
    }

    /** Every byte read while the file changed (from offset 0) is the one before or the one after the change. */
    private static void assertEachByteOldOrNew(byte[] before, byte[] after, byte[] read) {
        for (int i = 0; i < read.length; i++) {
            if (read[i] != before[i] && read[i] != after[i]) {
                fail("byte " + i + " read during the change is neither the old nor the new one");
            }
        }
    }

    private static void overwriteInExportDirectory(Path local, long offset, byte[] data) throws IOException {
        try (FileChannel channel = FileChannel.open(local, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(data);
            while (buffer.hasRemaining()) {
                channel.write(buffer, offset + buffer.position());
            }
        }
    }

    private static void writeThroughNfs(String name, long offset, byte[] data) throws IOException {
        Handle file = atServer.lookup(name);
        for (int written = 0; written < data.length; ) {
            byte[] piece = Arrays.copyOfRange(data, written, Math.min(data.length, written + MIB));
            written += atServer.write(file, offset + written, piece);
        }
    }

    /**
     * A file of 64 KiB blocks, every other one new random bytes and the rest copies of earlier
     * random blocks: not compressible, and a first copy already has repeats to dedupe.
     */
    private static void writeMixedFile(Path file, long size, long seed) throws IOException {
        Files.createDirectories(file.getParent());
        Random random = new Random(seed);
        byte[] content = new byte[(int) size];
        for (int start = 0, index = 0; start < content.length; start += BLOCK, index++) {
            int length = Math.min(BLOCK, content.length - start);
            if (index % 2 == 0) {
                byte[] block = new byte[length];
                random.nextBytes(block);
                System.arraycopy(block, 0, content, start, length);
            } else {
                int source = random.nextInt(index / 2 + 1) * 2 * BLOCK;
                System.arraycopy(content, source, content, start, length);
            }
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(content);
        }
    }


    private static double secondsSince(long begin) {
        return (System.nanoTime() - begin) / 1e9;
    }
}
