package io.wanopt.proxy.wan;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One direction of a {@link WanEmulator}'s link, shared by all its connections: the time the
 * bottleneck is next free, and counters summed over the connections. Used from the connections'
 * event loops (several, hence the lock and atomics), read from any thread.
 */
final class Bottleneck {

    private final LinkProfile profile;
    private long freeAtNanos;

    private final AtomicLong forwardedBytes = new AtomicLong();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong maxQueuedBytes = new AtomicLong();

    Bottleneck(LinkProfile profile, long nowNanos) {
        this.profile = profile;
        this.freeAtNanos = nowNanos;
    }

    /** Puts {@code bytes} on the link at {@code nowNanos}; returns when they have left it, behind all before them. */
    synchronized long depart(long nowNanos, int bytes) {
        freeAtNanos = Math.max(nowNanos, freeAtNanos) + profile.serializationNanos(bytes);
        return freeAtNanos;
    }

    /** When the bottleneck is free again: an end of stream leaves behind every byte before it. */
    synchronized long freeAt(long nowNanos) {
        return Math.max(nowNanos, freeAtNanos);
    }

    /** Bytes one connection took in; {@code connectionQueued} is that connection's queue after it. */
    void queued(int bytes, long connectionQueued) {
        queuedBytes.addAndGet(bytes);
        maxQueuedBytes.accumulateAndGet(connectionQueued, Math::max);
    }

    /** Bytes that left the queue: written to the receiver when {@code delivered}, dropped otherwise. */
    void dequeued(int bytes, boolean delivered) {
        queuedBytes.addAndGet(-bytes);
        if (delivered) {
            forwardedBytes.addAndGet(bytes);
        }
    }

    long forwardedBytes() {
        return forwardedBytes.get();
    }

    long queuedBytes() {
        return queuedBytes.get();
    }

    long maxQueuedBytes() {
        return maxQueuedBytes.get();
    }
}
