package io.wanopt.e2e;

import static io.wanopt.e2e.TestBytes.randomBytes;
import static io.wanopt.e2e.TestBytes.sha256;

import io.wanopt.harness.Commands;
import io.wanopt.harness.FileDigest;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A small guest disk whose ext4 file system has stale data in its free blocks, as a VMDK: a 64 MiB
 * disk with an MBR and one ext4 partition at 1 MiB holding a few files (random and text), built with
 * {@code mkfs.ext4 -d}, from which a 20 MiB random file was then deleted with {@code debugfs}, so its
 * blocks are free but still hold its bytes. Each seed gives other random bytes, so disks of different
 * seeds share no data a dictionary could remember.
 */
final class StaleExt4Disk {

    /** How the disk is stored where clients read it. */
    enum Format {
        /** One hosted sparse VMDK, {@code NAME.vmdk}. */
        MONOLITHIC_SPARSE,
        /** A monolithicFlat VMDK: clients read its raw extent {@code NAME-flat.vmdk}. */
        FLAT_EXTENT
    }

    static final List<String> TOOLS = List.of("qemu-img", "sfdisk", "mkfs.ext4", "debugfs", "e2fsck");
    static final long MIB = 1 << 20;
    static final long DISK_SIZE = 64 * MIB;
    static final long PARTITION_OFFSET = MIB;
    static final long PARTITION_SIZE = DISK_SIZE - PARTITION_OFFSET;
    /** The deleted file: most of the disk's stored data is its stale bytes. */
    static final int STALE_SIZE = 20 * (int) MIB;
    /** ext4 block size; the partition starts on one, so file blocks sit at multiples of it in the disk. */
    static final int BLOCK = 4096;

    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
    private static final String STALE_FILE = "stale.bin";
    private static final int SECTOR = 512;

    private final String name;
    private final Format format;
    private final Path file;
    private final Map<String, String> fileDigests;
    private final Set<String> staleBlockDigests;

    private StaleExt4Disk(String name, Format format, Path file, Map<String, String> fileDigests,
            Set<String> staleBlockDigests) {
        this.name = name;
        this.format = format;
        this.file = file;
        this.fileDigests = fileDigests;
        this.staleBlockDigests = staleBlockDigests;
    }

    /**
     * Builds disk {@code name} in {@code export} ({@code work} for scratch files). With
     * {@code needsRecovery} its ext4 is marked as having a journal to replay (not clean).
     */
    static StaleExt4Disk build(Path work, Path export, String name, Format format, boolean needsRecovery, long seed)
            throws IOException {
        Path scratch = Files.createDirectories(work.resolve(name));
        Random random = new Random(seed);
        Path tree = Files.createDirectories(scratch.resolve("tree"));
        Files.write(tree.resolve("random.bin"), randomBytes(random, 2 * (int) MIB));
        Files.createDirectories(tree.resolve("docs"));
        StringBuilder notes = new StringBuilder();
        for (int line = 0; notes.length() < MIB; line++) {
            notes.append("note ").append(line).append(" of disk ").append(name).append(", seed ").append(seed)
                    .append('\n');
        }
        Files.writeString(tree.resolve("docs").resolve("notes.txt"), notes);
        Files.write(tree.resolve("docs").resolve("small.bin"), randomBytes(random, 12_345));
        Files.writeString(tree.resolve("empty.txt"), "");
        byte[] stale = randomBytes(random, STALE_SIZE);
        Files.write(tree.resolve(STALE_FILE), stale);

        Path partition = scratch.resolve("partition.img");
        run(List.of("mkfs.ext4", "-q", "-F", "-b", Integer.toString(BLOCK), "-d", tree.toString(),
                partition.toString(), (PARTITION_SIZE / MIB) + "M"));
        debugfs(partition, true, "rm /" + STALE_FILE);
        Map<String, String> digests = fileDigests(partition, scratch.resolve("original-files"));
        if (digests.containsKey(STALE_FILE) || digests.size() != 4) {
            throw new IllegalStateException("fixture " + name + " holds " + digests.keySet());
        }
        fsck(partition);
        if (needsRecovery) {
            String features = debugfsOutput(partition, true, "feature needs_recovery");
            if (!features.contains("needs_recovery")) {
                throw new IOException("debugfs did not set needs_recovery on " + partition + ": " + features);
            }
        }

        Path raw = scratch.resolve("disk.raw");
        try (RandomAccessFile disk = new RandomAccessFile(raw.toFile(), "rw")) {
            disk.setLength(DISK_SIZE);
        }
        Commands.run(TOOL_TIMEOUT, null, List.of(HostTools.executable("sfdisk"), "-q", raw.toString()),
                "label: dos\nstart=" + PARTITION_OFFSET / SECTOR + ", size=" + PARTITION_SIZE / SECTOR
                        + ", type=83\n");
        try (FileChannel from = FileChannel.open(partition);
                FileChannel to = FileChannel.open(raw, StandardOpenOption.WRITE)) {
            transferFully(from, 0, PARTITION_SIZE, to, PARTITION_OFFSET);
        }
        Files.createDirectories(export);
        String subformat = format == Format.MONOLITHIC_SPARSE ? "monolithicSparse" : "monolithicFlat";
        run(List.of("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=" + subformat, raw.toString(),
                export.resolve(name + ".vmdk").toString()));
        Path file = export.resolve(format == Format.MONOLITHIC_SPARSE ? name + ".vmdk" : name + "-flat.vmdk");
        Files.delete(raw);
        return new StaleExt4Disk(name, format, file, digests, blockDigests(stale));
    }

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

    /** SHA-256 of every file in the guest file system, by path below its root. */
    Map<String, String> fileDigests() {
        return fileDigests;
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

    /** The ext4 partition of raw disk {@code raw}, copied to {@code target}. */
    static Path partition(Path raw, Path target) throws IOException {
        Files.deleteIfExists(target);
        try (FileChannel from = FileChannel.open(raw);
                FileChannel to = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            transferFully(from, PARTITION_OFFSET, PARTITION_SIZE, to, 0);
        }
        return target;
    }

    /** Runs {@code e2fsck -fn}: throws, with its report, unless the file system is consistent. */
    static void fsck(Path partition) throws IOException {
        run(List.of("e2fsck", "-fn", partition.toString()));
    }

    /** SHA-256 of every regular file in ext4 image {@code partition}, dumped with debugfs into {@code dumpDir}. */
    static Map<String, String> fileDigests(Path partition, Path dumpDir) throws IOException {
        Files.createDirectories(dumpDir);
        debugfs(partition, false, "rdump / " + dumpDir);
        Map<String, String> digests = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(dumpDir)) {
            for (Path path : paths.filter(Files::isRegularFile).toList()) {
                digests.put(dumpDir.relativize(path).toString(), FileDigest.sha256(path));
            }
        }
        return digests;
    }

    /** How many blocks of the deleted file's data are still in ext4 image {@code partition}, at block boundaries. */
    long staleBlocksIn(Path partition) throws IOException {
        long found = 0;
        byte[] block = new byte[BLOCK];
        try (InputStream in = Files.newInputStream(partition)) {
            while (in.readNBytes(block, 0, BLOCK) == BLOCK) {
                if (staleBlockDigests.contains(sha256(block))) {
                    found++;
                }
            }
        }
        return found;
    }

    /** The deleted file's blocks (all distinct: random bytes). */
    static long staleBlocks() {
        return STALE_SIZE / BLOCK;
    }

    /**
     * Runs one debugfs request that prints nothing when it succeeds. debugfs exits with 0 even when a
     * request fails and reports the failure on stderr, so any output besides its version banner counts
     * as failure.
     */
    private static void debugfs(Path image, boolean write, String request) throws IOException {
        String output = debugfsOutput(image, write, request);
        if (!output.isEmpty()) {
            throw new IOException("debugfs '" + request + "' on " + image + " reported: " + output);
        }
    }

    /** Runs one debugfs request; returns its output without the version banner. */
    private static String debugfsOutput(Path image, boolean write, String request) throws IOException {
        List<String> command = new ArrayList<>(List.of(HostTools.executable("debugfs")));
        if (write) {
            command.add("-w");
        }
        command.addAll(List.of("-R", request, image.toString()));
        return Commands.run(TOOL_TIMEOUT, command).lines()
                .filter(line -> !line.isBlank() && !line.startsWith("debugfs 1."))
                .collect(Collectors.joining("\n"));
    }

    private static String run(List<String> command) throws IOException {
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
