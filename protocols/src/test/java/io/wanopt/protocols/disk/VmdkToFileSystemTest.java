package io.wanopt.protocols.disk;

import static io.wanopt.protocols.disk.ExternalCommand.assumeInstalled;
import static io.wanopt.protocols.disk.ExternalCommand.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.protocols.disk.ext4.Ext4BlockBitmaps;
import io.wanopt.protocols.disk.partition.Partition;
import io.wanopt.protocols.disk.partition.PartitionTable;
import io.wanopt.protocols.disk.vmdk.GuestRange;
import io.wanopt.protocols.disk.vmdk.VmdkImage;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layers together: a VMDK's guest disk, its partition table, and the ext4 in a partition, read
 * through each other, give the same free blocks as the bare file system; and the blocks of a deleted
 * file are stored in the VMDK (stale data) but free in the guest.
 */
class VmdkToFileSystemTest {

    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void ext4InAGptPartitionOfASparseVmdk() throws Exception {
        assumeInstalled("qemu-img", "sgdisk", "mkfs.ext4", "debugfs");
        Path disk = dir.resolve("disk.raw");
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(48 * MIB);
        }
        run("sgdisk", "-n", "1:2048:+32M", "-t", "1:8300", disk.toString());
        assertFreeBlocksSurviveTheLayers(disk, 2048 * 512L);
    }

    @Test
    void ext4InALogicalMbrPartitionOfASparseVmdk() throws Exception {
        assumeInstalled("qemu-img", "sfdisk", "mkfs.ext4", "debugfs");
        Path disk = dir.resolve("disk.raw");
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(48 * MIB);
        }
        Files.writeString(dir.resolve("table"), """
                label: dos
                start=2048, size=4096, type=83
                start=8192, size=86016, type=5
                start=10240, size=65536, type=83
                """);
        run("sh", "-c", "sfdisk --no-reread --no-tell-kernel " + disk + " < " + dir.resolve("table"));
        assertFreeBlocksSurviveTheLayers(disk, 10240 * 512L);
    }

    private void assertFreeBlocksSurviveTheLayers(Path disk, long partitionOffset) throws Exception {
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree);
        byte[] big = new byte[5 << 20];
        new Random(6).nextBytes(big);
        Files.write(tree.resolve("big.bin"), big);
        Files.writeString(tree.resolve("kept.txt"), "kept\n".repeat(5000));
        Path fs = dir.resolve("fs.img");
        run("mkfs.ext4", "-q", "-F", "-b", "1024", "-d", tree.toString(), fs.toString(), "32M");
        run("debugfs", "-w", "-R", "rm /big.bin", fs.toString());
        try (FileChannel from = FileChannel.open(fs); FileChannel to = FileChannel.open(disk, StandardOpenOption.WRITE)) {
            from.transferTo(0, from.size(), to.position(partitionOffset));
        }
        Path vmdk = dir.resolve("disk.vmdk");
        run("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=monolithicSparse", disk.toString(),
                vmdk.toString());

        FileSystemUsage bare;
        try (FileSource source = FileSource.open(fs)) {
            bare = Ext4BlockBitmaps.read(source);
        }
        try (FileSource file = FileSource.open(vmdk); VmdkImage image = VmdkImage.open(file, "disk.vmdk",
                FileSource.opener(dir))) {
            PartitionTable table = PartitionTable.read(image);
            Partition partition = table.partitions().stream().filter(p -> p.offset() == partitionOffset)
                    .findFirst().orElseThrow();
            assertEquals(32 * MIB, partition.length());
            SliceSource volume = new SliceSource(image, partition.offset(), partition.length());
            assertTrue(Ext4BlockBitmaps.probe(volume));
            FileSystemUsage throughVmdk = Ext4BlockBitmaps.read(volume);
            assertEquals(bare, throughVmdk);

            // The deleted file's 5 MiB is stored in the VMDK, non-zero, yet free in the guest.
            long storedButFree = 0;
            for (ByteRange free : throughVmdk.free()) {
                for (long at = free.offset(); at < free.end(); at += 1024) {
                    if (image.rangeAt(partition.offset() + at).allocation() == GuestRange.Allocation.DATA) {
                        storedButFree += 1024;
                    }
                }
            }
            assertTrue(storedButFree >= 5 * MIB, "stored but free: " + storedButFree);
        }
    }
}
