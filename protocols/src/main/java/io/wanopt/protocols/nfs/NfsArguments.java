package io.wanopt.protocols.nfs;

/**
 * The decoded arguments of a call: a message record of {@code v3}, {@code v4} or {@code mount}, or
 * {@link NotUnderstood}.
 */
public interface NfsArguments {
}
