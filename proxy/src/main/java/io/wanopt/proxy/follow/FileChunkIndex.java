package io.wanopt.proxy.follow;

import io.wanopt.cache.ChunkId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which chunk held each whole file-aligned chunk of a file, by file (an NFS file handle, say) and chunk number, shared
 * by an appliance's flows: a later read or write that covers only part of that chunk is then sent as
 * a slice of it. Only a hint: the encoder checks the stored chunk's bytes before slicing. The least
 * recently used entries are forgotten beyond the capacity. Thread-safe.
 */
public final class FileChunkIndex {

    private record Key(Object file, long chunkNumber) {
    }

    private final Map<Key, ChunkId> chunks;

    public FileChunkIndex(int capacity) {
        this.chunks = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, ChunkId> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Remembers that {@code id} held chunk {@code chunkNumber} of {@code file} (a value whose equality names the file). */
    synchronized void put(Object file, long chunkNumber, ChunkId id) {
        chunks.put(new Key(file, chunkNumber), id);
    }

    /** The chunk that last held chunk {@code chunkNumber} of {@code file}, or null. */
    synchronized ChunkId get(Object file, long chunkNumber) {
        return chunks.get(new Key(file, chunkNumber));
    }
}
