package io.wanopt.cache.store;

import io.wanopt.cache.ChunkId;
import java.io.Closeable;
import java.io.IOException;

/**
 * The appliance's chunk dictionary, shared by all flows, both directions and all peers.
 *
 * <p>Thread-safe. Bytes returned by {@link #get} are as stored and <em>not verified</em>: the
 * caller checks them against the id and calls {@link #forget} on a mismatch.
 */
public interface ChunkStore extends Closeable {

    /** Random 16 bytes made when the store was created; a wiped or replaced store has a new one. */
    byte[] epoch();

    /** The stored bytes of {@code id}, or null when this store does not hold it. */
    byte[] get(ChunkId id) throws IOException;

    /** Whether this store holds {@code id} (it may still turn out corrupt when read). */
    boolean contains(ChunkId id) throws IOException;

    /**
     * Learns a chunk whose id the caller has computed from {@code data}. A no-op when the chunk is
     * held already. The bytes are copied; the append to a segment happens off the caller's thread,
     * and {@link #get} finds the chunk at once. Waits while the write queue is full.
     */
    void put(ChunkId id, byte[] data, int offset, int length) throws IOException;

    /**
     * Like {@link #put}, but the store keeps {@code data} itself instead of a copy: the caller
     * must never change the array afterwards (readers of the store share it).
     */
    void adopt(ChunkId id, byte[] data) throws IOException;

    /** Drops {@code id} (found corrupt) so that a repaired copy can be learned again. */
    void forget(ChunkId id) throws IOException;

    /** What this store believes the peer {@code peerId} holds while the peer's store has {@code peerEpoch}. */
    PeerKnowledge peer(String peerId, byte[] peerEpoch);

    /** Counters and sizes. */
    ChunkStoreStats stats();
}
