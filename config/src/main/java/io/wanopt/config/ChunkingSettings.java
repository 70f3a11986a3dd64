package io.wanopt.config;

/** {@code wanopt.chunking}: content-defined chunk sizes in bytes (min &lt; average &lt; max, average a power of two). */
public record ChunkingSettings(int minSize, int averageSize, int maxSize) {
}
