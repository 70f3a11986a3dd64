package io.wanopt.proxy.follow;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.wanopt.cache.codec.EncodedBatch;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/** A flow for follower tests: keeps what the follower sent, wrote and told, in order. */
final class RecordingFlow implements FollowedFlow {

    /** Encoded batches sent to the far appliance (released by the test). */
    final List<EncodedBatch> batches;
    /** Stream bytes written to the LAN. */
    final ByteArrayOutputStream stream = new ByteArrayOutputStream();
    /** Records of the appliance's own written to the LAN. */
    final List<byte[]> records = new ArrayList<>();
    final List<ReadAheadMessage> told = new ArrayList<>();
    final List<String> failures = new ArrayList<>();
    long took;
    /** Bytes held under the memory cap now. */
    long held;
    /** The memory cap: {@link #tryHold} refuses what would go over it. */
    long holdCap = Long.MAX_VALUE;
    boolean acceptsRecords = true;
    /** Tasks handed to the flow's event loop, run by {@link #runTasks}. */
    final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();

    RecordingFlow(List<EncodedBatch> batches) {
        this.batches = batches;
    }

    @Override
    public void send(List<EncodedBatch> sent) {
        batches.addAll(sent);
    }

    @Override
    public void writeStream(ByteBuf bytes) {
        stream.writeBytes(ByteBufUtil.getBytes(bytes));
        bytes.release();
    }

    @Override
    public void tookStream(int length) {
        took += length;
    }

    @Override
    public void writeRecord(ByteBuf record) {
        records.add(ByteBufUtil.getBytes(record));
        record.release();
    }

    @Override
    public boolean acceptsRecords() {
        return acceptsRecords;
    }

    @Override
    public boolean tryHold(long bytes) {
        if (held + bytes > holdCap) {
            return false;
        }
        held += bytes;
        return true;
    }

    @Override
    public void released(long bytes) {
        held -= bytes;
    }

    @Override
    public void tell(ReadAheadMessage message) {
        told.add(message);
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    /** Runs the tasks handed to the event loop so far, as the event loop would. */
    void runTasks() {
        for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
            task.run();
        }
    }

    @Override
    public void fail(String reason) {
        failures.add(reason);
    }
}
