package io.wanopt.proxy.follow;

import io.netty.buffer.ByteBuf;
import io.wanopt.cache.codec.EncodedBatch;
import java.util.List;

/** What a follower does to its flow besides observing it. Called on the flow's event loop. */
public interface FollowedFlow {

    /** Sends encoded batches to the far appliance. */
    void send(List<EncodedBatch> batches);

    /** Writes bytes of the stream from the far appliance to the LAN; ownership passes. */
    void writeStream(ByteBuf bytes);

    /** {@code length} bytes of the stream from the far appliance were taken off it (read-ahead replies). */
    void tookStream(int length);

    /** Writes a whole RPC record of the appliance's own to the LAN, between the stream's records; ownership passes. */
    void writeRecord(ByteBuf record);

    /** Whether records of the appliance's own may still be written to the LAN (its output is not shut). */
    boolean acceptsRecords();

    /**
     * Reserves room under the appliance's memory cap for {@code bytes} the follower holds outside the
     * flow's window (read-ahead replies); false when there is none.
     */
    boolean tryHold(long bytes);

    /** Gives back room taken with {@link #tryHold}. */
    void released(long bytes);

    /** Tells the far appliance about read-ahead, ahead of the flow's queued data. */
    void tell(ReadAheadMessage message);

    /** Runs {@code task} on the flow's event loop (from any thread), also after the flow ended. */
    void execute(Runnable task);

    /** Ends the flow with a reset on both sides. */
    void fail(String reason);
}
