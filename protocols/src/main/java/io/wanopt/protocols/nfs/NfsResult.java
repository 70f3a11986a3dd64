package io.wanopt.protocols.nfs;

/**
 * The decoded results of a reply: a message record of {@code v3}, {@code v4} or {@code mount}, or
 * {@link NotUnderstood}.
 */
public interface NfsResult {
}
