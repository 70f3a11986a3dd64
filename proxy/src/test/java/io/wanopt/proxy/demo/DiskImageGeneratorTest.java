package io.wanopt.proxy.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's disk images: reproducible, of the promised mix, and modified in the promised share of blocks. */
class DiskImageGeneratorTest {

    private static final int BLOCK_SIZE = 4096;

    @Test
    void theSameSeedGivesTheSameBytesInMemoryAndOnDisk(@TempDir Path dir) throws IOException {
        long size = 3 * 1024 * 1024 + 1234;
        byte[] image = DiskImageGenerator.generate(size, 7);
        assertEquals(size, image.length);
        assertArrayEquals(image, DiskImageGenerator.generate(size, 7));
        Path file = dir.resolve("disk.img");
        DiskImageGenerator.write(file, size, 7);
        assertArrayEquals(image, Files.readAllBytes(file));
        assertArrayEquals(Arrays.copyOf(image, 100_000), DiskImageGenerator.generate(100_000, 7));
    }

    @Test
    void differentSeedsGiveDifferentImages() {
        byte[] first = DiskImageGenerator.generate(4 * 1024 * 1024, 1);
        byte[] second = DiskImageGenerator.generate(4 * 1024 * 1024, 2);
        int differentBlocks = 0;
        for (int offset = 0; offset < first.length; offset += BLOCK_SIZE) {
            if (!Arrays.equals(first, offset, offset + BLOCK_SIZE, second, offset, offset + BLOCK_SIZE)) {
                differentBlocks++;
            }
        }
        // Only blocks that are zeros in both images may agree.
        assertTrue(differentBlocks > first.length / BLOCK_SIZE / 2, differentBlocks + " blocks differ");
    }

    @Test
    void theImageHasTheMixOfAGuestFileSystem() {
        byte[] image = DiskImageGenerator.generate(32 * 1024 * 1024, 11);
        int blocks = image.length / BLOCK_SIZE;
        byte[] zeros = new byte[BLOCK_SIZE];
        int zeroBlocks = 0;
        Set<ByteBuffer> distinctData = new HashSet<>();
        for (int offset = 0; offset < image.length; offset += BLOCK_SIZE) {
            if (Arrays.equals(image, offset, offset + BLOCK_SIZE, zeros, 0, BLOCK_SIZE)) {
                zeroBlocks++;
            } else {
                distinctData.add(ByteBuffer.wrap(image, offset, BLOCK_SIZE));
            }
        }
        double zeroShare = zeroBlocks / (double) blocks;
        double duplicateShare = (blocks - zeroBlocks - distinctData.size()) / (double) blocks;
        assertTrue(zeroShare > 0.25 && zeroShare < 0.35, "zero blocks " + zeroShare);
        assertTrue(duplicateShare > 0.10 && duplicateShare < 0.20, "duplicate blocks " + duplicateShare);

        double zstdRatio = image.length / (double) Zstd.compress(image, 3).length;
        double lz4Ratio = image.length / (double) LZ4Factory.fastestInstance().fastCompressor().compress(image).length;
        assertTrue(zstdRatio > 1.5 && zstdRatio < 4, "zstd ratio " + zstdRatio);
        assertTrue(lz4Ratio > 1.5 && lz4Ratio < 4, "lz4 ratio " + lz4Ratio);
    }

    @Test
    void aModifiedCopyDiffersInTheRequestedShareOfScatteredBlocks(@TempDir Path dir) throws IOException {
        Path original = dir.resolve("monday.img");
        Path modified = dir.resolve("tuesday.img");
        long size = 8 * 1024 * 1024 + 100;
        DiskImageGenerator.write(original, size, 5);
        DiskImageGenerator.writeModified(original, modified, 0.05, 6);
        byte[] before = Files.readAllBytes(original);
        byte[] after = Files.readAllBytes(modified);
        assertEquals(before.length, after.length);
        int blocks = (before.length + BLOCK_SIZE - 1) / BLOCK_SIZE;
        int changed = 0;
        int firstChanged = -1;
        int lastChanged = -1;
        for (int block = 0; block < blocks; block++) {
            int from = block * BLOCK_SIZE;
            int to = Math.min(before.length, from + BLOCK_SIZE);
            if (!Arrays.equals(before, from, to, after, from, to)) {
                changed++;
                firstChanged = firstChanged < 0 ? block : firstChanged;
                lastChanged = block;
            }
        }
        assertEquals(Math.round(blocks * 0.05), changed);
        assertTrue(firstChanged < blocks / 4 && lastChanged > blocks * 3 / 4,
                "changes between blocks " + firstChanged + " and " + lastChanged + " of " + blocks);

        Path again = dir.resolve("tuesday-again.img");
        DiskImageGenerator.writeModified(original, again, 0.05, 6);
        assertArrayEquals(after, Files.readAllBytes(again));
    }

    @Test
    void refusesSizesAndFractionsOutOfRange(@TempDir Path dir) {
        IllegalArgumentException tooLarge = assertThrows(IllegalArgumentException.class,
                () -> DiskImageGenerator.generate(DiskImageGenerator.MAX_IN_MEMORY_SIZE + 1, 1));
        assertTrue(tooLarge.getMessage().contains(Long.toString(DiskImageGenerator.MAX_IN_MEMORY_SIZE + 1)));
        assertThrows(IllegalArgumentException.class, () -> DiskImageGenerator.generate(-1, 1));
        IllegalArgumentException badFraction = assertThrows(IllegalArgumentException.class,
                () -> DiskImageGenerator.writeModified(dir.resolve("a"), dir.resolve("b"), 1.5, 1));
        assertTrue(badFraction.getMessage().contains("1.5"));
        assertFalse(Files.exists(dir.resolve("b")));
    }
}
