package io.wanopt.config;

/**
 * A site configuration that cannot be used. The message is one line an administrator can act on:
 * {@code <file>:<line>: <key>: <problem>}, or {@code <file>: <key>: <problem>} when the value has
 * no line in the file (a default), or {@code <file>: cannot read: <reason>}.
 */
public final class ConfigError extends Exception {

    private static final long serialVersionUID = 1L;

    public ConfigError(String message) {
        super(message);
    }
}
