package io.wanopt.testsupport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.LogManager;

/**
 * java.util.logging set-up for tests (named by {@code -Djava.util.logging.config.class}): one line
 * per record on stderr, INFO and above, so test output stays readable and leak reports show.
 */
public final class TestLogging {

    public TestLogging() throws IOException {
        String properties = String.join("\n",
                "handlers=java.util.logging.ConsoleHandler",
                ".level=INFO",
                "java.util.logging.ConsoleHandler.level=ALL",
                "java.util.logging.SimpleFormatter.format=%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        LogManager.getLogManager().readConfiguration(
                new ByteArrayInputStream(properties.getBytes(StandardCharsets.UTF_8)));
    }
}
