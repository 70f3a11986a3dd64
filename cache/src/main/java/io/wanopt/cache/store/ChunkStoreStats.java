package io.wanopt.cache.store;

/**
 * A snapshot of a chunk store's counters.
 *
 * @param chunks chunks in the index
 * @param diskBytes bytes in segment files
 * @param diskBudget the configured budget
 * @param memoryHits gets answered from the in-memory tier
 * @param diskHits gets answered from a segment file
 * @param misses gets of chunks not held
 * @param evictedSegments segments dropped to stay within the budget
 * @param evictedChunks chunks dropped with them
 */
public record ChunkStoreStats(long chunks, long diskBytes, long diskBudget, long memoryHits, long diskHits,
        long misses, long evictedSegments, long evictedChunks) {
}
