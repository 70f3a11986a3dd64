package io.wanopt.proxy.follow;

import io.wanopt.cache.ChunkId;
import io.wanopt.protocols.nfs.FileHandle;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which chunk held each whole file-aligned chunk of a file, by file handle and chunk number, shared
 * by an appliance's flows: a later read or write that covers only part of that chunk is then sent as
 * a slice of it. Only a hint: the encoder checks the stored chunk's bytes before slicing. The least
 * recently used entries are forgotten beyond the capacity. Thread-safe.
 */
public final class FileChunkIndex {

    private record Key(FileHandle file, long chunkNumber) {
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

    synchronized void put(FileHandle file, long chunkNumber, ChunkId id) {
        chunks.put(new Key(file, chunkNumber), id);
    }

    /** The chunk that last held chunk {@code chunkNumber} of {@code file}, or null. */
    synchronized ChunkId get(FileHandle file, long chunkNumber) {
        return chunks.get(new Key(file, chunkNumber));
    }

    /** Entries held. */
    public synchronized int size() {
        return chunks.size();
    }
}
