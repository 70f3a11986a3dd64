package io.wanopt.proxy;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The appliance-wide cap on buffered LAN bytes ({@code wanopt.memory.max-buffered}). Senders reserve
 * what they have in flight to a peer, receivers the windows they grant. A flow blocked by the cap
 * parks a wake-up here and is woken when bytes are released: backpressure instead of buffering.
 */
public final class MemoryBudget {

    private final long capacity;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final Queue<Runnable> waiters = new ConcurrentLinkedQueue<>();

    public MemoryBudget(long capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        this.capacity = capacity;
    }

    public long capacity() {
        return capacity;
    }

    /** Bytes reserved now. */
    public long used() {
        return used.get();
    }

    /** Most bytes reserved at any time since start. */
    public long peak() {
        return peak.get();
    }

    /**
     * Whether {@code bytes} more would fit under the cap; when not, {@code wakeUp} runs once room is
     * released. (A reader asks for the size of one read before reading, then reserves what it got.)
     */
    public boolean hasRoom(long bytes, Runnable wakeUp) {
        if (used.get() + bytes <= capacity) {
            return true;
        }
        waiters.add(wakeUp);
        // A release between the check and the add would have missed this waiter.
        if (used.get() + bytes <= capacity) {
            wakeWaiters();
        }
        return false;
    }

    /** Reserves {@code bytes} if they fit under the cap. */
    public boolean tryReserve(long bytes) {
        while (true) {
            long now = used.get();
            if (now + bytes > capacity) {
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                peak.accumulateAndGet(now + bytes, Math::max);
                return true;
            }
        }
    }

    /** Reserves {@code bytes} even past the cap (a flow's minimum window, or bytes already read). */
    public void reserve(long bytes) {
        long now = used.addAndGet(bytes);
        peak.accumulateAndGet(now, Math::max);
    }

    public void release(long bytes) {
        if (bytes == 0) {
            return;
        }
        used.addAndGet(-bytes);
        wakeWaiters();
    }

    private void wakeWaiters() {
        Runnable waiter;
        while ((waiter = waiters.poll()) != null) {
            waiter.run();
        }
    }
}
