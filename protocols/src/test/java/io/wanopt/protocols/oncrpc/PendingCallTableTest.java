package io.wanopt.protocols.oncrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PendingCallTableTest {

    @Test
    void matchesRepliesToCallsOnce() {
        PendingCallTable<String> table = new PendingCallTable<>(4);
        table.put(1, "READ");
        table.put(2, "WRITE");
        assertEquals("WRITE", table.take(2));
        assertNull(table.take(2));
        assertEquals(1, table.unmatched());
        assertEquals(1, table.size());
    }

    @Test
    void evictsTheOldestWhenFullAndCountsIt() {
        PendingCallTable<String> table = new PendingCallTable<>(2);
        table.put(1, "a");
        table.put(2, "b");
        table.put(3, "c");
        assertEquals(1, table.evicted());
        assertNull(table.take(1));
        assertEquals("b", table.take(2));
        assertEquals("c", table.take(3));
    }

    @Test
    void aRetransmissionReplacesWithoutEvicting() {
        PendingCallTable<String> table = new PendingCallTable<>(2);
        table.put(1, "a");
        table.put(2, "b");
        table.put(1, "a again");
        assertEquals(0, table.evicted());
        assertEquals("a again", table.take(1));
    }

    @Test
    void needsRoomForOneCall() {
        assertThrows(IllegalArgumentException.class, () -> new PendingCallTable<String>(0));
    }
}
