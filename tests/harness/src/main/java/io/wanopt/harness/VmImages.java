package io.wanopt.harness;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The VM disk images built by {@code tests/vm-images/build-vm-images.sh}, cached once built.
 *
 * <p>A set holds the guest disks {@link #DISKS} ({@code linux-v1}, its later version {@code linux-v2}
 * with packages added and files deleted, {@code linux-clone} with another host name, and the NTFS
 * data disk {@code ntfs-v1}), each as {@code NAME.raw} and as VMDKs in the {@link #SUBFORMATS}
 * ({@code NAME-monolithicSparse.vmdk}, {@code NAME-monolithicFlat.vmdk} plus
 * {@code NAME-monolithicFlat-flat.vmdk}), with {@code MANIFEST}, {@code BUILD-INFO} and
 * {@code linux-v2.changes}. Each disk has an MBR with one partition at 1 MiB.
 *
 * <p>The cache is {@code $WANOPT_CACHE/vm-images/<variant>-<script hash>} (default
 * {@code ~/.cache/wanopt}); the hash is the first 12 hex digits of the SHA-256 of the script, so a
 * changed script builds a new set. A set counts as built when its {@code MANIFEST} exists (the
 * script renames a finished build into place).
 */
public final class VmImages {

    /** What the script builds: {@code small} for CI (seconds, no network) or {@code reference}. */
    public enum Variant {
        /** 64 MiB disks with trees copied from the host, ~25 MB in use; seconds, no network, no root. */
        SMALL(List.of()),
        /** 1 GiB Debian bookworm root file system (debootstrap, needs root and a mirror); minutes. */
        REFERENCE(List.of("debootstrap", "apt-get", "dpkg-deb"));

        private final List<String> extraTools;

        Variant(List<String> extraTools) {
            this.extraTools = extraTools;
        }

        /** The script's argument for this variant. */
        public String argument() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The commands the script needs for this variant. */
        public List<String> tools() {
            List<String> tools = new ArrayList<>(COMMON_TOOLS);
            tools.addAll(extraTools);
            return List.copyOf(tools);
        }
    }

    /** The build script, relative to the repository root. */
    public static final String SCRIPT = "tests/vm-images/build-vm-images.sh";
    /** The guest disks of a set. */
    public static final List<String> DISKS = List.of("linux-v1", "linux-v2", "linux-clone", "ntfs-v1");
    /** The VMDK subformats each disk is converted to. */
    public static final List<String> SUBFORMATS = List.of("monolithicSparse", "monolithicFlat");
    /** One line per file: SHA-256, apparent bytes, bytes on disk, name. */
    public static final String MANIFEST = "MANIFEST";
    /** Lines {@code + /path} (added) and {@code - /path} (deleted) for linux-v2 against linux-v1. */
    public static final String V2_CHANGES = "linux-v2.changes";

    private static final List<String> COMMON_TOOLS = List.of("qemu-img", "mkfs.ext4", "debugfs", "e2fsck",
            "dumpe2fs", "sfdisk", "mkntfs", "ntfscp", "ntfsinfo", "ntfsresize");
    private static final Object BUILD_LOCK = new Object();
    private static final Duration LOCK_POLL = Duration.ofMillis(500);
    private static final Duration TERMINATION_GRACE = Duration.ofSeconds(15);
    private static final int LOG_TAIL_LINES = 40;

    private final Path directory;
    private final Variant variant;

    private VmImages(Path directory, Variant variant) {
        this.directory = directory;
        this.variant = variant;
    }

    /**
     * Returns the cached set of {@code variant}, building it first when it is not cached. The build's
     * output goes to a log file beside the set's directory. Callers in one JVM are serialized; other
     * processes are kept out by a lock file.
     *
     * @throws IOException when the script fails or exceeds {@code timeout} (the message names the
     *     command, its exit status and the last lines of its log)
     */
    public static VmImages ensure(Path repoRoot, Variant variant, Duration timeout) throws IOException {
        Path script = repoRoot.resolve(SCRIPT);
        if (!Files.isRegularFile(script)) {
            throw new IOException("VM image build script not found: " + script);
        }
        String key = variant.argument() + "-" + sha256Hex(Files.readAllBytes(script)).substring(0, 12);
        Path parent = cacheRoot().resolve("vm-images");
        Path directory = parent.resolve(key);
        Instant deadline = Instant.now().plus(timeout);
        synchronized (BUILD_LOCK) {
            if (isBuilt(directory)) {
                return new VmImages(directory, variant);
            }
            Files.createDirectories(parent);
            Path lockFile = parent.resolve(key + ".lock");
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = lock(channel, lockFile, deadline)) {
                // another process may have built it while this one waited for the lock
                if (!isBuilt(directory)) {
                    build(script, variant, directory, parent.resolve(key + ".log"), deadline, timeout);
                }
            }
        }
        return new VmImages(directory, variant);
    }

    /** {@code $WANOPT_CACHE}, or {@code ~/.cache/wanopt} when it is unset. */
    public static Path cacheRoot() {
        String configured = System.getenv("WANOPT_CACHE");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "wanopt");
    }

    /** The nearest directory at or above {@code start} that holds the build script. */
    public static Path repoRoot(Path start) {
        for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(SCRIPT))) {
                return dir;
            }
        }
        throw new IllegalArgumentException("no " + SCRIPT + " in " + start.toAbsolutePath() + " or above");
    }

    /** The commands {@code variant} needs that are not found in PATH, /usr/sbin or /sbin. */
    public static List<String> missingTools(Variant variant) {
        return HostTools.missing(variant.tools());
    }

    /** The directory holding the set's files. */
    public Path directory() {
        return directory;
    }

    /** The variant this set was built as. */
    public Variant variant() {
        return variant;
    }

    /** A file of the set by name, e.g. {@code "linux-v1-monolithicSparse.vmdk"}. */
    public Path file(String name) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("not a file name: '" + name + "'");
        }
        Path file = directory.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no file '" + name + "' in " + directory);
        }
        return file;
    }

    /** The raw image of a disk, e.g. {@code raw("linux-v1")} is {@code linux-v1.raw}. */
    public Path raw(String disk) {
        return file(requireDisk(disk) + ".raw");
    }

    /** The VMDK descriptor (for monolithicSparse the whole VMDK) of a disk in a subformat. */
    public Path vmdk(String disk, String subformat) {
        if (!SUBFORMATS.contains(subformat)) {
            throw new IllegalArgumentException("unknown subformat '" + subformat + "', known: " + SUBFORMATS);
        }
        return file(requireDisk(disk) + "-" + subformat + ".vmdk");
    }

    /** The extent file holding the data of a disk's monolithicFlat VMDK. */
    public Path flatExtent(String disk) {
        return file(requireDisk(disk) + "-monolithicFlat-flat.vmdk");
    }

    /** Absolute guest paths that exist in linux-v1 and were deleted in linux-v2. */
    public List<String> deletedInV2() throws IOException {
        return v2Changes("- ");
    }

    /** Absolute guest paths written into linux-v2 (new, or replacing a linux-v1 file). */
    public List<String> addedInV2() throws IOException {
        return v2Changes("+ ");
    }

    @Override
    public String toString() {
        return "VmImages[" + variant.argument() + " in " + directory + "]";
    }

    private List<String> v2Changes(String prefix) throws IOException {
        return Files.readAllLines(file(V2_CHANGES)).stream()
                .filter(line -> line.startsWith(prefix))
                .map(line -> line.substring(prefix.length()))
                .toList();
    }

    private static String requireDisk(String disk) {
        if (!DISKS.contains(disk)) {
            throw new IllegalArgumentException("unknown disk '" + disk + "', known: " + DISKS);
        }
        return disk;
    }

    private static boolean isBuilt(Path directory) {
        return Files.isRegularFile(directory.resolve(MANIFEST));
    }

    private static FileLock lock(FileChannel channel, Path lockFile, Instant deadline) throws IOException {
        while (true) {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return lock;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IOException("timed out waiting for another process building VM images (lock " + lockFile + ")");
            }
            try {
                Thread.sleep(LOCK_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the lock " + lockFile);
            }
        }
    }

    private static void build(Path script, Variant variant, Path directory, Path log, Instant deadline,
            Duration timeout) throws IOException {
        List<String> command = List.of("bash", script.toString(), variant.argument(), directory.toString());
        Files.deleteIfExists(log);
        ChildProcess build = ChildProcess.start("VM image build", command, log);
        Instant started = Instant.now();
        boolean finished;
        try {
            finished = build.awaitExit(Duration.between(started, deadline));
        } catch (InterruptedException e) {
            // SIGTERM lets the script remove its work directory.
            build.stop(TERMINATION_GRACE);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", command), e);
        }
        long seconds = Duration.between(started, Instant.now()).toSeconds();
        if (!finished) {
            build.stop(TERMINATION_GRACE);
            throw new IOException(String.join(" ", command) + " did not finish within " + timeout + "; log " + log
                    + ", last lines:\n" + build.logTail(LOG_TAIL_LINES));
        }
        if (build.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed with exit status " + build.exitValue()
                    + " after " + seconds + " s; log " + log + ", last lines:\n" + build.logTail(LOG_TAIL_LINES));
        }
        if (!isBuilt(directory)) {
            throw new IOException(String.join(" ", command) + " exited 0 but " + directory.resolve(MANIFEST)
                    + " does not exist; log " + log + ", last lines:\n" + build.logTail(LOG_TAIL_LINES));
        }
    }

    private static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
