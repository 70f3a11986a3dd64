package io.wanopt.config;

/** {@code wanopt.compression}. */
public record CompressionSettings(long slowLinkBelowBitsPerSecond, int zstdLevel) {
}
