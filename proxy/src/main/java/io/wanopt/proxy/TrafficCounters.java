package io.wanopt.proxy;

import io.wanopt.cache.codec.CodecCounters;
import java.util.concurrent.atomic.LongAdder;

/**
 * LAN and WAN byte counts plus what the encoder (sending) and decoder (receiving) did, for a flow,
 * a peer or the whole appliance. A child feeds its parent as it counts; a flow also feeds the
 * counters of its protocol once that is known ({@link #alsoCountInto}).
 */
public final class TrafficCounters {

    /** What is counted besides the codec's work. */
    private enum Count { LAN_IN, LAN_OUT, WAN_IN, WAN_OUT, FLOWS }

    private final TrafficCounters parent;
    /** A second, flat total this one also feeds (LAN and WAN bytes and flows only); null when none. */
    private volatile TrafficCounters also;
    private final LongAdder[] counts = new LongAdder[Count.values().length];
    /** What this side's encoders sent. */
    public final CodecCounters sent;
    /** What this side's decoders received. */
    public final CodecCounters received;

    public TrafficCounters(TrafficCounters parent) {
        this.parent = parent;
        this.sent = new CodecCounters(parent == null ? null : parent.sent);
        this.received = new CodecCounters(parent == null ? null : parent.received);
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    public TrafficCounters() {
        this(null);
    }

    private void add(Count count, long amount) {
        counts[count.ordinal()].add(amount);
        if (parent != null) {
            parent.add(count, amount);
        }
        TrafficCounters second = also;
        if (second != null) {
            second.add(count, amount);
        }
    }

    /**
     * From now on also feeds {@code total} (its LAN and WAN bytes and flows, not the codec's work),
     * and gives it what was counted so far. Called once, by the thread that counts.
     */
    public void alsoCountInto(TrafficCounters total) {
        for (Count count : Count.values()) {
            total.add(count, get(count));
        }
        also = total;
    }

    private long get(Count count) {
        return counts[count.ordinal()].sum();
    }

    /** Bytes read from LAN connections. */
    public void lanIn(long bytes) {
        add(Count.LAN_IN, bytes);
    }

    /** Bytes written to LAN connections. */
    public void lanOut(long bytes) {
        add(Count.LAN_OUT, bytes);
    }

    /** Tunnel frame bytes received. */
    public void wanIn(long bytes) {
        add(Count.WAN_IN, bytes);
    }

    /** Tunnel frame bytes sent. */
    public void wanOut(long bytes) {
        add(Count.WAN_OUT, bytes);
    }

    /** A flow started. */
    public void flowStarted() {
        add(Count.FLOWS, 1);
    }

    public long lanIn() {
        return get(Count.LAN_IN);
    }

    public long lanOut() {
        return get(Count.LAN_OUT);
    }

    public long wanIn() {
        return get(Count.WAN_IN);
    }

    public long wanOut() {
        return get(Count.WAN_OUT);
    }

    public long flows() {
        return get(Count.FLOWS);
    }

    /** LAN bytes per WAN byte, both directions together (1.0 when nothing crossed). */
    public double reduction() {
        long wan = wanIn() + wanOut();
        return wan == 0 ? 1.0 : (double) (lanIn() + lanOut()) / wan;
    }

    /** A one-line summary for logs. */
    public String summary() {
        return String.format("lan in %d out %d, wan in %d out %d, reduction %.1fx, sent ref/lit/zero %d/%d/%d,"
                + " received ref/lit/zero %d/%d/%d, repaired %d, corrupt %d",
                lanIn(), lanOut(), wanIn(), wanOut(), reduction(),
                sent.get(CodecCounters.Kind.REF_CHUNKS), sent.get(CodecCounters.Kind.LITERAL_CHUNKS),
                sent.get(CodecCounters.Kind.ZERO_RUNS),
                received.get(CodecCounters.Kind.REF_CHUNKS), received.get(CodecCounters.Kind.LITERAL_CHUNKS),
                received.get(CodecCounters.Kind.ZERO_RUNS),
                received.get(CodecCounters.Kind.MISSES_REPAIRED), received.get(CodecCounters.Kind.CORRUPT_CHUNKS));
    }
}
