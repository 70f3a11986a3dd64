package io.wanopt.proxy.wan;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of one direction of a {@link WanEmulator}, summed over its connections. Updated on the
 * event loops, read from any thread.
 */
final class LinkCounters {

    private final AtomicLong forwardedBytes = new AtomicLong();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong maxQueuedBytes = new AtomicLong();

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
