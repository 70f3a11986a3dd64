package io.wanopt.e2e;

import static io.wanopt.e2e.RealServerSetup.wanBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wanopt.harness.Commands;
import io.wanopt.harness.FileDigest;
import io.wanopt.harness.HostTools;
import io.wanopt.harness.NfsClient;
import io.wanopt.harness.NfsClient.Version;
import io.wanopt.harness.NfsServer;
import io.wanopt.harness.Sites;
import io.wanopt.proxy.follow.FollowCounters;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SmartRead over NFS: libnfs's nfs-cp at the branch pulls a VMDK from a real nfs-ganesha beside the
 * datacenter, through both appliances and an emulated 50 Mbit/s WAN. The VMDK's ext4 has a deleted
 * file's stale data in its free blocks (see {@link StaleExt4Disk}).
 * <ul>
 * <li>With {@code smartread.unused-blocks = zero} (or a rule saying so for the file), the datacenter
 *     appliance maps the VMDK and sends the free blocks as zeros: the copy differs from the original,
 *     but its file system is consistent and holds the same files, and the WAN carries about what the
 *     zeroed disk compresses to.
 * <li>With the default {@code keep}, and for an ext4 that needs journal recovery (not clean), the copy
 *     is byte-exact.
 * </ul>
 * Each test starts its own appliances on new stores (cold dictionaries), and each disk has its own
 * random data, so no copy profits from another.
 */
class SmartReadNfsTest {

    /** About ten times what the largest copy takes over the 50 Mbit/s link. */
    private static final Duration COPY_TIMEOUT = Duration.ofSeconds(45);
    private static final Duration ZSTD_TIMEOUT = Duration.ofSeconds(60);
    /** Share of the deleted file's bytes that must cross as zeros. */
    private static final double ZEROED_SHARE = 0.9;
    /** WAN bytes allowed beyond the zeroed copy's zstd -3 size, as a share of the file: headers, TLS, chunk framing. */
    private static final double WAN_OVERHEAD_SHARE = 0.02;
    private static final String ZERO = "smartread.unused-blocks = zero";
    private static final String ZERO_FLAT_EXTENTS_BY_RULE = "smartread.rules = [ { path = \"*-flat.vmdk\", "
            + "unused-blocks = zero } ]";
    private static final String KEEP = "";
    private static final System.Logger LOG = System.getLogger(SmartReadNfsTest.class.getName());

    @TempDir
    static Path dir;
    private static NfsServer nfs;
    private static StaleExt4Disk sparse;
    private static StaleExt4Disk flat;
    private static StaleExt4Disk kept;
    private static StaleExt4Disk needsRecovery;

    /** What one copy did: its WAN bytes and the datacenter appliance's SmartRead counters. */
    private record Transfer(long wanBytes, long smartReadMaps, long freeBytesZeroed, String datacenterCounters) {
    }

    @BeforeAll
    static void start() throws Exception {
        List<String> tools = new ArrayList<>(NfsServer.TOOLS);
        tools.addAll(StaleExt4Disk.TOOLS);
        tools.add("zstd");
        Optional<String> unavailable = HostTools.unavailableReason(tools);
        assumeTrue(unavailable.isEmpty(), () -> unavailable.orElseThrow());
        Path serverDir = dir.resolve("nfs");
        // ganesha caches directories: every disk the tests read is in the export before it starts.
        Path export = NfsServer.exportDirectory(serverDir);
        Path work = dir.resolve("fixtures");
        long begin = System.nanoTime();
        sparse = StaleExt4Disk.build(work, export, "zeroed", StaleExt4Disk.Format.MONOLITHIC_SPARSE, false, 11);
        flat = StaleExt4Disk.build(work, export, "disk", StaleExt4Disk.Format.FLAT_EXTENT, false, 12);
        kept = StaleExt4Disk.build(work, export, "kept", StaleExt4Disk.Format.MONOLITHIC_SPARSE, false, 13);
        needsRecovery = StaleExt4Disk.build(work, export, "dirty", StaleExt4Disk.Format.MONOLITHIC_SPARSE, true, 14);
        LOG.log(System.Logger.Level.INFO, String.format("4 disks built in %.1f s", secondsSince(begin)));
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
        assertZeroedCopy(sparse, ZERO);
    }

    @Test
    void freeBlocksOfAFlatExtentCrossAsZerosByRule() throws Exception {
        assertZeroedCopy(flat, ZERO_FLAT_EXTENTS_BY_RULE);
    }

    @Test
    void keptUnusedBlocksGiveAByteExactCopy() throws Exception {
        Path copy = dir.resolve("copy-" + kept.fileName());
        Transfer transfer = copy(KEEP, kept, copy);
        RealServerSetup.assertSameContent(kept.file(), copy);
        assertEquals(0, transfer.freeBytesZeroed(), "guest-free bytes sent as zeros: " + transfer.datacenterCounters());
    }

    @Test
    void aFileSystemNeedingRecoveryIsCopiedByteExactEvenWithZero() throws Exception {
        Path copy = dir.resolve("copy-" + needsRecovery.fileName());
        Transfer transfer = copy(ZERO, needsRecovery, copy);
        RealServerSetup.assertSameContent(needsRecovery.file(), copy);
        assertEquals(0, transfer.freeBytesZeroed(), "guest-free bytes sent as zeros: " + transfer.datacenterCounters());
    }

    /**
     * Copies {@code disk} with {@code config}, which makes its free blocks cross as zeros, and checks the
     * copy: other bytes than the original, the same consistent file system with the same files, the
     * deleted file's data gone, and a WAN that carried about the zeroed disk's compressed size.
     */
    private static void assertZeroedCopy(StaleExt4Disk disk, String config) throws Exception {
        Path original = disk.file();
        Path copy = dir.resolve("copy-" + disk.fileName());
        Transfer transfer = copy(config, disk, copy);

        assertEquals(Files.size(original), Files.size(copy), "size of the copy");
        assertNotEquals(FileDigest.sha256(original), FileDigest.sha256(copy),
                "SHA-256 of the copy equals the original's: no stale block was zeroed; " + transfer.datacenterCounters());
        Path scratch = Files.createDirectories(dir.resolve("check-" + disk.name()));
        Path partition = StaleExt4Disk.partition(disk.rawDisk(copy, scratch), scratch.resolve("partition.img"));
        StaleExt4Disk.fsck(partition);
        assertEquals(disk.fileDigests(), StaleExt4Disk.fileDigests(partition, scratch.resolve("files")),
                "SHA-256 of every file in the copy's guest file system");
        long staleLeft = disk.staleBlocksIn(partition);
        assertTrue(staleLeft <= (1 - ZEROED_SHARE) * StaleExt4Disk.staleBlocks(), staleLeft + " of the deleted file's "
                + StaleExt4Disk.staleBlocks() + " blocks arrived with their data");

        assertTrue(transfer.smartReadMaps() >= 1, "VM disks mapped: " + transfer.datacenterCounters());
        assertTrue(transfer.freeBytesZeroed() >= ZEROED_SHARE * StaleExt4Disk.STALE_SIZE, "guest-free bytes sent as "
                + "zeros: " + transfer.freeBytesZeroed() + " for a " + StaleExt4Disk.STALE_SIZE + "-byte deleted file; "
                + transfer.datacenterCounters());
        long compressed = zstdSize(copy, scratch.resolve("copy.zst"));
        long allowed = compressed + (long) (WAN_OVERHEAD_SHARE * Files.size(original));
        LOG.log(System.Logger.Level.INFO, String.format("%s: %d-byte file, WAN %d bytes, zeroed copy as zstd -3 %d bytes,"
                + " %d guest-free bytes sent as zeros, %d of %d deleted blocks arrived with their data",
                disk.fileName(), Files.size(original), transfer.wanBytes(), compressed, transfer.freeBytesZeroed(),
                staleLeft, StaleExt4Disk.staleBlocks()));
        assertTrue(transfer.wanBytes() <= allowed, "WAN carried " + transfer.wanBytes() + " bytes; allowed: " + allowed
                + " (zeroed copy as zstd -3: " + compressed + ", plus " + WAN_OVERHEAD_SHARE + " of the "
                + Files.size(original) + "-byte file)");
    }

    /** nfs-cp over NFSv3 of {@code disk} to {@code local} through new appliances with {@code config}. */
    private static Transfer copy(String config, StaleExt4Disk disk, Path local) throws Exception {
        Sites sites = new Sites(dir.resolve("sites-" + disk.name()), config)
                .branch("branch", new InetSocketAddress("127.0.0.1", nfs.nfsPort()),
                        new InetSocketAddress("127.0.0.1", nfs.mountPort()))
                .overWan(RealServerSetup.LINK);
        try (sites) {
            sites.start();
            long begin = System.nanoTime();
            long wan = wanBytes(sites, () -> NfsClient.get(Version.V3, "127.0.0.1", sites.entry(0, 0).getPort(),
                    sites.entry(0, 1).getPort(), disk.fileName(), local, COPY_TIMEOUT));
            double seconds = secondsSince(begin);
            FollowCounters counters = sites.datacenter().followCounters();
            Transfer transfer = new Transfer(wan, counters.smartReadMaps(), counters.freeBytesZeroed(),
                    counters.toString());
            LOG.log(System.Logger.Level.INFO, String.format("%s with [%s]: %d bytes on the WAN in %.1f s; datacenter: %s",
                    disk.fileName(), config, wan, seconds, transfer.datacenterCounters()));
            return transfer;
        }
    }

    /** Size of {@code file} compressed by {@code zstd -3} (the reference a good WAN transfer compares with). */
    private static long zstdSize(Path file, Path target) throws IOException {
        Commands.run(ZSTD_TIMEOUT, List.of(HostTools.executable("zstd"), "-3", "-q", "-f", "-o", target.toString(),
                file.toString()));
        return Files.size(target);
    }

    private static double secondsSince(long begin) {
        return (System.nanoTime() - begin) / 1e9;
    }
}
