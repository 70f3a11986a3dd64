package io.wanopt.cache.codec;

import java.util.concurrent.atomic.LongAdder;

/**
 * What an encoder or decoder did, in chunks and bytes. A flow's counters feed their parent's (the
 * appliance's or a peer's) as they count, so totals are live without a sweep.
 */
public final class CodecCounters {

    /** The counter kinds, in display order. */
    public enum Kind {
        /** LAN bytes encoded or decoded. */
        LAN_BYTES,
        /** Chunks sent or received as references. */
        REF_CHUNKS,
        /** LAN bytes those references stood for. */
        REF_BYTES,
        /** Chunks sent or received as literals. */
        LITERAL_CHUNKS,
        /** LAN bytes of those literals. */
        LITERAL_BYTES,
        /** Literal bytes on the wire, after compression. */
        LITERAL_WIRE_BYTES,
        /** Zero-run tokens. */
        ZERO_RUNS,
        /** LAN bytes those zero runs stood for. */
        ZERO_BYTES,
        /** Batches (DATA frames). */
        BATCHES,
        /** References the receiver could not resolve and asked the sender for. */
        MISSES_REPAIRED,
        /** Chunks read from the receiver's own store whose bytes did not match their id. */
        CORRUPT_CHUNKS
    }

    private final CodecCounters parent;
    private final LongAdder[] values = new LongAdder[Kind.values().length];

    public CodecCounters(CodecCounters parent) {
        this.parent = parent;
        for (int i = 0; i < values.length; i++) {
            values[i] = new LongAdder();
        }
    }

    /** Counters with no parent (an appliance's totals). */
    public CodecCounters() {
        this(null);
    }

    public void add(Kind kind, long amount) {
        values[kind.ordinal()].add(amount);
        if (parent != null) {
            parent.add(kind, amount);
        }
    }

    public long get(Kind kind) {
        return values[kind.ordinal()].sum();
    }
}
