package io.wanopt.e2e;

import static io.wanopt.e2e.RealServerSetup.wanBytes;
import static io.wanopt.e2e.SmartReadCopies.assertByteExact;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wanopt.e2e.SmartReadCopies.Transfer;
import io.wanopt.harness.HostTools;
import io.wanopt.harness.SambaServer;
import io.wanopt.harness.Sites;
import io.wanopt.harness.SmbClient;
import io.wanopt.harness.SmbClient.Options;
import io.wanopt.harness.SmbClient.Protection;
import io.wanopt.protocols.disk.FileSource;
import io.wanopt.protocols.disk.FileUsageMap;
import io.wanopt.protocols.disk.RandomAccessSource;
import io.wanopt.protocols.disk.UnsupportedFormatException;
import io.wanopt.protocols.smb.FrameKind;
import io.wanopt.proxy.follow.FollowCounters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SmartRead over SMB: smbclient at the branch gets a VMDK from a real Samba beside the datacenter,
 * through both appliances and an emulated 50 Mbit/s WAN. The VMDK's ext4 or NTFS has a deleted file's
 * stale data in its free blocks (see {@link StaleDisk}).
 *
 * <p>The datacenter appliance cannot send READs of its own in an SMB session, so it builds the map
 * from the READ data the client asks for, and only the responses from the one that completes the map
 * on have their guest-free bytes zeroed; what crossed before arrives as it is. So:
 * <ul>
 * <li>With {@code smartread.unused-blocks = zero} (globally, or by a rule on the SMB path
 *     {@code share/NAME}), the copy of a hosted sparse VMDK, of an ext4 flat extent and of an NTFS flat
 *     extent holds the same consistent file system and files as the original, bytes were zeroed, and
 *     every stale block beyond what smbclient can have asked for before the map was complete is gone
 *     (see {@link #pipelineEnd}).
 * <li>With the default {@code keep}, and in a session that encrypts every message (the appliance sees
 *     no CREATE and no READ data), the copy is byte-exact.
 * </ul>
 * Each test starts its own appliances on new stores (cold dictionaries), and each disk has its own
 * random data, so no copy profits from another.
 */
class SmartReadSmbTest {

    /** About ten times what the largest copy takes over the 50 Mbit/s link. */
    private static final Duration COPY_TIMEOUT = Duration.ofSeconds(60);
    /**
     * Samba's largest READ, set below its 8 MiB default: each response holds at most this much of the
     * file, so the map, which needs the file's first MiBs, completes after a few responses.
     */
    private static final long MAX_READ = StaleDisk.MIB;
    private static final List<String> SAMBA_SETTINGS = List.of("smb2 max read = " + MAX_READ);
    /**
     * smbclient's get pipelines READs: it asks for the next chunks while at most this many bytes of
     * chunks (its default window) are asked for or waiting to be written in order.
     */
    private static final long SMBCLIENT_WINDOW = 16 * StaleDisk.MIB;
    private static final String ZERO = "smartread.unused-blocks = zero";
    private static final String ZERO_FLAT_EXTENTS_OF_THE_SHARE_BY_RULE = "smartread.rules = [ { path = \""
            + SambaServer.SHARE + "/*-flat.vmdk\", unused-blocks = zero } ]";
    private static final String KEEP = "";
    private static final System.Logger LOG = System.getLogger(SmartReadSmbTest.class.getName());

    @TempDir
    static Path dir;
    private static SambaServer samba;
    /** Requires every message encrypted. */
    private static SambaServer encryptingSamba;
    private static StaleExt4Disk sparse;
    private static StaleExt4Disk flat;
    private static StaleExt4Disk kept;
    private static StaleExt4Disk encrypted;
    /** Null when the NTFS tools are missing (the reason is in {@link #ntfsUnavailable}). */
    private static StaleNtfsDisk ntfs;
    private static Optional<String> ntfsUnavailable;

    @BeforeAll
    static void start() throws Exception {
        SmartReadCopies.assumeInstalled(SambaServer.TOOLS);
        samba = SambaServer.start(dir.resolve("samba"), HostTools.freeLoopbackPort(), SAMBA_SETTINGS);
        List<String> encrypting = new ArrayList<>(SAMBA_SETTINGS);
        encrypting.add("server smb encrypt = required");
        encryptingSamba = SambaServer.start(dir.resolve("samba-encrypting"), HostTools.freeLoopbackPort(),
                encrypting);
        Path work = dir.resolve("fixtures");
        long begin = System.nanoTime();
        Path share = samba.shareDirectory();
        sparse = StaleExt4Disk.build(work, share, "zeroed", StaleDisk.Format.MONOLITHIC_SPARSE, false, 21);
        flat = StaleExt4Disk.build(work, share, "disk", StaleDisk.Format.FLAT_EXTENT, false, 22);
        kept = StaleExt4Disk.build(work, share, "kept", StaleDisk.Format.MONOLITHIC_SPARSE, false, 23);
        encrypted = StaleExt4Disk.build(work, encryptingSamba.shareDirectory(), "encrypted",
                StaleDisk.Format.MONOLITHIC_SPARSE, false, 24);
        ntfsUnavailable = HostTools.unavailableReason(StaleNtfsDisk.TOOLS);
        if (ntfsUnavailable.isEmpty()) {
            ntfs = StaleNtfsDisk.build(work, share, "ntfs", 25);
        }
        LOG.log(System.Logger.Level.INFO, String.format("disks built in %.1f s", secondsSince(begin)));
    }

    @AfterAll
    static void stop() {
        for (SambaServer server : new SambaServer[] {samba, encryptingSamba}) {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void freeBlocksOfASparseVmdkCrossAsZerosOnceMappedAndItsFilesStayIntact() throws Exception {
        assertZeroed(sparse, copy(ZERO, sparse));
    }

    @Test
    void freeBlocksOfAFlatExtentCrossAsZerosByARuleOnItsSharePath() throws Exception {
        assertZeroed(flat, copy(ZERO_FLAT_EXTENTS_OF_THE_SHARE_BY_RULE, flat));
    }

    @Test
    void freeClustersOfAnNtfsFlatExtentCrossAsZeros() throws Exception {
        assumeTrue(ntfs != null, () -> ntfsUnavailable.orElseThrow());
        assertZeroed(ntfs, copy(ZERO, ntfs));
    }

    @Test
    void keptUnusedBlocksGiveAByteExactCopy() throws Exception {
        assertByteExact(kept, copy(KEEP, kept));
    }

    /** The appliance sees neither the CREATE nor the READ data: nothing can be mapped or zeroed, nor fail. */
    @Test
    void anEncryptedSessionGivesAByteExactCopyEvenWithZero() throws Exception {
        Transfer transfer = copy(ZERO, encryptingSamba, Options.protection(Protection.ENCRYPT), encrypted);
        assertByteExact(encrypted, transfer);
        FollowCounters datacenter = transfer.datacenter();
        assertTrue(datacenter.smbFrames(FrameKind.ENCRYPTED) > 0, "encrypted frames followed: " + datacenter);
        assertEquals(0, datacenter.smartReadMaps() + datacenter.smartReadMapFailures(),
                "VM disks mapped or tried: " + datacenter);
    }

    /**
     * Checks a copy of {@code disk} made with a config that makes its free blocks cross as zeros: the
     * same consistent file system with the same files, bytes zeroed, no stale block left beyond
     * {@link #pipelineEnd}, and a WAN that carried about the copy's compressed size.
     */
    private static void assertZeroed(StaleDisk disk, Transfer transfer) throws Exception {
        Path scratch = dir.resolve("check-" + disk.name());
        SmartReadCopies.assertSameFilesOtherBytes(disk, transfer, scratch);
        FollowCounters datacenter = transfer.datacenter();
        assertEquals(0, datacenter.smartReadMapFailures(), "maps that failed: " + datacenter);
        assertTrue(datacenter.freeBytesZeroed() > 0, "guest-free bytes sent as zeros: " + datacenter);

        // the copy is scanned as the file it is: a sparse VMDK's grains lie at block boundaries too
        List<Long> staleInOriginal = disk.staleBlockOffsetsIn(disk.file());
        assertEquals(disk.staleBlocks(), staleInOriginal.size(),
                "deleted file's blocks at block boundaries of " + disk.fileName());
        NavigableSet<Long> staleInCopy = new TreeSet<>(disk.staleBlockOffsetsIn(transfer.copy()));
        long mapEnd = mapEnd(disk.file());
        long pipelineEnd = pipelineEnd(mapEnd);
        List<Long> staleBeyond = staleInOriginal.stream().filter(offset -> offset >= pipelineEnd).toList();
        LOG.log(System.Logger.Level.INFO, String.format("%s: the map reads bytes below %d, so every response that"
                + " crossed before it was complete lies below %d; %d of %d deleted blocks arrived with their data"
                + " (the last at %s), the first zeroed one is at %s; %d deleted blocks lie beyond %d",
                disk.fileName(), mapEnd, pipelineEnd, staleInCopy.size(), staleInOriginal.size(),
                staleInCopy.isEmpty() ? "-" : staleInCopy.last(),
                staleInOriginal.stream().filter(offset -> !staleInCopy.contains(offset)).findFirst()
                        .map(String::valueOf).orElse("-"), staleBeyond.size(), pipelineEnd));
        assertFalse(staleBeyond.isEmpty(), "fixture " + disk.name() + " has no deleted block beyond " + pipelineEnd
                + ": the check below would show nothing");
        List<Long> leftBeyond = staleBeyond.stream().filter(staleInCopy::contains).toList();
        assertTrue(leftBeyond.isEmpty(), leftBeyond.size() + " of the " + staleBeyond.size() + " deleted blocks"
                + " beyond " + pipelineEnd + " arrived with their data, the first at "
                + (leftBeyond.isEmpty() ? "-" : leftBeyond.get(0)));
        SmartReadCopies.assertWanAboutCompressedSize(disk, transfer, scratch);
    }

    /**
     * The end of the file bytes the map of {@code file} reads: the appliance completes the map with the
     * response that brings the last of them, so its responses zero from there on.
     */
    private static long mapEnd(Path file) throws IOException, UnsupportedFormatException {
        try (FileSource source = FileSource.open(file)) {
            ReadsRecorded recorded = new ReadsRecorded(source);
            FileUsageMap.read(recorded, file.getFileName().toString());
            return recorded.end;
        }
    }

    /**
     * An offset below which every READ response that crossed before the map was complete lies, for a map
     * that reads bytes below {@code mapEnd}. smbclient asks for the file in {@link #MAX_READ} chunks in
     * order and writes them in order; it asks for a new chunk only while the chunks asked for and not yet
     * written span at most {@link #SMBCLIENT_WINDOW}. When the response completing the map arrives, its
     * chunk (below {@code mapEnd}) is not written yet, so no chunk beyond {@code mapEnd} rounded up to a
     * chunk plus the window was asked for. Responses may come in any order, so before that offset some
     * stale blocks may cross as they are.
     */
    private static long pipelineEnd(long mapEnd) {
        return (mapEnd + MAX_READ - 1) / MAX_READ * MAX_READ + SMBCLIENT_WINDOW;
    }

    /** smbclient gets {@code disk} from the plain Samba through new appliances with {@code config}. */
    private static Transfer copy(String config, StaleDisk disk) throws Exception {
        return copy(config, samba, Options.DEFAULT, disk);
    }

    /** smbclient gets {@code disk} with {@code options} from {@code server} through new appliances with {@code config}. */
    private static Transfer copy(String config, SambaServer server, Options options, StaleDisk disk) throws Exception {
        Path local = dir.resolve("copy-" + disk.fileName());
        Sites sites = new Sites(dir.resolve("sites-" + disk.name()), config).branch("branch", server.address())
                .overWan(RealServerSetup.LINK);
        try (sites) {
            sites.start();
            long begin = System.nanoTime();
            long wan = wanBytes(sites, () -> SmbClient.get(sites.entry(0), options, disk.fileName(), local,
                    COPY_TIMEOUT));
            double seconds = secondsSince(begin);
            FollowCounters counters = sites.datacenter().followCounters();
            LOG.log(System.Logger.Level.INFO, String.format("%s over SMB (%s) with [%s]: %d bytes on the WAN in %.1f s;"
                    + " datacenter: %s", disk.fileName(), options.protection(), config, wan, seconds, counters));
            return new Transfer(local, wan, counters);
        }
    }

    private static double secondsSince(long begin) {
        return (System.nanoTime() - begin) / 1e9;
    }

    /** A source that remembers the end of the furthest read made of it. */
    private static final class ReadsRecorded implements RandomAccessSource {
        private final RandomAccessSource source;
        private long end;

        ReadsRecorded(RandomAccessSource source) {
            this.source = source;
        }

        @Override
        public int read(long offset, byte[] dst, int dstOff, int len) throws IOException {
            int read = source.read(offset, dst, dstOff, len);
            end = Math.max(end, offset + Math.max(read, 0));
            return read;
        }

        @Override
        public long size() throws IOException {
            return source.size();
        }
    }
}
