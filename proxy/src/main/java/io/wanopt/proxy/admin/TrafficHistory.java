package io.wanopt.proxy.admin;

import io.wanopt.proxy.TrafficCounters;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.LongSupplier;

/**
 * LAN and WAN byte totals sampled at intervals, so that {@code wanopt status} can say what crossed in
 * the last minute or hour and not only since start. Samples older than the longest window asked for
 * are dropped; time comes from an injected clock.
 */
public final class TrafficHistory {

    /** LAN and WAN bytes (both directions) over a window, and the window's actual length. */
    public record Window(long lanBytes, long wanBytes, Duration covered) {

        /** LAN bytes per WAN byte (1 when nothing crossed). */
        public double reduction() {
            return wanBytes == 0 ? 1.0 : (double) lanBytes / wanBytes;
        }
    }

    private record Sample(long nanos, long lan, long wan) {
    }

    private final TrafficCounters counters;
    private final LongSupplier nanoTime;
    private final Duration keep;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    /** Keeps samples over {@code keep}; {@link #sample} is to be called at intervals. */
    public TrafficHistory(TrafficCounters counters, LongSupplier nanoTime, Duration keep) {
        this.counters = counters;
        this.nanoTime = nanoTime;
        this.keep = keep;
        sample();
    }

    /** Records the totals now and forgets samples older than the kept span. */
    public synchronized void sample() {
        long now = nanoTime.getAsLong();
        samples.addLast(new Sample(now, lan(), wan()));
        while (samples.size() > 2 && now - samples.peekFirst().nanos() > keep.toNanos()) {
            samples.removeFirst();
        }
    }

    /**
     * What crossed from the oldest sample within {@code span} until now; the window is shorter when
     * the history is (just after start).
     */
    public synchronized Window last(Duration span) {
        long now = nanoTime.getAsLong();
        Sample from = samples.peekLast();
        Iterator<Sample> newestFirst = samples.descendingIterator();
        while (newestFirst.hasNext()) {
            Sample sample = newestFirst.next();
            if (now - sample.nanos() > span.toNanos()) {
                break;
            }
            from = sample;
        }
        return new Window(lan() - from.lan(), wan() - from.wan(), Duration.ofNanos(now - from.nanos()));
    }

    private long lan() {
        return counters.lanIn() + counters.lanOut();
    }

    private long wan() {
        return counters.wanIn() + counters.wanOut();
    }
}
