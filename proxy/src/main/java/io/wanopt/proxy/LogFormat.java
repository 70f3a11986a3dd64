package io.wanopt.proxy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.LogManager;

/** One line per log record on stderr (journald adds the time stamp and unit when run as a service). */
public final class LogFormat {

    private LogFormat() {
    }

    /** Installs the format, at INFO, unless the user named a logging configuration of their own. */
    public static void install() {
        install(Level.INFO);
    }

    /** Installs the format with {@code level} as the threshold (the demo shows only warnings). */
    public static void install(Level level) {
        if (System.getProperty("java.util.logging.config.file") != null
                || System.getProperty("java.util.logging.config.class") != null) {
            return;
        }
        String properties = String.join("\n",
                "handlers=java.util.logging.ConsoleHandler",
                ".level=" + level.getName(),
                "io.netty.level=WARNING",
                "java.util.logging.ConsoleHandler.level=ALL",
                "java.util.logging.SimpleFormatter.format=%1$tF %1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        try {
            LogManager.getLogManager().readConfiguration(
                    new ByteArrayInputStream(properties.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
