package io.wanopt.protocols.nfs;

/**
 * A time stamp: RFC 1813 §2.6 {@code nfstime3} (unsigned 32-bit seconds) or RFC 7530 §3.3.1
 * {@code nfstime4} (signed 64-bit seconds), both with nanoseconds.
 */
public record NfsTime(long seconds, long nanoseconds) {
}
