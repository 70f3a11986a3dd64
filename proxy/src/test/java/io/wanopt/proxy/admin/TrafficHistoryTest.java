package io.wanopt.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wanopt.proxy.TrafficCounters;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TrafficHistoryTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void windowsCountWhatCrossedSinceTheOldestSampleWithinThem() {
        AtomicLong now = new AtomicLong(1000 * SECOND);
        TrafficCounters counters = new TrafficCounters();
        TrafficHistory history = new TrafficHistory(counters, now::get, Duration.ofMinutes(61));
        // 100 s of traffic, sampled every 10 s: 1 MB in and 10 kB out on the WAN per 10 s.
        for (int i = 0; i < 10; i++) {
            now.addAndGet(10 * SECOND);
            counters.lanIn(1_000_000);
            counters.wanOut(10_000);
            history.sample();
        }
        TrafficHistory.Window minute = history.last(Duration.ofMinutes(1));
        assertEquals(6_000_000, minute.lanBytes());
        assertEquals(60_000, minute.wanBytes());
        assertEquals(Duration.ofSeconds(60), minute.covered());
        assertEquals(100.0, minute.reduction(), 1e-9);
        TrafficHistory.Window hour = history.last(Duration.ofHours(1));
        assertEquals(10_000_000, hour.lanBytes());
        assertEquals(Duration.ofSeconds(100), hour.covered());
    }

    @Test
    void samplesOlderThanTheKeptSpanAreForgotten() {
        AtomicLong now = new AtomicLong(0);
        TrafficCounters counters = new TrafficCounters();
        TrafficHistory history = new TrafficHistory(counters, now::get, Duration.ofSeconds(30));
        for (int i = 0; i < 100; i++) {
            now.addAndGet(10 * SECOND);
            counters.lanOut(1);
            history.sample();
        }
        // Only 30 s are kept, so an hour's window covers what the samples still say.
        TrafficHistory.Window hour = history.last(Duration.ofHours(1));
        assertEquals(Duration.ofSeconds(30), hour.covered());
        assertEquals(3, hour.lanBytes());
        assertEquals(1.0, hour.reduction(), 1e-9);
    }
}
