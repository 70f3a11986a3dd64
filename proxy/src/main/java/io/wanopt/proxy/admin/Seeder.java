package io.wanopt.proxy.admin;

import io.wanopt.cache.ChunkId;
import io.wanopt.cache.store.ChunkStore;
import io.wanopt.proxy.tunnel.TunnelManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * {@code wanopt seed PATH}: learns a file, or the files under a folder, already at this site into the
 * dictionary, and tells the peers, so that the first move of a similar file (a VM's next version, a
 * clone) sends references for the blocks they share. Files are cut as file protocols cut them: at
 * multiples of {@code protocols.file-chunk-size} of the file offset, all-zero blocks left out (they
 * cross as zero runs anyway). One seed runs at a time, on its own thread; its progress can be asked.
 */
public final class Seeder implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Seeder.class.getName());
    /** Chunk ids gathered before the peers are told about them. */
    private static final int ADVERTISE_BATCH = 16384;

    /** Where a seed stands. */
    public enum State { RUNNING, DONE, FAILED }

    /**
     * One seed's progress.
     *
     * @param chunksNew   blocks added to the store
     * @param chunksKnown blocks the store held already
     * @param zeroBlocks  all-zero blocks left out
     * @param peersTold   peers told of the blocks (at the last advertisement)
     */
    public record Progress(Path path, State state, long files, long filesDone, long bytesTotal, long bytesRead,
            long chunksNew, long chunksKnown, long zeroBlocks, int peersTold, String error) {
    }

    private final ChunkStore store;
    private final TunnelManager tunnels;
    private final int blockSize;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "wanopt-seed");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Job job;

    public Seeder(ChunkStore store, TunnelManager tunnels, int blockSize) {
        this.store = store;
        this.tunnels = tunnels;
        this.blockSize = blockSize;
    }

    /**
     * Starts seeding {@code path} (a regular file or a folder, walked without following links).
     *
     * @throws IllegalStateException when a seed is running
     * @throws IOException when the path cannot be listed
     */
    public synchronized Progress start(Path path) throws IOException {
        if (job != null && job.state == State.RUNNING) {
            throw new IllegalStateException("a seed of " + job.path + " is running");
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(path)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        long total = 0;
        for (Path file : files) {
            total += Files.size(file);
        }
        Job next = new Job(path, files, total);
        job = next;
        worker.execute(next::run);
        return next.progress();
    }

    /** The running or last seed's progress, or null when none was started. */
    public Progress progress() {
        Job current = job;
        return current == null ? null : current.progress();
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }

    private final class Job {
        final Path path;
        final List<Path> files;
        final long bytesTotal;
        final AtomicLong filesDone = new AtomicLong();
        final AtomicLong bytesRead = new AtomicLong();
        final AtomicLong chunksNew = new AtomicLong();
        final AtomicLong chunksKnown = new AtomicLong();
        final AtomicLong zeroBlocks = new AtomicLong();
        volatile int peersTold;
        volatile State state = State.RUNNING;
        volatile String error = "";

        Job(Path path, List<Path> files, long bytesTotal) {
            this.path = path;
            this.files = files;
            this.bytesTotal = bytesTotal;
        }

        Progress progress() {
            return new Progress(path, state, files.size(), filesDone.get(), bytesTotal, bytesRead.get(), chunksNew.get(),
                    chunksKnown.get(), zeroBlocks.get(), peersTold, error);
        }

        void run() {
            List<ChunkId> pending = new ArrayList<>();
            try {
                for (Path file : files) {
                    seed(file, pending);
                    filesDone.incrementAndGet();
                }
                advertise(pending);
                state = State.DONE;
                LOG.info(() -> "seeded " + path + ": " + files.size() + " files, " + bytesRead.get() + " bytes, "
                        + chunksNew.get() + " chunks new, " + chunksKnown.get() + " known; told " + peersTold + " peers");
            } catch (IOException | RuntimeException e) {
                error = e.getMessage() == null ? e.toString() : e.getMessage();
                state = State.FAILED;
                LOG.warning(() -> "seeding " + path + " failed: " + error);
            }
        }

        private void seed(Path file, List<ChunkId> pending) throws IOException {
            try (InputStream in = Files.newInputStream(file)) {
                while (true) {
                    byte[] block = in.readNBytes(blockSize);
                    if (block.length == 0) {
                        return;
                    }
                    bytesRead.addAndGet(block.length);
                    if (allZero(block)) {
                        zeroBlocks.incrementAndGet();
                        continue;
                    }
                    ChunkId id = ChunkId.of(block, 0, block.length);
                    if (store.contains(id)) {
                        chunksKnown.incrementAndGet();
                    } else {
                        store.adopt(id, block);
                        chunksNew.incrementAndGet();
                    }
                    pending.add(id);
                    if (pending.size() >= ADVERTISE_BATCH) {
                        advertise(pending);
                    }
                }
            }
        }

        private void advertise(List<ChunkId> pending) {
            if (!pending.isEmpty()) {
                peersTold = tunnels.advertise(List.copyOf(pending));
                pending.clear();
            }
        }
    }

    private static boolean allZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
