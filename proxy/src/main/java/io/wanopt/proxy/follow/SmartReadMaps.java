package io.wanopt.proxy.follow;

import io.wanopt.config.SmartReadSettings;
import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.disk.FileUsageMap;
import io.wanopt.protocols.disk.RandomAccessSource;
import io.wanopt.protocols.disk.UnsupportedFormatException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The appliance's SmartRead maps of VM disk files, by file version (an NFS file handle with its
 * mtime/ctime or change attribute and size): built once per version on a worker thread, from reads
 * the flow that asked makes of the file, then shared by every flow that reads that version. A new
 * version is a new key, so a changed file is mapped anew. The least recently used beyond
 * {@code max-maps} are forgotten. Thread-safe.
 */
public final class SmartReadMaps implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SmartReadMaps.class.getName());
    /** Builds at once: each waits on its flow's reads, which the flows' event loops answer. */
    private static final int BUILDERS = 2;

    /** A version's map: null while being built and when it could not be. */
    private static final class Entry {
        FileUsageMap map;
    }

    private final SmartReadSettings settings;
    private final FollowCounters counters;
    private final ExecutorService builders = Executors.newFixedThreadPool(BUILDERS, task -> {
        Thread thread = new Thread(task, "wanopt-smartread");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<Object, Entry> maps;

    public SmartReadMaps(SmartReadSettings settings, FollowCounters counters) {
        this.settings = settings;
        this.counters = counters;
        this.maps = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Object, Entry> eldest) {
                return size() > settings.maxMaps();
            }
        };
    }

    /** {@code wanopt.smartread}. */
    public SmartReadSettings settings() {
        return settings;
    }

    /** The map of {@code version}, once built; empty while it is built, when it could not be, or is unknown. */
    synchronized Optional<FileUsageMap> map(Object version) {
        Entry entry = maps.get(version);
        return entry == null || entry.map == null ? Optional.empty() : Optional.of(entry.map);
    }

    /** Whether {@code version} was mapped or tried, or is being mapped. */
    synchronized boolean known(Object version) {
        return maps.containsKey(version);
    }

    /**
     * Maps {@code version} of the file {@code name} from {@code source} on a worker thread, unless it is
     * known already; {@code done} then gets the map (null when there is none) on that thread, and
     * {@code source} is closed. Returns whether a build started.
     */
    boolean build(Object version, String name, RandomAccessSource source, Consumer<FileUsageMap> done) {
        Entry entry;
        synchronized (this) {
            if (maps.containsKey(version)) {
                return false;
            }
            entry = new Entry();
            maps.put(version, entry);
        }
        try {
            builders.execute(() -> {
                FileUsageMap map = null;
                try {
                    map = read(name, source);
                } finally {
                    synchronized (this) {
                        entry.map = map;
                    }
                    done.accept(map); // also after a bug in a parser: the flow holds replies until then
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                maps.remove(version);
            }
            return false;
        }
    }

    private FileUsageMap read(String name, RandomAccessSource source) {
        try (source) {
            FileUsageMap map = FileUsageMap.read(source, name);
            counters.smartReadMapped(true);
            LOG.info(() -> String.format("smartread: mapped %s (%s, %s): %d of %d bytes guest-free%s", name,
                    map.layout(), map.disk().scheme(), map.freeBytes(), map.fileSize(),
                    map.inUseNotes().isEmpty() ? "" : "; counted in use: " + String.join("; ", map.inUseNotes())));
            return map;
        } catch (IOException | UnsupportedFormatException | MalformedInputException e) {
            counters.smartReadMapped(false);
            LOG.info(() -> "smartread: " + name + " not mapped, its data crosses as it is: " + e.getMessage());
            return null;
        }
    }

    @Override
    public void close() {
        builders.shutdownNow();
    }
}
