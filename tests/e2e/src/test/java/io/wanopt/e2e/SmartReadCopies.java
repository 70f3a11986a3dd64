package io.wanopt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wanopt.harness.Commands;
import io.wanopt.harness.FileDigest;
import io.wanopt.harness.HostTools;
import io.wanopt.proxy.follow.FollowCounters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the SmartRead tests check of a {@link StaleDisk} copied through the appliances, whatever
 * protocol carried it: a byte-exact copy with no byte zeroed, or a copy whose guest-free blocks crossed
 * as zeros, which must hold the same consistent file system and files and cost the WAN about what it
 * compresses to.
 */
final class SmartReadCopies {

    /** WAN bytes allowed beyond the zeroed copy's zstd -3 size, as a share of the file: headers, TLS, chunk framing. */
    private static final double WAN_OVERHEAD_SHARE = 0.02;

    private static final Duration ZSTD_TIMEOUT = Duration.ofSeconds(60);
    private static final System.Logger LOG = System.getLogger(SmartReadCopies.class.getName());

    /** One copy: where it is, its WAN bytes and the datacenter appliance's counters, final once it stopped. */
    record Transfer(Path copy, long wanBytes, FollowCounters datacenter) {
    }

    private SmartReadCopies() {
    }

    /** Skips the calling test class, naming what is missing, unless the server, the ext4 disks and the checks can run. */
    static void assumeInstalled(List<String> serverTools) {
        List<String> tools = new ArrayList<>(serverTools);
        tools.addAll(StaleDisk.IMAGE_TOOLS);
        tools.addAll(StaleExt4Disk.TOOLS);
        tools.add("zstd");
        Optional<String> unavailable = HostTools.unavailableReason(tools);
        assumeTrue(unavailable.isEmpty(), () -> unavailable.orElseThrow());
    }

    /** The copy is the original byte for byte, and no byte crossed as a guest-free zero. */
    static void assertByteExact(StaleDisk disk, Transfer transfer) throws IOException {
        RealServerSetup.assertSameContent(disk.file(), transfer.copy());
        assertEquals(0, transfer.datacenter().freeBytesZeroed(), "guest-free bytes sent as zeros: "
                + transfer.datacenter());
    }

    /**
     * Checks a copy of {@code disk} made with a config that makes its free blocks cross as zeros: other
     * bytes than the original but its size, the same consistent file system holding the same files, and
     * a map built. Returns the copy's file system image, in {@code scratch}.
     */
    static Path assertSameFilesOtherBytes(StaleDisk disk, Transfer transfer, Path scratch) throws IOException {
        Path original = disk.file();
        Path copy = transfer.copy();
        assertEquals(Files.size(original), Files.size(copy), "size of the copy");
        assertNotEquals(FileDigest.sha256(original), FileDigest.sha256(copy),
                "SHA-256 of the copy equals the original's: no stale block was zeroed; " + transfer.datacenter());
        Files.createDirectories(scratch);
        Path partition = disk.partition(disk.rawDisk(copy, scratch), scratch.resolve("partition.img"));
        disk.checkConsistent(partition);
        assertEquals(disk.fileDigests(), disk.fileDigestsIn(partition, scratch),
                "SHA-256 of every file in the copy's guest file system");
        assertTrue(transfer.datacenter().smartReadMaps() >= 1, "VM disks mapped: " + transfer.datacenter());
        return partition;
    }

    /**
     * Logs the copy's figures, then checks that the WAN carried no more than the copy compresses to
     * with {@code zstd -3} (in {@code scratch}) plus {@link #WAN_OVERHEAD_SHARE} of the file: what
     * crossed as zeros cost about nothing.
     */
    static void assertWanAboutCompressedSize(StaleDisk disk, Transfer transfer, Path scratch) throws IOException {
        long size = Files.size(disk.file());
        Path compressed = scratch.resolve("copy.zst");
        Commands.run(ZSTD_TIMEOUT, List.of(HostTools.executable("zstd"), "-3", "-q", "-f", "-o",
                compressed.toString(), transfer.copy().toString()));
        long compressedSize = Files.size(compressed);
        long allowed = compressedSize + (long) (WAN_OVERHEAD_SHARE * size);
        LOG.log(System.Logger.Level.INFO, String.format("%s: %d-byte file, WAN %d bytes, copy as zstd -3 %d bytes,"
                + " %d guest-free bytes sent as zeros", disk.fileName(), size, transfer.wanBytes(), compressedSize,
                transfer.datacenter().freeBytesZeroed()));
        assertTrue(transfer.wanBytes() <= allowed, "WAN carried " + transfer.wanBytes() + " bytes; allowed: " + allowed
                + " (copy as zstd -3: " + compressedSize + ", plus " + WAN_OVERHEAD_SHARE + " of the " + size
                + "-byte file)");
    }
}
