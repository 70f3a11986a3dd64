package io.wanopt.cache.store;

import io.wanopt.cache.ChunkId;

/**
 * Which chunks one peer holds, as far as this appliance knows (it sent or received them). Persistent
 * across restarts; keyed by the peer's store epoch, so a peer whose store was replaced knows nothing.
 * Thread-safe.
 */
public interface PeerKnowledge {

    /** Whether the peer is believed to hold {@code id}. */
    boolean holds(ChunkId id);

    /** Records that the peer holds {@code id}. */
    void learn(ChunkId id);
}
