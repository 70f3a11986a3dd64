package io.wanopt.protocols.smb;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A map with a capacity: when full, putting a new key evicts the oldest entry and counts it, so state
 * that a lost message never cleans up cannot grow forever. One per connection; not thread-safe (a Netty
 * event loop owns it).
 *
 * @param <K> the key (MessageId, FileId, SessionId, ...)
 * @param <V> what is remembered
 */
public final class BoundedTable<K, V> {

    private final int capacity;
    private final Map<K, V> entries = new LinkedHashMap<>();
    private long evicted;
    private long unmatched;

    public BoundedTable(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity (" + capacity + ") must be >= 1");
        }
        this.capacity = capacity;
    }

    /** Remembers {@code value} under {@code key} (replacing an entry with the same key), evicting the oldest when full. */
    public void put(K key, V value) {
        if (entries.remove(key) == null && entries.size() == capacity) {
            var oldest = entries.keySet().iterator();
            oldest.next();
            oldest.remove();
            evicted++;
        }
        entries.put(key, value);
    }

    /** The entry under {@code key}, or null; does not count a miss. */
    public V get(K key) {
        return entries.get(key);
    }

    /** Removes and returns the entry under {@code key}, or null, which is counted as {@link #unmatched()}. */
    public V take(K key) {
        V value = entries.remove(key);
        if (value == null) {
            unmatched++;
        }
        return value;
    }

    /** Removes the entry under {@code key}, if any, without counting a miss. */
    public V remove(K key) {
        return entries.remove(key);
    }

    /** Removes every entry whose value matches. */
    public void removeIf(Predicate<V> filter) {
        entries.values().removeIf(filter);
    }

    public int size() {
        return entries.size();
    }

    public int capacity() {
        return capacity;
    }

    /** Entries dropped because the table was full. */
    public long evicted() {
        return evicted;
    }

    /** {@link #take} calls that found nothing. */
    public long unmatched() {
        return unmatched;
    }
}
