package io.wanopt.proxy.tunnel;

/**
 * Tunnel frame types. Every frame is {@code u32 length, u8 type, payload}; flow frames start their
 * payload with the {@code u32} flow id. Frames of one flow are sent and handled in order.
 */
final class FrameType {

    /** u8 protocol version, u16+UTF-8 appliance id, 16-byte store epoch. First frame each way. */
    static final int HELLO = 1;
    /**
     * flow id, u16+UTF-8 target host, u16 target port, u8 length (0, 4 or 16) and bytes of the client's
     * address: open a LAN connection on the far side.
     */
    static final int OPEN = 2;
    /** flow id, batch body ({@code io.wanopt.cache.codec.BatchFormat}). */
    static final int DATA = 3;
    /** flow id: the sender's LAN side sent FIN; no DATA follows. */
    static final int FIN = 4;
    /** flow id, u16+UTF-8 reason: the flow is aborted; reset the LAN connection. */
    static final int RESET = 5;
    /**
     * flow id, u32 written, u32 growth: the receiver wrote {@code written} more LAN bytes (the sender
     * may drop what it pinned for them) and the sender may send {@code written + growth} more.
     */
    static final int CREDIT = 6;
    /** flow id, 32-byte chunk id: the receiver lacks a referenced chunk. */
    static final int CHUNK_REQUEST = 7;
    /** flow id, 32-byte chunk id, chunk bytes: answer to CHUNK_REQUEST. */
    static final int CHUNK_DATA = 8;
    /** u64 sender's clock in ns. */
    static final int PING = 9;
    /** u64 the PING's value echoed. */
    static final int PONG = 10;
    /** flow id, RPC payload of a READ the server-side appliance sent ahead of the client. */
    static final int READ_AHEAD_CALL = 11;
    /** flow id, u32 xid, u64 stream offset, u32 length: where the reply to read-ahead call xid lies in the stream. */
    static final int READ_AHEAD_REPLY = 12;
    /** flow id, u32 xid: read-ahead call xid gets no reply. */
    static final int READ_AHEAD_DROPPED = 13;
    /** flow id, u32 xid, u8 outcome: the client-side appliance is done with read-ahead call xid. */
    static final int READ_AHEAD_DONE = 14;
    /**
     * flow id: the client-side appliance follows the flow as NFS and answers its client's READs from
     * read-ahead, so the server side may read ahead.
     */
    static final int READ_AHEAD_READY = 15;
    /**
     * chunk ids, 32 bytes each: the sender holds these chunks (an admin seeded them), so the
     * receiver may send them as references. A wrong claim costs only a repair.
     */
    static final int HAVE = 16;

    /** Version of this frame set, exchanged in HELLO (3: OPEN names the client's address; 4: HAVE). */
    static final int PROTOCOL_VERSION = 4;

    private FrameType() {
    }

    /** Whether frames of {@code type} belong to a flow (their payload starts with the flow id). */
    static boolean isFlowFrame(int type) {
        return type >= OPEN && type <= CHUNK_DATA || type >= READ_AHEAD_CALL && type <= READ_AHEAD_READY;
    }
}
