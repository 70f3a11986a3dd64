package io.wanopt.config;

/** Literal compression towards a peer; {@link #AUTO} picks by link rate. */
public enum Compression { AUTO, ZSTD, LZ4, NONE }
