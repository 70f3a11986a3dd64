package io.wanopt.protocols.oncrpc;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Calls awaiting their replies, by XID, so a reply (which does not say what it answers) can be decoded
 * with its call's program, procedure and arguments. Bounded: when full, the oldest call is evicted and
 * counted (a lost or never-answered call must not grow the table forever). A call sent again with the
 * same XID (a retransmission) replaces the first. One table per connection; not thread-safe (a Netty
 * event loop owns it).
 *
 * @param <T> what is remembered of a call
 */
public final class PendingCallTable<T> {

    private final int maxCalls;
    private final Map<Integer, T> calls = new LinkedHashMap<>();
    private long evicted;
    private long unmatched;

    public PendingCallTable(int maxCalls) {
        if (maxCalls < 1) {
            throw new IllegalArgumentException("maxCalls (" + maxCalls + ") must be >= 1");
        }
        this.maxCalls = maxCalls;
    }

    /** Remembers {@code call} under {@code xid}, evicting the oldest call when the table is full. */
    public void put(int xid, T call) {
        if (calls.remove(xid) == null && calls.size() == maxCalls) {
            var oldest = calls.keySet().iterator();
            oldest.next();
            oldest.remove();
            evicted++;
        }
        calls.put(xid, call);
    }

    /** Removes and returns the call with {@code xid}, or null (counted as unmatched) when there is none. */
    public T take(int xid) {
        T call = calls.remove(xid);
        if (call == null) {
            unmatched++;
        }
        return call;
    }

    /** Whether a call with {@code xid} is waiting for its reply. */
    public boolean contains(int xid) {
        return calls.containsKey(xid);
    }

    /** Calls waiting now. */
    public int size() {
        return calls.size();
    }

    public int maxCalls() {
        return maxCalls;
    }

    /** Calls dropped because the table was full. */
    public long evicted() {
        return evicted;
    }

    /** {@link #take} calls that found no call. */
    public long unmatched() {
        return unmatched;
    }
}
