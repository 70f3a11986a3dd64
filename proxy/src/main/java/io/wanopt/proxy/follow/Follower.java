package io.wanopt.proxy.follow;

import io.netty.buffer.ByteBuf;
import java.util.Optional;

/**
 * Follows a file protocol on one flow: it hands what the LAN side sends to the flow's encoder (file
 * data cut at file offsets) and watches what the flow writes to the LAN side. Confined to the flow's
 * event loop.
 */
public interface Follower {

    /** Bytes read from the LAN (they stay the caller's): encoded, and the batches sent. */
    void fromLan(ByteBuf data);

    /** The LAN side sent FIN: bytes held for a frame it never finished go on as they are. */
    void lanInputEnded();

    /** Bytes from the far appliance (ownership passes): observed and written to the LAN. */
    void toLan(ByteBuf data);

    /** Whether the flow turned out to carry the protocol and is still followed. */
    boolean following();

    /** The protocol's name, for logs. */
    String protocol();

    /** One line per file whose data this side encoded; empty if none. */
    String filesSummary();

    /** The file whose data this side encoded most recently, if any. */
    Optional<FlowFile> latestFile();

    /** Releases what is held. */
    void close();
}
