package io.wanopt.proxy.follow;

/**
 * What the two appliances of a followed NFS flow tell each other about read-ahead. The appliance
 * next to the client sends {@link Ready} and {@link Done}; the one next to the server sends
 * {@link Call}, {@link Reply} and {@link Dropped}. A {@code Reply} always arrives before the stream
 * bytes it names.
 */
public sealed interface ReadAheadMessage {

    /**
     * The client-side appliance follows the flow as NFS (it decided so on the client's first bytes)
     * and answers the client's READs from read-ahead: the server side may read ahead.
     */
    record Ready() implements ReadAheadMessage {
    }

    /** A READ the server-side appliance sent on the client's behalf: its RPC payload (XID included). */
    record Call(byte[] payload) implements ReadAheadMessage {
    }

    /**
     * The server's reply to read-ahead call {@code xid} is the {@code length} stream bytes starting at
     * {@code streamOffset} (a whole RPC record): they are for the client-side appliance, not the client.
     */
    record Reply(int xid, long streamOffset, int length) implements ReadAheadMessage {
    }

    /** Read-ahead call {@code xid} gets no reply: the file may have changed while it was read. */
    record Dropped(int xid) implements ReadAheadMessage {
    }

    /** The client-side appliance is done with read-ahead call {@code xid}. */
    record Done(int xid, Outcome outcome) implements ReadAheadMessage {
    }

    /** How a read-ahead call ended at the client-side appliance. */
    enum Outcome {
        /** It answered a client READ that came after the data. */
        USED,
        /** It answered a client READ that had to wait for the data: the window is too small. */
        WAITED,
        /** Dropped unused (expired, the file changed, or the client read elsewhere): start again from the client. */
        UNUSED,
        /** Refused: the same READ was already held, or the held bytes would pass max-window. */
        REFUSED,
        /** The client had already sent the same READ to the server when it was announced: the window is too small. */
        ASKED;

        private static final Outcome[] VALUES = values();

        /** The outcome with this {@link #ordinal()}, or null. */
        public static Outcome of(int code) {
            return code >= 0 && code < VALUES.length ? VALUES[code] : null;
        }
    }
}
