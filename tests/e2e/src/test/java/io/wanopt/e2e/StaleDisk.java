package io.wanopt.e2e;

import static io.wanopt.e2e.TestBytes.randomBytes;
import static io.wanopt.e2e.TestBytes.sha256;

import io.wanopt.harness.Commands;
import io.wanopt.harness.HostTools;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * A small guest disk whose file system has stale data in its free blocks, as a VMDK in an NFS export:
 * an MBR disk with one partition at 1 MiB holding a few files (random and text), from which a random
 * file was then deleted, so its blocks are free but still hold its bytes. Subclasses make and read the
 * file system ({@link StaleExt4Disk}, {@link StaleNtfsDisk}). Each seed gives other random bytes, so
 * disks of different seeds share no data a dictionary could remember.
 */
abstract class StaleDisk {

    /** How the disk is stored where clients read it. */
    enum Format {
        /** One hosted sparse VMDK, {@code NAME.vmdk}. */
        MONOLITHIC_SPARSE,
        /** A monolithicFlat VMDK: clients read its raw extent {@code NAME-flat.vmdk}. */
        FLAT_EXTENT
    }

    /** What every disk needs besides its file system's tools. */
    static final List<String> IMAGE_TOOLS = List.of("qemu-img", "sfdisk");
    static final long MIB = 1 << 20;
    static final long PARTITION_OFFSET = MIB;
    /**
     * The file system's block (ext4) or cluster (NTFS) size; the partition starts on one, so the deleted
     * file's blocks sit at multiples of it in the partition.
     */
    static final int BLOCK = 4096;
    static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
    static final int SECTOR = 512;

    private final String name;
    private final Format format;
    private final Path file;
    private final long partitionSize;
    private final Map<String, String> fileDigests;
    private final int staleSize;
    private final Set<String> staleBlockDigests;

    /**
     * @param file        the file clients read, in the export
     * @param partition   the file system's image, which must hold every block of the deleted file (the data
     *                    the tests check a zeroed copy no longer has)
     * @param fileDigests SHA-256 of the files the guest file system holds, by name
     * @param stale       the deleted file's bytes
     */
    StaleDisk(String name, Format format, Path file, Path partition, Map<String, String> fileDigests, byte[] stale)
            throws IOException {
        this.name = name;
        this.format = format;
        this.file = file;
        this.partitionSize = Files.size(partition);
        this.fileDigests = Collections.unmodifiableMap(new TreeMap<>(fileDigests));
        this.staleSize = stale.length;
        this.staleBlockDigests = blockDigests(stale);
        long found = staleBlocksIn(partition);
        if (found != staleBlocks()) {
            throw new IllegalStateException("fixture " + name + " holds " + found + " of the deleted file's "
                    + staleBlocks() + " blocks");
        }
    }

    /** Throws, with the checker's report, unless the file system in image {@code partition} is consistent. */
    abstract void checkConsistent(Path partition) throws IOException;

    /** SHA-256 of the files {@link #fileDigests()} names, as file system image {@code partition} holds them. */
    abstract Map<String, String> fileDigestsIn(Path partition, Path scratch) throws IOException;

    String name() {
        return name;
    }

    /** The name of the file clients read, in the export. */
    String fileName() {
        return file.getFileName().toString();
    }

    /** The file clients read, in the export. */
    Path file() {
        return file;
    }

    /** SHA-256 of the files the guest file system holds, by name. */
    Map<String, String> fileDigests() {
        return fileDigests;
    }

    /** Bytes of the deleted file. */
    int staleSize() {
        return staleSize;
    }

    /** The deleted file's blocks (all distinct: random bytes). */
    long staleBlocks() {
        return staleSize / BLOCK;
    }

    /** The guest disk a copy of {@link #file()} holds, as a raw image ({@code scratch} for a conversion). */
    Path rawDisk(Path copy, Path scratch) throws IOException {
        if (format == Format.FLAT_EXTENT) {
            return copy;
        }
        Path raw = scratch.resolve(copy.getFileName() + ".raw");
        Files.deleteIfExists(raw);
        run(List.of("qemu-img", "convert", "-f", "vmdk", "-O", "raw", copy.toString(), raw.toString()));
        return raw;
    }

    /** The file system's partition of raw disk {@code raw}, copied to {@code target}. */
    Path partition(Path raw, Path target) throws IOException {
        Files.deleteIfExists(target);
        try (FileChannel from = FileChannel.open(raw);
                FileChannel to = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            transferFully(from, PARTITION_OFFSET, partitionSize, to, 0);
        }
        return target;
    }

    /** How many blocks of the deleted file's data are still in file system image {@code partition}, at block boundaries. */
    long staleBlocksIn(Path partition) throws IOException {
        return staleBlockOffsetsIn(partition).size();
    }

    /**
     * Where {@code image} (a partition, a raw disk or a VMDK whose grains sit at block boundaries) holds
     * blocks of the deleted file's data: their offsets, at block boundaries, ascending.
     */
    List<Long> staleBlockOffsetsIn(Path image) throws IOException {
        List<Long> offsets = new ArrayList<>();
        byte[] block = new byte[BLOCK];
        try (InputStream in = Files.newInputStream(image)) {
            for (long offset = 0; in.readNBytes(block, 0, BLOCK) == BLOCK; offset += BLOCK) {
                if (staleBlockDigests.contains(sha256(block))) {
                    offsets.add(offset);
                }
            }
        }
        return offsets;
    }

    /**
     * Writes the files a disk keeps into {@code tree}: 2 MiB of random bytes, 1 MiB of text, a small
     * random file and an empty one; the text and the small file go into {@code docs} (a directory below
     * {@code tree}, or {@code tree} itself). Returns {@code staleSize} random bytes for the file to delete.
     */
    static byte[] writeFiles(Path tree, Path docs, String name, long seed, int staleSize) throws IOException {
        Random random = new Random(seed);
        Files.createDirectories(docs);
        Files.write(tree.resolve("random.bin"), randomBytes(random, 2 * (int) MIB));
        StringBuilder notes = new StringBuilder();
        for (int line = 0; notes.length() < MIB; line++) {
            notes.append("note ").append(line).append(" of disk ").append(name).append(", seed ").append(seed)
                    .append('\n');
        }
        Files.writeString(docs.resolve("notes.txt"), notes);
        Files.write(docs.resolve("small.bin"), randomBytes(random, 12_345));
        Files.writeString(tree.resolve("empty.txt"), "");
        return randomBytes(random, staleSize);
    }

    /** A file of {@code size} bytes, all zeros (sparse). */
    static Path sizedFile(Path file, long size) throws IOException {
        try (RandomAccessFile created = new RandomAccessFile(file.toFile(), "rw")) {
            created.setLength(size);
        }
        return file;
    }

    /**
     * Stores file system image {@code partition} as the one partition (MBR type {@code type}) at
     * {@link #PARTITION_OFFSET} of a {@code diskSize}-byte guest disk, as VMDK {@code name} in
     * {@code export} ({@code scratch} for the raw disk); returns the file clients read.
     */
    static Path store(Path partition, String type, long diskSize, Path export, String name, Format format,
            Path scratch) throws IOException {
        long partitionSize = Files.size(partition);
        Path raw = sizedFile(scratch.resolve("disk.raw"), diskSize);
        Commands.run(TOOL_TIMEOUT, null, List.of(HostTools.executable("sfdisk"), "-q", raw.toString()),
                "label: dos\nstart=" + PARTITION_OFFSET / SECTOR + ", size=" + partitionSize / SECTOR
                        + ", type=" + type + "\n");
        try (FileChannel from = FileChannel.open(partition);
                FileChannel to = FileChannel.open(raw, StandardOpenOption.WRITE)) {
            transferFully(from, 0, partitionSize, to, PARTITION_OFFSET);
        }
        Files.createDirectories(export);
        String subformat = format == Format.MONOLITHIC_SPARSE ? "monolithicSparse" : "monolithicFlat";
        run(List.of("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=" + subformat, raw.toString(),
                export.resolve(name + ".vmdk").toString()));
        Files.delete(raw);
        return export.resolve(format == Format.MONOLITHIC_SPARSE ? name + ".vmdk" : name + "-flat.vmdk");
    }

    /** Runs {@code command}, its first element a tool on the PATH; returns its output. */
    static String run(List<String> command) throws IOException {
        List<String> resolved = new ArrayList<>(command);
        resolved.set(0, HostTools.executable(command.get(0)));
        return Commands.run(TOOL_TIMEOUT, resolved);
    }

    private static void transferFully(FileChannel from, long fromOffset, long length, FileChannel to, long toOffset)
            throws IOException {
        for (long done = 0; done < length; ) {
            long moved = from.transferTo(fromOffset + done, length - done, to.position(toOffset + done));
            if (moved <= 0) {
                throw new IOException("short copy: " + done + " of " + length + " bytes");
            }
            done += moved;
        }
    }

    private static Set<String> blockDigests(byte[] data) {
        Set<String> digests = new HashSet<>();
        for (int at = 0; at + BLOCK <= data.length; at += BLOCK) {
            byte[] block = new byte[BLOCK];
            System.arraycopy(data, at, block, 0, BLOCK);
            digests.add(sha256(block));
        }
        return digests;
    }
}
