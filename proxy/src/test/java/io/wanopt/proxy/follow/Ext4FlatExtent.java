package io.wanopt.proxy.follow;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wanopt.protocols.disk.ByteRange;
import io.wanopt.protocols.disk.FileSource;
import io.wanopt.protocols.disk.FileUsageMap;
import io.wanopt.protocols.disk.UnsupportedFormatException;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A flat VMDK extent for SmartRead tests: a guest disk of {@link #SIZE} non-zero bytes with an MBR whose
 * one partition, from {@link #PARTITION_OFFSET}, holds an ext4 file system with one file, made without
 * discard so that its free blocks keep those bytes. Mapping it reads the MBR and the partition's first
 * blocks (superblock, group descriptors, bitmaps). Tests using it are skipped where mkfs.ext4 is missing.
 *
 * @param pattern the bytes mkfs.ext4 was run on
 * @param bytes   the extent: the ext4 file system over {@code pattern}
 * @param zeroed  {@code bytes} with the guest-free ranges zeroed: what crosses with unused blocks zeroed
 * @param free    the guest-free ranges, as {@link FileUsageMap} reads them
 */
record Ext4FlatExtent(byte[] pattern, byte[] bytes, byte[] zeroed, List<ByteRange> free) {

    static final int SIZE = 8 << 20;
    static final int PARTITION_OFFSET = 1 << 20;
    private static final long COMMAND_TIMEOUT_SECONDS = 60;

    /** Makes the extent as {@code dir/name}; {@code dir} also holds the file system's tree and mkfs's log. */
    static Ext4FlatExtent make(Path dir, String name) throws IOException, InterruptedException,
            UnsupportedFormatException {
        Path mkfs = Path.of("/usr/sbin/mkfs.ext4");
        if (!Files.isExecutable(mkfs)) {
            mkfs = Path.of("/sbin/mkfs.ext4");
        }
        assumeTrue(Files.isExecutable(mkfs), "mkfs.ext4 is not installed");
        Random random = new Random(17);
        byte[] pattern = new byte[SIZE];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (byte) (1 + random.nextInt(255));
        }
        Path image = dir.resolve(name);
        Files.write(image, withPartition(pattern));
        Path tree = Files.createDirectories(dir.resolve("tree"));
        byte[] guestFile = new byte[1 << 20];
        random.nextBytes(guestFile);
        Files.write(tree.resolve("guest-file.bin"), guestFile);
        run(dir.resolve("mkfs.log"), mkfs.toString(), "-F", "-q", "-E", "nodiscard,offset=" + PARTITION_OFFSET,
                "-b", "4096", "-d", tree.toString(), image.toString(), (SIZE - PARTITION_OFFSET) / 1024 + "k");
        byte[] bytes = Files.readAllBytes(image);
        List<ByteRange> free;
        try (FileSource source = FileSource.open(image)) {
            free = FileUsageMap.read(source, name).free();
        }
        byte[] zeroed = bytes.clone();
        for (ByteRange range : free) {
            Arrays.fill(zeroed, (int) range.offset(), (int) range.end(), (byte) 0);
        }
        Ext4FlatExtent extent = new Ext4FlatExtent(pattern, bytes, zeroed, free);
        assertTrue(extent.freeBytes() > SIZE / 4 && extent.freeBytes() < SIZE, "free bytes: " + extent.freeBytes());
        assertFalse(Arrays.equals(bytes, zeroed), "the free blocks hold the pattern");
        return extent;
    }

    /** Guest-free bytes in all of the extent. */
    long freeBytes() {
        return freeWithin(0, SIZE);
    }

    /** Guest-free bytes in {@code [offset, offset + length)}. */
    long freeWithin(long offset, long length) {
        long within = 0;
        for (ByteRange range : free) {
            within += Math.max(0, Math.min(range.end(), offset + length) - Math.max(range.offset(), offset));
        }
        return within;
    }

    /** {@code disk} with an MBR (sector 0) of one Linux partition from {@link #PARTITION_OFFSET} to the end. */
    private static byte[] withPartition(byte[] disk) {
        byte[] withTable = disk.clone();
        ByteBuffer entry = ByteBuffer.wrap(withTable, 446, 16).order(ByteOrder.LITTLE_ENDIAN);
        entry.put((byte) 0).put(new byte[3]).put((byte) 0x83).put(new byte[3]); // not bootable, no CHS, Linux
        entry.putInt(PARTITION_OFFSET / 512).putInt((SIZE - PARTITION_OFFSET) / 512);
        Arrays.fill(withTable, 446 + 16, 510, (byte) 0); // no other partitions
        withTable[510] = 0x55;
        withTable[511] = (byte) 0xAA;
        return withTable;
    }

    private static void run(Path log, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        boolean exited = process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        if (!exited || process.exitValue() != 0) {
            List<String> lines = Files.readAllLines(log);
            throw new IOException(String.join(" ", command)
                    + (exited ? " exited with " + process.exitValue()
                            : " timed out after " + COMMAND_TIMEOUT_SECONDS + " s")
                    + ": " + String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size())));
        }
    }
}
