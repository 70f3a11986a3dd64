package io.wanopt.e2e;

import io.wanopt.harness.Commands;
import io.wanopt.harness.FileDigest;
import io.wanopt.harness.HostTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A {@link StaleDisk} with ext4: a 64 MiB disk whose ext4 partition (4 KiB blocks) was built with
 * {@code mkfs.ext4 -d}, with its text and small file in a directory, and from which a 20 MiB random
 * file was then deleted with {@code debugfs}.
 */
final class StaleExt4Disk extends StaleDisk {

    static final List<String> TOOLS = List.of("mkfs.ext4", "debugfs", "e2fsck");
    static final long DISK_SIZE = 64 * MIB;
    /** The deleted file: most of the disk's stored data is its stale bytes. */
    static final int STALE_SIZE = 20 * (int) MIB;

    private static final long PARTITION_SIZE = DISK_SIZE - PARTITION_OFFSET;
    private static final String STALE_FILE = "stale.bin";

    private StaleExt4Disk(String name, Format format, Path file, Path partition, Map<String, String> fileDigests,
            byte[] stale) throws IOException {
        super(name, format, file, partition, fileDigests, stale);
    }

    /**
     * Builds disk {@code name} in {@code export} ({@code work} for scratch files). With
     * {@code needsRecovery} its ext4 is marked as having a journal to replay (not clean).
     */
    static StaleExt4Disk build(Path work, Path export, String name, Format format, boolean needsRecovery, long seed)
            throws IOException {
        Path scratch = Files.createDirectories(work.resolve(name));
        Path tree = Files.createDirectories(scratch.resolve("tree"));
        byte[] stale = writeFiles(tree, tree.resolve("docs"), name, seed, STALE_SIZE);
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
        Path file = store(partition, "83", DISK_SIZE, export, name, format, scratch);
        return new StaleExt4Disk(name, format, file, partition, digests, stale);
    }

    @Override
    void checkConsistent(Path partition) throws IOException {
        fsck(partition);
    }

    @Override
    Map<String, String> fileDigestsIn(Path partition, Path scratch) throws IOException {
        return fileDigests(partition, scratch.resolve("files"));
    }

    /** Runs {@code e2fsck -fn}: throws, with its report, unless the file system is consistent. */
    private static void fsck(Path partition) throws IOException {
        run(List.of("e2fsck", "-fn", partition.toString()));
    }

    /** SHA-256 of every regular file in ext4 image {@code partition}, dumped with debugfs into {@code dumpDir}. */
    private static Map<String, String> fileDigests(Path partition, Path dumpDir) throws IOException {
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
}
