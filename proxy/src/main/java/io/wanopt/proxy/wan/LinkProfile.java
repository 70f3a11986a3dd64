package io.wanopt.proxy.wan;

import java.time.Duration;

/**
 * The properties of one emulated WAN link, the same in both directions.
 *
 * <p>Like a real link, the rate is spent on packets, not on payload: each TCP segment of up to
 * {@value #SEGMENT_PAYLOAD_BYTES} bytes also carries {@value #SEGMENT_HEADER_BYTES} bytes of IPv4 and
 * TCP headers, so a bulk transfer gets about 97% of the rate.
 *
 * @param rateBitsPerSecond bottleneck rate of each direction, in bits per second
 * @param rtt round-trip time: each direction delays data by half of it, after serialization
 * @param queueBytes bytes one direction holds (in the bottleneck queue or propagating) before it
 *     stops reading its sender, which TCP flow control then holds back
 */
public record LinkProfile(long rateBitsPerSecond, Duration rtt, long queueBytes) {

    /** Smallest queue {@link #of} gives, so even a short, slow link absorbs a burst of a few packets. */
    private static final long MIN_QUEUE_BYTES = 64 * 1024;
    /** Payload of a full TCP segment on a 1500-byte MTU path. */
    private static final int SEGMENT_PAYLOAD_BYTES = 1460;
    /** IPv4 and TCP headers without options. */
    private static final int SEGMENT_HEADER_BYTES = 40;

    public LinkProfile {
        if (rateBitsPerSecond <= 0) {
            throw new IllegalArgumentException("link rate must be positive, got " + rateBitsPerSecond + " bit/s");
        }
        if (rtt == null || rtt.isNegative()) {
            throw new IllegalArgumentException("round-trip time must be zero or positive, got " + rtt);
        }
        if (queueBytes <= 0) {
            throw new IllegalArgumentException("queue size must be positive, got " + queueBytes + " bytes");
        }
    }

    /**
     * A link with a bounded bottleneck queue of max(64 KiB, 1.5 x bandwidth-delay product): enough
     * to keep the link busy while data propagates, small enough that a fast sender is held back by
     * TCP flow control, as by a router's buffer, instead of queueing without limit.
     */
    public static LinkProfile of(long rateBitsPerSecond, Duration rtt) {
        double bandwidthDelayBytes = rateBitsPerSecond / 8.0 * rtt.toNanos() / 1e9;
        return new LinkProfile(rateBitsPerSecond, rtt, Math.max(MIN_QUEUE_BYTES, (long) (1.5 * bandwidthDelayBytes)));
    }

    /** Time the bottleneck takes to send {@code bytes} of payload with the headers of their segments. */
    long serializationNanos(int bytes) {
        int segments = (bytes + SEGMENT_PAYLOAD_BYTES - 1) / SEGMENT_PAYLOAD_BYTES;
        long wireBytes = bytes + (long) segments * SEGMENT_HEADER_BYTES;
        return (long) (wireBytes * 8e9 / rateBitsPerSecond);
    }
}
