package io.wanopt.proxy.admin;

import java.util.ArrayDeque;
import java.util.List;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

/** The daemon's last log lines, kept in memory for {@code wanopt logs}. */
public final class RecentLogs extends Handler {

    private final int capacity;
    private final ArrayDeque<String> lines = new ArrayDeque<>();

    public RecentLogs(int capacity, Formatter formatter) {
        this.capacity = capacity;
        setFormatter(formatter);
    }

    @Override
    public void publish(LogRecord record) {
        if (capacity == 0 || !isLoggable(record)) {
            return;
        }
        String line = getFormatter().format(record).stripTrailing();
        synchronized (lines) {
            if (lines.size() == capacity) {
                lines.removeFirst();
            }
            lines.addLast(line);
        }
    }

    /** The newest {@code count} lines, oldest first. */
    public List<String> last(int count) {
        synchronized (lines) {
            return lines.stream().skip(Math.max(0, lines.size() - count)).toList();
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
