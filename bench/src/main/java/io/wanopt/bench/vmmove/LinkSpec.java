package io.wanopt.bench.vmmove;

import java.time.Duration;
import java.util.Locale;

/**
 * One emulated WAN link of the VM-move benchmark, as the report names and describes it.
 *
 * @param label how tables and the chart name the link, e.g. "10 Mbit/s 140 ms"
 * @param rateBitsPerSecond bottleneck rate of each direction, in bits per second
 * @param rtt round-trip time
 */
public record LinkSpec(String label, long rateBitsPerSecond, Duration rtt) {

    public LinkSpec {
        if (label == null || label.isBlank()) {
            throw new IllegalArgumentException("a link needs a label");
        }
        if (rateBitsPerSecond <= 0) {
            throw new IllegalArgumentException("link rate must be positive, got " + rateBitsPerSecond + " bit/s");
        }
        if (rtt == null || rtt.isNegative()) {
            throw new IllegalArgumentException("round-trip time must be zero or positive, got " + rtt);
        }
    }

    /** Rate and round-trip time from the numbers themselves, e.g. "10 Mbit/s each way, round-trip time 140 ms". */
    public String describe() {
        double megabits = rateBitsPerSecond / 1e6;
        String rate = megabits == Math.rint(megabits)
                ? String.format(Locale.ROOT, "%.0f", megabits)
                : String.format(Locale.ROOT, "%.3f", megabits).replaceAll("0+$", "");
        return rate + " Mbit/s each way, round-trip time " + rtt.toMillis() + " ms";
    }
}
