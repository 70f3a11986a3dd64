package io.wanopt.proxy.follow;

import io.wanopt.protocols.smb.FrameKind;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What an appliance's protocol followers did, summed over flows: how many flows were followed,
 * how much file data was cut at file offsets, and what was passed on as generic bytes, by reason.
 * Updated on the flows' event loops, read from any thread.
 */
public final class FollowCounters {

    private final AtomicLong followedFlows = new AtomicLong();
    private final AtomicLong smbFlows = new AtomicLong();
    /** SMB frames seen, by {@link FrameKind}. */
    private final AtomicLongArray smbFrames = new AtomicLongArray(FrameKind.values().length);
    private final AtomicLong alignedBytes = new AtomicLong();
    private final AtomicLong slicedBytes = new AtomicLong();
    private final AtomicLong notUnderstoodRecords = new AtomicLong();
    private final AtomicLong malformedRecords = new AtomicLong();
    private final AtomicLong flowsGivenUp = new AtomicLong();
    private final AtomicLong readAheadCalls = new AtomicLong();
    private final AtomicLong readAheadCalledBytes = new AtomicLong();
    private final AtomicLong readAheadDropped = new AtomicLong();
    private final AtomicLong readAheadReceivedBytes = new AtomicLong();
    private final AtomicLong readsAnswered = new AtomicLong();
    private final AtomicLong readsAnsweredBytes = new AtomicLong();
    private final AtomicLong readsWaited = new AtomicLong();
    private final AtomicLong readAheadDiscardedBytes = new AtomicLong();
    private final AtomicLong readAheadInvalidations = new AtomicLong();
    private final AtomicLong smartReadMaps = new AtomicLong();
    private final AtomicLong smartReadMapFailures = new AtomicLong();
    private final AtomicLong smartReadMapReadBytes = new AtomicLong();
    private final AtomicLong freeBytesZeroed = new AtomicLong();
    private final AtomicLong storageReadsSkipped = new AtomicLong();
    private final AtomicLong storageReadsSkippedBytes = new AtomicLong();

    void followed() {
        followedFlows.incrementAndGet();
    }

    void smbFollowed() {
        smbFlows.incrementAndGet();
    }

    void smbFrame(FrameKind kind) {
        smbFrames.incrementAndGet(kind.ordinal());
    }

    void alignedBytes(long bytes) {
        alignedBytes.addAndGet(bytes);
    }

    void slicedBytes(long bytes) {
        slicedBytes.addAndGet(bytes);
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

    void readAheadCalled(long count) {
        readAheadCalls.incrementAndGet();
        readAheadCalledBytes.addAndGet(count);
    }

    void readAheadStale() {
        readAheadDropped.incrementAndGet();
    }

    void readAheadReceived(long count) {
        readAheadReceivedBytes.addAndGet(count);
    }

    void readAheadAnswered(long count, boolean waited) {
        readsAnswered.incrementAndGet();
        readsAnsweredBytes.addAndGet(count);
        if (waited) {
            readsWaited.incrementAndGet();
        }
    }

    void readAheadDiscarded(long count) {
        readAheadDiscardedBytes.addAndGet(count);
    }

    void readAheadInvalidated() {
        readAheadInvalidations.incrementAndGet();
    }

    void smartReadMapped(boolean built) {
        (built ? smartReadMaps : smartReadMapFailures).incrementAndGet();
    }

    void smartReadMapRead(long bytes) {
        smartReadMapReadBytes.addAndGet(bytes);
    }

    void freeBytesZeroed(long bytes) {
        freeBytesZeroed.addAndGet(bytes);
    }

    void storageReadSkipped(long bytes) {
        storageReadsSkipped.incrementAndGet();
        storageReadsSkippedBytes.addAndGet(bytes);
    }

    /** Flows whose client opened with an RPC call. */
    public long followedFlows() {
        return followedFlows.get();
    }

    /** Flows whose client opened with an SMB frame. */
    public long smbFlows() {
        return smbFlows.get();
    }

    /** SMB frames of {@code kind} seen (both directions): encrypted, compressed and SMB1 ones pass through untouched. */
    public long smbFrames(FrameKind kind) {
        return smbFrames.get(kind.ordinal());
    }

    /** READ and WRITE data bytes cut at multiples of their file offset. */
    public long alignedBytes() {
        return alignedBytes.get();
    }

    /** File data bytes sent as slices of whole file chunks sent before (reads and writes of part of a chunk). */
    public long slicedBytes() {
        return slicedBytes.get();
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

    /** READs this appliance sent to a server ahead of its clients (next to the server). */
    public long readAheadCalls() {
        return readAheadCalls.get();
    }

    /** Bytes those READs asked for. */
    public long readAheadCalledBytes() {
        return readAheadCalledBytes.get();
    }

    /** Read-ahead replies not sent on because a call that may change files went to the server meanwhile. */
    public long readAheadDropped() {
        return readAheadDropped.get();
    }

    /** Bytes asked for by read-ahead whose replies arrived here (next to the client). */
    public long readAheadReceivedBytes() {
        return readAheadReceivedBytes.get();
    }

    /** Client READs answered from read-ahead (next to the client). */
    public long readsAnswered() {
        return readsAnswered.get();
    }

    /** Bytes those READs asked for. */
    public long readsAnsweredBytes() {
        return readsAnsweredBytes.get();
    }

    /** Client READs answered from read-ahead that had to wait for its reply. */
    public long readsWaited() {
        return readsWaited.get();
    }

    /** Bytes of read-ahead dropped unused: expired, the file changed, or the client read elsewhere. */
    public long readAheadDiscardedBytes() {
        return readAheadDiscardedBytes.get();
    }

    /** Times held read-ahead was dropped because a call may change a file or a reply showed a new version. */
    public long readAheadInvalidations() {
        return readAheadInvalidations.get();
    }

    /** VM disk file versions mapped by SmartRead (next to the storage). */
    public long smartReadMaps() {
        return smartReadMaps.get();
    }

    /** VM disk file versions SmartRead could not map (unsupported, malformed, changed or timed out): sent as they are. */
    public long smartReadMapFailures() {
        return smartReadMapFailures.get();
    }

    /** Bytes this appliance read from servers to map VM disks (its own READs, not sent across). */
    public long smartReadMapReadBytes() {
        return smartReadMapReadBytes.get();
    }

    /** Bytes of guest-free blocks sent as zeros ({@code smartread.unused-blocks = zero}). */
    public long freeBytesZeroed() {
        return freeBytesZeroed.get();
    }

    /** READs ahead answered with zeros without reading the server ({@code smartread.skip-storage-reads}). */
    public long storageReadsSkipped() {
        return storageReadsSkipped.get();
    }

    /** Bytes those READs asked for. */
    public long storageReadsSkippedBytes() {
        return storageReadsSkippedBytes.get();
    }

    @Override
    public String toString() {
        return "nfs flows " + followedFlows() + ", smb flows " + smbFlows() + " (frames: SMB2 "
                + smbFrames(FrameKind.SMB2) + ", encrypted " + smbFrames(FrameKind.ENCRYPTED) + ", compressed "
                + smbFrames(FrameKind.COMPRESSED) + ", SMB1 " + smbFrames(FrameKind.SMB1) + "), file-aligned "
                + alignedBytes() + " bytes (" + slicedBytes() + " as slices), records not understood "
                + notUnderstoodRecords() + ", malformed " + malformedRecords() + ", flows given up " + flowsGivenUp()
                + "; read-ahead: " + readAheadCalls() + " READs sent ahead (" + readAheadCalledBytes() + " bytes), "
                + readAheadDropped() + " dropped; " + readsAnswered() + " client READs answered here ("
                + readsAnsweredBytes() + " bytes, " + readsWaited() + " waited), " + readAheadDiscardedBytes()
                + " bytes unused, " + readAheadInvalidations() + " invalidations; smartread: " + smartReadMaps()
                + " VM disks mapped (" + smartReadMapFailures() + " not, " + smartReadMapReadBytes() + " bytes read), "
                + freeBytesZeroed() + " guest-free bytes sent as zeros, " + storageReadsSkipped() + " READs ("
                + storageReadsSkippedBytes() + " bytes) answered without the server";
    }
}
