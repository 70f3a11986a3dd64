package io.wanopt.config;

import java.nio.file.Path;

/** {@code wanopt.store}: where and how big the chunk store is. */
public record StoreSettings(Path path, long diskBudget, long segmentSize, long memoryCache, long writeQueue) {
}
