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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A {@link StaleDisk} with NTFS, stored as a flat extent: a 48 MiB disk whose NTFS partition (4 KiB
 * clusters) was made with {@code mkntfs} and filled with {@code ntfscp}, without mounting. ntfs-3g has
 * no offline delete, so the 16 MiB deleted file was truncated to nothing with {@code ntfstruncate},
 * which frees its clusters and leaves their data. Its files sit in the root directory (the tools cannot
 * make directories).
 */
final class StaleNtfsDisk extends StaleDisk {

    static final List<String> TOOLS = List.of("mkntfs", "ntfscp", "ntfsinfo", "ntfstruncate", "ntfscat", "ntfsfix",
            "sh");
    static final long DISK_SIZE = 48 * MIB;
    static final int STALE_SIZE = 16 * (int) MIB;

    private static final long PARTITION_SIZE = DISK_SIZE - PARTITION_OFFSET;
    private static final String STALE_FILE = "stale.bin";
    /** File system files whose bytes must not change either: the file table and the cluster bitmap. */
    private static final List<String> METADATA_FILES = List.of("$MFT", "$Bitmap");
    private static final Pattern INODE = Pattern.compile("Dumping Inode (\\d+)");

    private StaleNtfsDisk(String name, Path file, Path partition, Map<String, String> fileDigests, byte[] stale)
            throws IOException {
        super(name, Format.FLAT_EXTENT, file, partition, fileDigests, stale);
    }

    /** Builds disk {@code name} in {@code export} ({@code work} for scratch files); clients read NAME-flat.vmdk. */
    static StaleNtfsDisk build(Path work, Path export, String name, long seed) throws IOException {
        Path scratch = Files.createDirectories(work.resolve(name));
        Path tree = Files.createDirectories(scratch.resolve("tree"));
        byte[] stale = writeFiles(tree, tree, name, seed, STALE_SIZE);
        Path staleFile = Files.write(scratch.resolve(STALE_FILE), stale);
        List<Path> kept;
        try (Stream<Path> files = Files.list(tree)) {
            kept = files.sorted().toList();
        }

        Path partition = sizedFile(scratch.resolve("partition.img"), PARTITION_SIZE);
        run(List.of("mkntfs", "-q", "-F", "-Q", "-c", Integer.toString(BLOCK), "-p",
                Long.toString(PARTITION_OFFSET / SECTOR), partition.toString()));
        run(List.of("ntfscp", partition.toString(), staleFile.toString(), STALE_FILE));
        for (Path file : kept) {
            run(List.of("ntfscp", partition.toString(), file.toString(), file.getFileName().toString()));
        }
        Matcher inode = INODE.matcher(run(List.of("ntfsinfo", "-F", STALE_FILE, partition.toString())));
        if (!inode.find()) {
            throw new IOException("ntfsinfo names no inode for " + STALE_FILE + " in " + partition);
        }
        run(List.of("ntfstruncate", partition.toString(), inode.group(1), "0"));

        List<String> names = new ArrayList<>(METADATA_FILES);
        kept.forEach(file -> names.add(file.getFileName().toString()));
        Map<String, String> digests = fileDigests(partition, names, scratch.resolve("original-files"));
        for (Path file : kept) {
            if (!FileDigest.sha256(file).equals(digests.get(file.getFileName().toString()))) {
                throw new IllegalStateException("fixture " + name + ": ntfscat does not give back " + file);
            }
        }
        checkClean(partition);
        Path file = store(partition, "7", DISK_SIZE, export, name, Format.FLAT_EXTENT, scratch);
        return new StaleNtfsDisk(name, file, partition, digests, stale);
    }

    @Override
    void checkConsistent(Path partition) throws IOException {
        checkClean(partition);
    }

    @Override
    Map<String, String> fileDigestsIn(Path partition, Path scratch) throws IOException {
        return fileDigests(partition, fileDigests().keySet(), scratch.resolve("files"));
    }

    /** Runs {@code ntfsfix -n}: throws, with its report, unless it finds the volume sound. */
    private static void checkClean(Path partition) throws IOException {
        String report = run(List.of("ntfsfix", "-n", partition.toString()));
        if (!report.contains("processed successfully")) {
            throw new IOException("ntfsfix -n " + partition + " reported: " + report);
        }
    }

    /** SHA-256 of files {@code names} of NTFS image {@code partition}, read with ntfscat into {@code outDir}. */
    private static Map<String, String> fileDigests(Path partition, Iterable<String> names, Path outDir)
            throws IOException {
        Files.createDirectories(outDir);
        Map<String, String> digests = new TreeMap<>();
        int index = 0;
        for (String name : names) {
            // ntfscat writes the file to stdout: the shell sends it to a file (names like $MFT stay arguments).
            Path out = outDir.resolve("file-" + index++);
            Commands.run(TOOL_TIMEOUT, List.of(HostTools.executable("sh"), "-c", "exec \"$1\" \"$2\" \"$3\" > \"$4\"",
                    "sh", HostTools.executable("ntfscat"), partition.toString(), name, out.toString()));
            digests.put(name, FileDigest.sha256(out));
        }
        return digests;
    }
}
