package io.wanopt.protocols.disk;

import static io.wanopt.protocols.disk.ExternalCommand.assumeInstalled;
import static io.wanopt.protocols.disk.ExternalCommand.run;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.disk.ext4.Ext4BlockBitmaps;
import io.wanopt.protocols.disk.ntfs.NtfsBitmap;
import io.wanopt.protocols.disk.partition.PartitionTable;
import io.wanopt.protocols.disk.vmdk.SynthesisedExtents;
import io.wanopt.protocols.disk.vmdk.VmdkImage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random byte changes in the metadata of real images: every parser either succeeds or throws the
 * project's own exceptions (no index, arithmetic or allocation errors), and never hangs.
 */
class DiskParsersFuzzTest {

    private static final int ROUNDS = 400;
    private static final int METADATA_SPAN = 64 << 10;

    @TempDir
    Path dir;

    /** One parser run over a mutated image. */
    private interface Parse {
        void run(RandomAccessSource source) throws Exception;
    }

    @ParameterizedTest
    @ValueSource(strings = {"monolithicSparse", "streamOptimized"})
    void sparseVmdk(String subformat) throws Exception {
        assumeInstalled("qemu-img");
        Path raw = dir.resolve("d.raw");
        byte[] data = new byte[4 << 20];
        new Random(1).nextBytes(data);
        Arrays.fill(data, 1 << 20, 3 << 20, (byte) 0);
        Files.write(raw, data);
        Path vmdk = dir.resolve("d.vmdk");
        run("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=" + subformat, raw.toString(),
                vmdk.toString());
        fuzz(Files.readAllBytes(vmdk), source -> {
            try (VmdkImage image = VmdkImage.open(source, "d.vmdk", name -> {
                throw new IOException("no extent files here: " + name);
            })) {
                DiskUsageMap.of(image);
                byte[] buffer = new byte[1 << 16];
                for (long at = 0; at < image.size(); at += buffer.length) {
                    SourceReads.readFully(image, at, buffer, 0, buffer.length, "guest disk");
                }
            }
        });
    }

    @Test
    void cowdAndSeSparseExtents() throws Exception {
        byte[] disk = new byte[2 << 20];
        new Random(2).nextBytes(disk);
        Arrays.fill(disk, 1 << 19, 1 << 20, (byte) 0);
        fuzz(SynthesisedExtents.cowd(disk), source -> readAll(source, "COWD", "VMFSSPARSE"));
        fuzz(SynthesisedExtents.seSparse(disk), source -> readAll(source, "seSparse", "SESPARSE"));
    }

    /** Opens {@code extent} through a descriptor naming it, maps it and reads the whole guest disk. */
    private static void readAll(RandomAccessSource extent, String createType, String extentType) throws Exception {
        String text = "version=1\ncreateType=\"" + createType + "\"\nRW " + (2 << 20) / 512 + " " + extentType
                + " \"x.vmdk\"\n";
        RandomAccessSource descriptor = new ByteArraySource(text.getBytes(StandardCharsets.US_ASCII));
        try (VmdkImage image = VmdkImage.open(descriptor, "d.vmdk", name -> extent)) {
            DiskUsageMap.of(image);
            byte[] buffer = new byte[1 << 16];
            for (long at = 0; at < image.size(); at += buffer.length) {
                SourceReads.readFully(image, at, buffer, 0, buffer.length, "guest disk");
            }
        }
    }

    @Test
    void partitionTables() throws Exception {
        assumeInstalled("sgdisk");
        Path disk = dir.resolve("gpt.img");
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(8 << 20);
        }
        run("sgdisk", "-n", "1:2048:+2M", "-n", "2:0:+2M", disk.toString());
        fuzz(Files.readAllBytes(disk), PartitionTable::read);
    }

    @Test
    void ext4() throws Exception {
        assumeInstalled("mkfs.ext4");
        Path fs = dir.resolve("ext4.img");
        run("mkfs.ext4", "-q", "-F", "-b", "1024", fs.toString(), "8M");
        fuzz(Files.readAllBytes(fs), source -> {
            Ext4BlockBitmaps.read(source);
            DiskUsageMap.ofRaw(source);
        });
    }

    @Test
    void ntfs() throws Exception {
        assumeInstalled("mkntfs");
        Path fs = dir.resolve("ntfs.img");
        try (RandomAccessFile f = new RandomAccessFile(fs.toFile(), "rw")) {
            f.setLength(8 << 20);
        }
        run("mkntfs", "-q", "-F", "-Q", "-c", "4096", fs.toString());
        byte[] good = Files.readAllBytes(fs);
        // Mutate the boot sector and the start of the $MFT, where record 0, 3 and 6 live.
        int mft = (int) (leLong(good, 0x30) * 4096);
        fuzz(good, mft, NtfsBitmap::read);
    }

    private static void fuzz(byte[] good, Parse parse) {
        fuzz(good, 0, parse);
    }

    private static void fuzz(byte[] good, int secondSpan, Parse parse) {
        Random random = new Random(42);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int round = 0; round < ROUNDS; round++) {
                byte[] bad = good.clone();
                int changes = 1 + random.nextInt(8);
                for (int i = 0; i < changes; i++) {
                    int base = random.nextBoolean() ? 0 : secondSpan;
                    int at = base + random.nextInt(Math.min(METADATA_SPAN, bad.length - base));
                    bad[at] = random.nextInt(4) == 0 ? (byte) 0xff : (byte) random.nextInt(256);
                }
                try {
                    parse.run(new ByteArraySource(bad));
                } catch (MalformedInputException | UnsupportedFormatException expected) {
                    // The parser refused the input the way it should.
                } catch (Exception | Error e) {
                    fail("round " + round + ": " + e, e);
                }
            }
        });
    }

    private static long leLong(byte[] b, int at) {
        long value = 0;
        for (int i = 7; i >= 0; i--) {
            value = value << 8 | (b[at + i] & 0xff);
        }
        return value;
    }
}
