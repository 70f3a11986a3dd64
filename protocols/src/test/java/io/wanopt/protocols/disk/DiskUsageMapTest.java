package io.wanopt.protocols.disk;

import static io.wanopt.protocols.disk.ExternalCommand.assumeInstalled;
import static io.wanopt.protocols.disk.ExternalCommand.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.protocols.disk.DiskUsageMap.Region;
import io.wanopt.protocols.disk.DiskUsageMap.State;
import io.wanopt.protocols.disk.DiskUsageMap.Volume;
import io.wanopt.protocols.disk.partition.PartitionTable;
import io.wanopt.protocols.disk.vmdk.VmdkImage;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GPT disk with ext4, NTFS and swap partitions, each file system holding a deleted file's stale
 * data, as a sparse VMDK. The map must call the stale data free, and a copy with every byte the map
 * does not call in use set to zero must still hold clean file systems with the same files.
 */
class DiskUsageMapTest {

    private static final long MIB = 1 << 20;
    private static final long EXT4_AT = 1 * MIB;
    private static final long NTFS_AT = 25 * MIB;
    private static final long SWAP_AT = 41 * MIB;

    @TempDir
    Path dir;

    @Test
    void zeroingAllButInUseKeepsTheFileSystemsIntact() throws Exception {
        assumeInstalled("qemu-img", "sgdisk", "mkfs.ext4", "debugfs", "e2fsck", "mkntfs", "ntfscp", "ntfsinfo",
                "ntfstruncate", "ntfscat", "ntfsfix");
        Path disk = dir.resolve("disk.raw");
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(48 * MIB);
        }
        run("sgdisk", "-n", "1:2048:+24M", "-t", "1:8300", "-n", "2:0:+16M", "-t", "2:0700", "-n", "3:0:+4M", "-t",
                "3:8200", disk.toString());
        byte[] noise = new byte[5 << 20];
        new Random(6).nextBytes(noise);
        Path big = dir.resolve("big.bin");
        Files.write(big, noise);
        Path kept = dir.resolve("kept.txt");
        Files.writeString(kept, "kept\n".repeat(3000));

        Path tree = Files.createDirectories(dir.resolve("tree"));
        Files.copy(big, tree.resolve("big.bin"));
        Files.copy(kept, tree.resolve("kept.txt"));
        Path ext4 = dir.resolve("ext4.img");
        run("mkfs.ext4", "-q", "-F", "-b", "1024", "-d", tree.toString(), ext4.toString(), "24M");
        run("debugfs", "-w", "-R", "rm /big.bin", ext4.toString());

        Path ntfs = dir.resolve("ntfs.img");
        try (RandomAccessFile f = new RandomAccessFile(ntfs.toFile(), "rw")) {
            f.setLength(16 * MIB);
        }
        run("mkntfs", "-q", "-F", "-Q", "-c", "4096", ntfs.toString());
        Files.write(big, Arrays.copyOf(noise, 3 << 20));
        run("ntfscp", ntfs.toString(), big.toString(), "big.bin");
        run("ntfscp", ntfs.toString(), kept.toString(), "kept.txt");
        Matcher inode = Pattern.compile("Dumping Inode (\\d+)").matcher(run("ntfsinfo", "-F", "big.bin",
                ntfs.toString()));
        assertTrue(inode.find());
        run("ntfstruncate", ntfs.toString(), inode.group(1), "0");

        copyInto(ext4, disk, EXT4_AT);
        copyInto(ntfs, disk, NTFS_AT);
        Path swap = dir.resolve("swap.img");
        Files.write(swap, Arrays.copyOf(noise, 4 << 20));
        copyInto(swap, disk, SWAP_AT);

        Path vmdk = dir.resolve("disk.vmdk");
        run("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=monolithicSparse", disk.toString(),
                vmdk.toString());
        Path scrubbed = dir.resolve("scrubbed.raw");
        try (FileSource file = FileSource.open(vmdk); VmdkImage image = VmdkImage.open(file, "disk.vmdk",
                FileSource.opener(dir))) {
            DiskUsageMap map = DiskUsageMap.of(image);
            assertEquals(PartitionTable.Scheme.GPT, map.scheme());
            assertEquals(3, map.volumes().size());
            Volume ext4Volume = map.volumes().get(0);
            Volume ntfsVolume = map.volumes().get(1);
            Volume swapVolume = map.volumes().get(2);
            assertEquals("ext4", ext4Volume.fileSystem().orElseThrow().type());
            assertEquals("ntfs", ntfsVolume.fileSystem().orElseThrow().type());
            assertTrue(ext4Volume.inUseNote().isEmpty() && ntfsVolume.inUseNote().isEmpty());
            assertTrue(swapVolume.inUseNote().orElseThrow().contains("0657FD6D-A4AB-43C4-84E5-0933C84B4F4F"));

            long at = 0;
            for (Region r : map.regions()) {
                assertEquals(at, r.offset());
                at += r.length();
            }
            assertEquals(image.size(), at);
            // 5 MiB stale in ext4 and 3 MiB in NTFS, stored in the VMDK, are free.
            assertTrue(map.bytes(State.FREE) >= 8 * MIB, "free: " + map.bytes(State.FREE));
            assertTrue(map.bytes(State.IN_USE) >= 4 * MIB, "in use: " + map.bytes(State.IN_USE));
            writeScrubbedCopy(image, map, scrubbed);
        }

        Path ext4Copy = extract(scrubbed, EXT4_AT, 24 * MIB, "ext4-copy.img");
        run("e2fsck", "-fn", ext4Copy.toString());
        assertEquals(Files.readString(kept), run("debugfs", "-R", "cat /kept.txt", ext4Copy.toString())
                .replaceFirst("^debugfs [^\n]*\n", ""));
        Path ntfsCopy = extract(scrubbed, NTFS_AT, 16 * MIB, "ntfs-copy.img");
        run("ntfsfix", "-n", ntfsCopy.toString());
        Path catOut = dir.resolve("kept-from-ntfs.txt");
        run("sh", "-c", "ntfscat " + ntfsCopy + " kept.txt > " + catOut);
        assertEquals(Files.readString(kept), Files.readString(catOut));
        try (FileSource copy = FileSource.open(scrubbed); FileSource original = FileSource.open(swap)) {
            assertEquals(Sha256.of(original), Sha256.of(new SliceSource(copy, SWAP_AT, 4 * MIB)));
        }
    }

    /** The guest disk with everything but IN_USE regions written as zeros. */
    private static void writeScrubbedCopy(VmdkImage image, DiskUsageMap map, Path target) throws Exception {
        try (RandomAccessFile out = new RandomAccessFile(target.toFile(), "rw")) {
            out.setLength(image.size());
            byte[] buffer = new byte[1 << 16];
            for (Region r : map.regions()) {
                if (r.state() != State.IN_USE) {
                    continue;
                }
                for (long at = r.offset(); at < r.offset() + r.length(); ) {
                    int n = (int) Math.min(buffer.length, r.offset() + r.length() - at);
                    SourceReads.readFully(image, at, buffer, 0, n, "guest disk");
                    out.seek(at);
                    out.write(buffer, 0, n);
                    at += n;
                }
            }
        }
    }

    private Path extract(Path disk, long offset, long length, String name) throws Exception {
        Path target = dir.resolve(name);
        try (FileChannel from = FileChannel.open(disk); FileChannel to = FileChannel.open(target,
                StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            from.transferTo(offset, length, to);
        }
        return target;
    }

    private static void copyInto(Path source, Path disk, long offset) throws Exception {
        try (FileChannel from = FileChannel.open(source); FileChannel to = FileChannel.open(disk,
                StandardOpenOption.WRITE)) {
            from.transferTo(0, from.size(), to.position(offset));
        }
    }
}
