package io.wanopt.proxy.follow;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What an appliance's protocol followers did, summed over flows: how many flows were followed,
 * how much file data was cut at file offsets, and what was passed on as generic bytes, by reason.
 * Updated on the flows' event loops, read from any thread.
 */
public final class FollowCounters {

    private final AtomicLong followedFlows = new AtomicLong();
    private final AtomicLong alignedBytes = new AtomicLong();
    private final AtomicLong notUnderstoodRecords = new AtomicLong();
    private final AtomicLong malformedRecords = new AtomicLong();
    private final AtomicLong flowsGivenUp = new AtomicLong();

    void followed() {
        followedFlows.incrementAndGet();
    }

    void alignedBytes(long bytes) {
        alignedBytes.addAndGet(bytes);
    }

    void notUnderstood() {
        notUnderstoodRecords.incrementAndGet();
    }

    void malformed() {
        malformedRecords.incrementAndGet();
    }

    void gaveUp() {
        flowsGivenUp.incrementAndGet();
    }

    /** Flows whose client opened with an RPC call. */
    public long followedFlows() {
        return followedFlows.get();
    }

    /** READ and WRITE data bytes cut at multiples of their file offset. */
    public long alignedBytes() {
        return alignedBytes.get();
    }

    /** Records of programs, versions or procedures not followed (passed on as generic bytes). */
    public long notUnderstoodRecords() {
        return notUnderstoodRecords.get();
    }

    /** Records whose RPC or NFS encoding broke the rules or a cap (passed on as generic bytes). */
    public long malformedRecords() {
        return malformedRecords.get();
    }

    /** Flows whose record marking broke (or a record exceeded max-record-size): generic bytes from then on. */
    public long flowsGivenUp() {
        return flowsGivenUp.get();
    }

    @Override
    public String toString() {
        return "nfs flows " + followedFlows() + ", file-aligned " + alignedBytes() + " bytes, records not understood "
                + notUnderstoodRecords() + ", malformed " + malformedRecords() + ", flows given up " + flowsGivenUp();
    }
}
