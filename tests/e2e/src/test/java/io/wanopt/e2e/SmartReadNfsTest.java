package io.wanopt.e2e;

import static io.wanopt.e2e.RealServerSetup.wanBytes;
import static io.wanopt.e2e.SmartReadCopies.assertByteExact;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wanopt.e2e.SmartReadCopies.Transfer;
import io.wanopt.harness.HostTools;
import io.wanopt.harness.NfsClient;
import io.wanopt.harness.NfsClient.Version;
import io.wanopt.harness.NfsServer;
import io.wanopt.harness.Sites;
import io.wanopt.protocols.disk.ByteRange;
import io.wanopt.protocols.disk.FileSource;
import io.wanopt.protocols.disk.FileUsageMap;
import io.wanopt.protocols.disk.UnsupportedFormatException;
import io.wanopt.proxy.follow.FollowCounters;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SmartRead over NFS: libnfs's nfs-cp at the branch pulls a VMDK from a real nfs-ganesha beside the
 * datacenter, through both appliances and an emulated 50 Mbit/s WAN. The VMDK's ext4 or NTFS has a
 * deleted file's stale data in its free blocks (see {@link StaleDisk}).
 * <ul>
 * <li>With {@code smartread.unused-blocks = zero} (or a rule saying so for the file), the datacenter
 *     appliance maps the VMDK and sends the free blocks as zeros: the copy differs from the original,
 *     but its file system is consistent and holds the same files, and the WAN carries about what the
 *     zeroed disk compresses to. So for ext4 in a hosted sparse VMDK or a flat extent and for NTFS in a
 *     flat extent, over NFSv3, and over NFSv4, where the file version comes from GETATTR replies
 *     (libnfs never asks for the change attribute, so it is time_modify, time_metadata and size).
 * <li>With {@code skip-storage-reads} as well, read-ahead READs that fall wholly in free blocks are
 *     answered by the datacenter appliance with zeros, and the copy is exactly the original with the
 *     free bytes a {@link FileUsageMap} of it finds zeroed.
 * <li>With the default {@code keep}, and for an ext4 that needs journal recovery (not clean), the copy
 *     is byte-exact.
 * </ul>
 * Each test starts its own appliances on new stores (cold dictionaries), and each disk has its own
 * random data, so no copy profits from another.
 */
class SmartReadNfsTest {

    /** About ten times what the largest copy takes over the 50 Mbit/s link. */
    private static final Duration COPY_TIMEOUT = Duration.ofSeconds(45);
    /** Share of the deleted file's bytes that must cross as zeros. */
    private static final double ZEROED_SHARE = 0.9;
    private static final String ZERO = "smartread.unused-blocks = zero";
    private static final String ZERO_FLAT_EXTENTS_BY_RULE = "smartread.rules = [ { path = \"*-flat.vmdk\", "
            + "unused-blocks = zero } ]";
    private static final String ZERO_SKIPPING_STORAGE_READS = ZERO + "\nsmartread.skip-storage-reads = on";
    private static final String KEEP = "";
    private static final System.Logger LOG = System.getLogger(SmartReadNfsTest.class.getName());

    @TempDir
    static Path dir;
    private static NfsServer nfs;
    private static StaleExt4Disk sparse;
    private static StaleExt4Disk flat;
    private static StaleExt4Disk kept;
    private static StaleExt4Disk needsRecovery;
    private static StaleExt4Disk readOverV4;
    private static StaleExt4Disk skipped;
    /** Null when the NTFS tools are missing (the reason is in {@link #ntfsUnavailable}). */
    private static StaleNtfsDisk ntfs;
    private static Optional<String> ntfsUnavailable;

    @BeforeAll
    static void start() throws Exception {
        SmartReadCopies.assumeInstalled(NfsServer.TOOLS);
        Path serverDir = dir.resolve("nfs");
        // ganesha caches directories: every disk the tests read is in the export before it starts.
        Path export = NfsServer.exportDirectory(serverDir);
        Path work = dir.resolve("fixtures");
        long begin = System.nanoTime();
        sparse = StaleExt4Disk.build(work, export, "zeroed", StaleDisk.Format.MONOLITHIC_SPARSE, false, 11);
        flat = StaleExt4Disk.build(work, export, "disk", StaleDisk.Format.FLAT_EXTENT, false, 12);
        kept = StaleExt4Disk.build(work, export, "kept", StaleDisk.Format.MONOLITHIC_SPARSE, false, 13);
        needsRecovery = StaleExt4Disk.build(work, export, "dirty", StaleDisk.Format.MONOLITHIC_SPARSE, true, 14);
        readOverV4 = StaleExt4Disk.build(work, export, "zeroed4", StaleDisk.Format.MONOLITHIC_SPARSE, false, 15);
        skipped = StaleExt4Disk.build(work, export, "skipped", StaleDisk.Format.FLAT_EXTENT, false, 16);
        ntfsUnavailable = HostTools.unavailableReason(StaleNtfsDisk.TOOLS);
        if (ntfsUnavailable.isEmpty()) {
            ntfs = StaleNtfsDisk.build(work, export, "ntfs", 17);
        }
        LOG.log(System.Logger.Level.INFO, String.format("disks built in %.1f s", secondsSince(begin)));
        nfs = NfsServer.start(serverDir, HostTools.freeLoopbackPort(), HostTools.freeLoopbackPort());
    }

    @AfterAll
    static void stop() {
        if (nfs != null) {
            nfs.close();
        }
    }

    @Test
    void freeBlocksOfASparseVmdkCrossAsZerosAndItsFilesStayIntact() throws Exception {
        assertZeroed(sparse, copy(ZERO, Version.V3, sparse));
    }

    @Test
    void freeBlocksOfASparseVmdkReadOverNfsV4CrossAsZeros() throws Exception {
        assertZeroed(readOverV4, copy(ZERO, Version.V4, readOverV4));
    }

    @Test
    void freeBlocksOfAFlatExtentCrossAsZerosByRule() throws Exception {
        assertZeroed(flat, copy(ZERO_FLAT_EXTENTS_BY_RULE, Version.V3, flat));
    }

    @Test
    void freeClustersOfAnNtfsFlatExtentCrossAsZeros() throws Exception {
        assumeTrue(ntfs != null, () -> ntfsUnavailable.orElseThrow());
        assertZeroed(ntfs, copy(ZERO, Version.V3, ntfs));
    }

    @Test
    void readsAheadWhollyInFreeBlocksAreAnsweredWithoutTheServer() throws Exception {
        Transfer transfer = copy(ZERO_SKIPPING_STORAGE_READS, Version.V3, skipped);
        assertTrue(transfer.datacenter().storageReadsSkipped() > 0, "READs answered without the server: "
                + transfer.datacenter());
        Path expected = withFreeBytesZeroed(skipped.file(), dir.resolve("expected-" + skipped.fileName()));
        RealServerSetup.assertSameContent(expected, transfer.copy());
        assertZeroed(skipped, transfer);
    }

    @Test
    void keptUnusedBlocksGiveAByteExactCopy() throws Exception {
        assertByteExact(kept, copy(KEEP, Version.V3, kept));
    }

    @Test
    void aFileSystemNeedingRecoveryIsCopiedByteExactEvenWithZero() throws Exception {
        assertByteExact(needsRecovery, copy(ZERO, Version.V3, needsRecovery));
    }

    /**
     * Checks a copy of {@code disk} made with a config that makes its free blocks cross as zeros: the
     * same consistent file system with the same files, the deleted file's data gone, and a WAN that
     * carried about the zeroed disk's compressed size.
     */
    private static void assertZeroed(StaleDisk disk, Transfer transfer) throws Exception {
        Path scratch = dir.resolve("check-" + disk.name());
        Path partition = SmartReadCopies.assertSameFilesOtherBytes(disk, transfer, scratch);
        FollowCounters datacenter = transfer.datacenter();
        long staleLeft = disk.staleBlocksIn(partition);
        LOG.log(System.Logger.Level.INFO, String.format("%s: %d of %d deleted blocks arrived with their data,"
                + " %d READs (%d bytes) answered without the server", disk.fileName(), staleLeft, disk.staleBlocks(),
                datacenter.storageReadsSkipped(), datacenter.storageReadsSkippedBytes()));
        assertTrue(staleLeft <= (1 - ZEROED_SHARE) * disk.staleBlocks(), staleLeft + " of the deleted file's "
                + disk.staleBlocks() + " blocks arrived with their data");
        assertTrue(datacenter.freeBytesZeroed() >= ZEROED_SHARE * disk.staleSize(), "guest-free bytes sent as "
                + "zeros: " + datacenter.freeBytesZeroed() + " for a " + disk.staleSize() + "-byte deleted file; "
                + datacenter);
        SmartReadCopies.assertWanAboutCompressedSize(disk, transfer, scratch);
    }

    /** nfs-cp over NFS {@code version} of {@code disk} to a local copy through new appliances with {@code config}. */
    private static Transfer copy(String config, Version version, StaleDisk disk) throws Exception {
        Path local = dir.resolve("copy-" + disk.fileName());
        Sites sites = new Sites(dir.resolve("sites-" + disk.name()), config)
                .branch("branch", new InetSocketAddress("127.0.0.1", nfs.nfsPort()),
                        new InetSocketAddress("127.0.0.1", nfs.mountPort()))
                .overWan(RealServerSetup.LINK);
        try (sites) {
            sites.start();
            long begin = System.nanoTime();
            long wan = wanBytes(sites, () -> NfsClient.get(version, "127.0.0.1", sites.entry(0, 0).getPort(),
                    sites.entry(0, 1).getPort(), disk.fileName(), local, COPY_TIMEOUT));
            double seconds = secondsSince(begin);
            FollowCounters counters = sites.datacenter().followCounters();
            LOG.log(System.Logger.Level.INFO, String.format("%s over NFS %s with [%s]: %d bytes on the WAN in %.1f s;"
                    + " datacenter: %s", disk.fileName(), version, config, wan, seconds, counters));
            return new Transfer(local, wan, counters);
        }
    }

    /**
     * A copy of {@code original} at {@code target} with the bytes a {@link FileUsageMap} of it calls
     * guest-free set to zero: what a copy with {@code unused-blocks = zero} must be.
     */
    private static Path withFreeBytesZeroed(Path original, Path target) throws IOException, UnsupportedFormatException {
        List<ByteRange> free;
        try (FileSource source = FileSource.open(original)) {
            free = FileUsageMap.read(source, original.getFileName().toString()).free();
        }
        Files.copy(original, target);
        ByteBuffer zeros = ByteBuffer.allocate((int) StaleDisk.MIB);
        try (FileChannel channel = FileChannel.open(target, StandardOpenOption.WRITE)) {
            for (ByteRange range : free) {
                for (long at = range.offset(); at < range.end(); ) {
                    zeros.clear().limit((int) Math.min(zeros.capacity(), range.end() - at));
                    at += channel.write(zeros, at);
                }
            }
        }
        return target;
    }

    private static double secondsSince(long begin) {
        return (System.nanoTime() - begin) / 1e9;
    }
}
