package io.wanopt.proxy;

import io.wanopt.cache.codec.CodecCounters;
import java.util.concurrent.atomic.LongAdder;

/**
 * LAN and WAN byte counts plus what the encoder (sending) and decoder (receiving) did, for a flow,
 * a peer or the whole appliance. A child feeds its parent as it counts.
 */
public final class TrafficCounters {

    private final TrafficCounters parent;
    private final LongAdder lanIn = new LongAdder();
    private final LongAdder lanOut = new LongAdder();
    private final LongAdder wanIn = new LongAdder();
    private final LongAdder wanOut = new LongAdder();
    private final LongAdder flows = new LongAdder();
    /** What this side's encoders sent. */
    public final CodecCounters sent;
    /** What this side's decoders received. */
    public final CodecCounters received;

    public TrafficCounters(TrafficCounters parent) {
        this.parent = parent;
        this.sent = new CodecCounters(parent == null ? null : parent.sent);
        this.received = new CodecCounters(parent == null ? null : parent.received);
    }

    public TrafficCounters() {
        this(null);
    }

    /** Bytes read from LAN connections. */
    public void lanIn(long bytes) {
        lanIn.add(bytes);
        if (parent != null) {
            parent.lanIn(bytes);
        }
    }

    /** Bytes written to LAN connections. */
    public void lanOut(long bytes) {
        lanOut.add(bytes);
        if (parent != null) {
            parent.lanOut(bytes);
        }
    }

    /** Tunnel frame bytes received. */
    public void wanIn(long bytes) {
        wanIn.add(bytes);
        if (parent != null) {
            parent.wanIn(bytes);
        }
    }

    /** Tunnel frame bytes sent. */
    public void wanOut(long bytes) {
        wanOut.add(bytes);
        if (parent != null) {
            parent.wanOut(bytes);
        }
    }

    /** A flow started. */
    public void flowStarted() {
        flows.increment();
        if (parent != null) {
            parent.flowStarted();
        }
    }

    public long lanIn() {
        return lanIn.sum();
    }

    public long lanOut() {
        return lanOut.sum();
    }

    public long wanIn() {
        return wanIn.sum();
    }

    public long wanOut() {
        return wanOut.sum();
    }

    public long flows() {
        return flows.sum();
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
