package io.wanopt.protocols.disk.ntfs;

import static io.wanopt.protocols.disk.ExternalCommand.assumeInstalled;
import static io.wanopt.protocols.disk.ExternalCommand.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.protocols.disk.ByteRange;
import io.wanopt.protocols.disk.CorruptImages;
import io.wanopt.protocols.disk.FileSource;
import io.wanopt.protocols.disk.FileSystemUsage;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NtfsBitmapTest {

    private static final Pattern FREE_BYTES = Pattern.compile("bytes of free space\\s*:\\s*(\\d+)");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void freeClustersMatchNtfsTools(int clusterSize) throws Exception {
        assumeInstalled("mkntfs", "ntfscp", "ntfscluster", "ntfscat", "ntfsinfo", "ntfstruncate");
        Path volume = makeVolume(clusterSize);
        FileSystemUsage before = assertMatchesNtfsTools(volume);

        Matcher inode = Pattern.compile("Dumping Inode (\\d+)").matcher(run("ntfsinfo", "-F", "big.bin",
                volume.toString()));
        assertTrue(inode.find(), "ntfsinfo names big.bin's inode");
        run("ntfstruncate", volume.toString(), inode.group(1), "0");
        FileSystemUsage after = assertMatchesNtfsTools(volume);
        assertTrue(after.freeBlocks() * clusterSize >= before.freeBlocks() * clusterSize + (3 << 20),
                before.freeBlocks() + " -> " + after.freeBlocks());
    }

    @Test
    void dirtyVolumeIsWhollyInUse() throws Exception {
        assumeInstalled("mkntfs", "ntfscp");
        Path volume = makeVolume(4096);
        markDirty(volume);
        try (FileSource source = FileSource.open(volume)) {
            FileSystemUsage usage = NtfsBitmap.read(source);
            assertEquals(List.of(), usage.free());
            assertTrue(usage.allInUseReason().orElseThrow().contains("dirty"));
        }
    }

    /**
     * A root hiberfil.sys starting with "hibr" (non-resident, and resident in upper case) means Windows
     * hibernated; "wake" means it resumed. Enough other files push the root index into INDX blocks.
     */
    @ParameterizedTest
    @ValueSource(strings = {"hibr:8192", "HIBR:64", "wake:8192"})
    void hibernatedVolumeIsWhollyInUse(String spec) throws Exception {
        assumeInstalled("mkntfs", "ntfscp", "ntfsls");
        String magic = spec.split(":")[0];
        Path volume = makeVolume(4096);
        Path file = dir.resolve("file");
        for (int i = 0; i < 40; i++) {
            Files.writeString(file, "file " + i);
            run("ntfscp", volume.toString(), file.toString(), "some-longer-file-name-" + i + ".txt");
        }
        byte[] hiberfil = new byte[Integer.parseInt(spec.split(":")[1])];
        new Random(7).nextBytes(hiberfil);
        System.arraycopy(magic.getBytes(StandardCharsets.US_ASCII), 0, hiberfil, 0, 4);
        Files.write(file, hiberfil);
        run("ntfscp", volume.toString(), file.toString(), "hiberfil.sys");
        assertTrue(run("ntfsls", volume.toString()).contains("hiberfil.sys"));
        try (FileSource source = FileSource.open(volume)) {
            FileSystemUsage usage = NtfsBitmap.read(source);
            if (magic.equals("wake")) {
                assertTrue(usage.allInUseReason().isEmpty(), usage.allInUseReason().toString());
                assertTrue(usage.freeBlocks() > 0);
            } else {
                assertEquals(List.of(), usage.free());
                assertTrue(usage.allInUseReason().orElseThrow().contains("hibernated"));
            }
        }
    }

    @Test
    void corruptVolumesGiveMalformedInput() throws Exception {
        assumeInstalled("mkntfs", "ntfscp");
        Path volume = makeVolume(4096);
        byte[] good = Files.readAllBytes(volume);
        long mft = leLong(good, 0x30) * 4096;
        int[][] patches = {
            {0x0b, 0x03},                     // bytes per sector 0x0203
            {0x0d, 0x90},                     // sectors per cluster
            {0x2f, 0x7f},                     // total sectors huge
            {0x37, 0x7f},                     // $MFT cluster huge
            {0x40, 0x7f},                     // clusters per MFT record
            {(int) mft, 'X'},                 // record 0 magic
            {(int) mft + 510, 0x55},          // record 0 torn (fix-up mismatch)
            {(int) mft + 0x06, 0x7f},         // update sequence count
        };
        CorruptImages.assertEachPatchRejected(dir, good, patches, NtfsBitmap::read);
    }

    private Path makeVolume(int clusterSize) throws Exception {
        Path volume = dir.resolve("ntfs-" + clusterSize + ".img");
        try (RandomAccessFile f = new RandomAccessFile(volume.toFile(), "rw")) {
            f.setLength(32 << 20);
        }
        run("mkntfs", "-q", "-F", "-Q", "-c", String.valueOf(clusterSize), volume.toString());
        byte[] big = new byte[3 << 20];
        new Random(6).nextBytes(big);
        Path file = dir.resolve("big.bin");
        Files.write(file, big);
        run("ntfscp", volume.toString(), file.toString(), "big.bin");
        Files.writeString(file, "small\n".repeat(100));
        run("ntfscp", volume.toString(), file.toString(), "small.txt");
        return volume;
    }

    /** Free bytes against ntfscluster, and the free ranges against $Bitmap as ntfscat reads it. */
    private FileSystemUsage assertMatchesNtfsTools(Path volume) throws Exception {
        Matcher m = FREE_BYTES.matcher(run("ntfscluster", "-i", volume.toString()));
        assertTrue(m.find(), "ntfscluster prints the free space");
        Path bitmap = dir.resolve("bitmap.bin");
        run("sh", "-c", "ntfscat -i 6 " + volume + " > " + bitmap);
        try (FileSource source = FileSource.open(volume)) {
            FileSystemUsage usage = NtfsBitmap.read(source);
            assertEquals(Long.parseLong(m.group(1)), usage.freeBlocks() * usage.blockSize());
            assertEquals(freeRanges(Files.readAllBytes(bitmap), usage.blocks(), usage.blockSize()), usage.free());
            return usage;
        }
    }

    private static List<ByteRange> freeRanges(byte[] bitmap, long clusters, long clusterSize) {
        List<ByteRange> ranges = new ArrayList<>();
        for (long lcn = 0; lcn < clusters; lcn++) {
            if ((bitmap[(int) (lcn >>> 3)] >> (lcn & 7) & 1) == 0) {
                long offset = lcn * clusterSize;
                if (!ranges.isEmpty() && ranges.get(ranges.size() - 1).end() == offset) {
                    ByteRange last = ranges.remove(ranges.size() - 1);
                    ranges.add(new ByteRange(last.offset(), last.length() + clusterSize));
                } else {
                    ranges.add(new ByteRange(offset, clusterSize));
                }
            }
        }
        return ranges;
    }

    /**
     * Sets VOLUME_IS_DIRTY in $Volume's $VOLUME_INFORMATION, as an unclean Windows shutdown leaves it
     * (ntfs-3g has no tool that sets it). mkntfs's records are 1 KiB and the $MFT is contiguous.
     */
    private static void markDirty(Path volume) throws Exception {
        byte[] image = Files.readAllBytes(volume);
        long clusterSize = (image[0x0b] & 0xff | (image[0x0c] & 0xff) << 8) * (long) (image[0x0d] & 0xff);
        int record3 = (int) (leLong(image, 0x30) * clusterSize + 3 * 1024);
        int at = record3 + (image[record3 + 0x14] & 0xff);
        while (leInt(image, at) != 0x70) {
            at += leInt(image, at + 4);
        }
        int value = at + (image[at + 0x14] & 0xff);
        image[value + 10] |= 1;
        Files.write(volume, image);
    }

    private static long leLong(byte[] b, int at) {
        return (long) leInt(b, at) & 0xffffffffL | (long) leInt(b, at + 4) << 32;
    }

    private static int leInt(byte[] b, int at) {
        return b[at] & 0xff | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }
}
