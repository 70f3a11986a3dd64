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

    /**
     * Takes {@code version} to be mapped by the caller, unless it is known already (mapped, tried, or
     * being mapped); the caller then says what came of it with {@link #mapped}. Returns whether it did.
     */
    synchronized boolean claim(Object version) {
        if (maps.containsKey(version)) {
            return false;
        }
        maps.put(version, new Entry());
        return true;
    }

    /** Gives back {@code version}, claimed and not mapped: another flow may map it. */
    synchronized void unclaim(Object version) {
        Entry entry = maps.get(version);
        if (entry != null && entry.map == null) {
            maps.remove(version);
        }
    }

    /**
     * What came of mapping {@code version} of the file {@code name}, claimed before: its map, or null
     * and why not. Counted and logged.
     */
    void mapped(Object version, String name, FileUsageMap map, String whyNot) {
        synchronized (this) {
            Entry entry = maps.get(version);
            if (entry != null) {
                entry.map = map;
            }
        }
        counters.smartReadMapped(map != null);
        if (map != null) {
            LOG.info(() -> String.format("smartread: mapped %s (%s, %s): %d of %d bytes guest-free%s", name,
                    map.layout(), map.disk().scheme(), map.freeBytes(), map.fileSize(),
                    map.inUseNotes().isEmpty() ? "" : "; counted in use: " + String.join("; ", map.inUseNotes())));
        } else {
            LOG.info(() -> "smartread: " + name + " not mapped, its data crosses as it is: " + whyNot);
        }
    }

    /**
     * Maps {@code version} of the file {@code name} from {@code source} on a worker thread, unless it is
     * known already; {@code done} then gets the map (null when there is none) on that thread, and
     * {@code source} is closed. Returns whether a build started.
     */
    boolean build(Object version, String name, RandomAccessSource source, Consumer<FileUsageMap> done) {
        if (!claim(version)) {
            return false;
        }
        try {
            builders.execute(() -> {
                FileUsageMap map = null;
                String whyNot = "the map's reader failed";
                try (source) {
                    map = FileUsageMap.read(source, name);
                } catch (IOException | UnsupportedFormatException | MalformedInputException e) {
                    whyNot = e.getMessage();
                } finally {
                    mapped(version, name, map, whyNot);
                    done.accept(map); // also after a bug in a parser: the flow holds replies until then
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            unclaim(version);
            return false;
        }
    }

    @Override
    public void close() {
        builders.shutdownNow();
    }
}
