package io.wanopt.bench;

import java.util.Locale;

/**
 * How long measured operations waited at their end for the chunk store's writer thread to persist
 * what they put: the answer to "does the writer keep up". An operation whose flush returns at once
 * found the write queue drained.
 */
final class FlushWait {

    private long operations;
    private long workNanos;
    private long flushNanos;

    /** Accounts one operation: its work before the flush, and the flush itself. */
    void add(long work, long flush) {
        operations++;
        workNanos += work;
        flushNanos += flush;
    }

    @Override
    public String toString() {
        long per = Math.max(1, operations);
        return String.format(Locale.ROOT,
                "store flush at the end of each op: %.1f ms of %.1f ms on average (%.1f%% of the op time), %d ops",
                flushNanos / 1e6 / per, (workNanos + flushNanos) / 1e6 / per,
                100.0 * flushNanos / Math.max(1, workNanos + flushNanos), operations);
    }
}
