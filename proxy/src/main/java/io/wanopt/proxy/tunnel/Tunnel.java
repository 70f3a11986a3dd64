package io.wanopt.proxy.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.wanopt.cache.codec.LiteralCodec;
import io.wanopt.cache.store.PeerKnowledge;
import io.wanopt.proxy.TrafficCounters;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One authenticated connection to a peer, carrying many flows.
 *
 * <p>Flow frames (DATA, FIN) go through per-flow queues served round-robin while the channel is
 * writable, so one bulk flow cannot bury another's request behind seconds of queued data, and the
 * queue in the socket stays short. Control frames (credits, repairs, pings) skip the queues. All
 * queue state is confined to the channel's event loop.
 */
final class Tunnel {

    private final Channel channel;
    private final String peerId;
    private final PeerKnowledge knowledge;
    private final LiteralCodec literalCodec;
    private final TrafficCounters counters;
    private final Map<Integer, Flow> flows = new ConcurrentHashMap<>();
    private final AtomicInteger nextFlowId;
    private final ArrayDeque<Flow> ready = new ArrayDeque<>();
    private final Map<Flow, ArrayDeque<ByteBuf>> queues = new HashMap<>();
    volatile long rttNanos = -1;
    volatile long lastReceivedNanos;

    /**
     * @param dialer whether this side dialled; dialled-side flows get even ids, accepted-side odd, so
     *     both ends can open flows without colliding
     */
    Tunnel(Channel channel, String peerId, PeerKnowledge knowledge, LiteralCodec literalCodec,
            TrafficCounters counters, boolean dialer, long nowNanos) {
        this.channel = channel;
        this.peerId = peerId;
        this.knowledge = knowledge;
        this.literalCodec = literalCodec;
        this.counters = counters;
        this.nextFlowId = new AtomicInteger(dialer ? 2 : 1);
        this.lastReceivedNanos = nowNanos;
    }

    String peerId() {
        return peerId;
    }

    PeerKnowledge knowledge() {
        return knowledge;
    }

    LiteralCodec literalCodec() {
        return literalCodec;
    }

    TrafficCounters counters() {
        return counters;
    }

    ByteBufAllocator alloc() {
        return channel.alloc();
    }

    Channel channel() {
        return channel;
    }

    int flowCount() {
        return flows.size();
    }

    /** The flows open now (a copy). */
    List<Flow> openFlows() {
        return List.copyOf(flows.values());
    }

    int nextFlowId() {
        return nextFlowId.getAndAdd(2);
    }

    void register(Flow flow) {
        flows.put(flow.id, flow);
    }

    /**
     * Removes a flow. After a clean end its last frames (a FIN queued just before) still go out:
     * the queue is dropped once drained. After an abort they are discarded.
     */
    void unregister(Flow flow, boolean discardQueued) {
        flows.remove(flow.id, flow);
        onLoop(() -> {
            ArrayDeque<ByteBuf> queue = queues.get(flow);
            if (queue == null) {
                return;
            }
            if (discardQueued || queue.isEmpty()) {
                queues.remove(flow);
                queue.forEach(ByteBuf::release);
                ready.remove(flow);
            }
        });
    }

    /** Runs on the channel's loop, or here when that loop has already stopped (appliance shutdown). */
    private void onLoop(Runnable task) {
        try {
            channel.eventLoop().execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    Flow flow(int id) {
        return flows.get(id);
    }

    /** Queues a flow's DATA or FIN frame behind its earlier ones. Ownership of {@code frame} passes here. */
    void enqueue(Flow flow, ByteBuf frame) {
        onLoop(() -> {
            // A flow may end right after queuing its last frames, so it is not looked up here.
            if (!channel.isActive()) {
                frame.release();
                return;
            }
            ArrayDeque<ByteBuf> queue = queues.computeIfAbsent(flow, f -> new ArrayDeque<>());
            if (queue.isEmpty()) {
                ready.add(flow);
            }
            queue.add(frame);
            drain();
        });
    }

    /** Sends a control frame ahead of queued data. Ownership of {@code frame} passes here. */
    void sendControl(ByteBuf frame) {
        channel.writeAndFlush(frame, channel.voidPromise());
    }

    /** Writes queued flow frames round-robin while the channel takes them. */
    void drain() {
        boolean wrote = false;
        while (channel.isWritable() && !ready.isEmpty()) {
            Flow flow = ready.poll();
            ArrayDeque<ByteBuf> queue = queues.get(flow);
            if (queue == null || queue.isEmpty()) {
                continue;
            }
            channel.write(queue.poll(), channel.voidPromise());
            wrote = true;
            if (!queue.isEmpty()) {
                ready.add(flow);
            } else if (!flows.containsKey(flow.id)) {
                queues.remove(flow);
            }
        }
        if (wrote) {
            channel.flush();
        }
    }

    /** Resets every flow's LAN side and waits (briefly) until done: the appliance is stopping. */
    void resetFlows(String why) {
        List<Future<?>> resets = new ArrayList<>();
        for (Flow flow : flows.values()) {
            resets.add(flow.executor.submit(() -> flow.abort(why, true)));
        }
        for (Future<?> reset : resets) {
            try {
                reset.get(2, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // Stopping anyway; the channel close below resets what is left.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The connection is gone: every flow on it is reset on its LAN side. */
    void closed(String why) {
        for (Flow flow : flows.values()) {
            flow.executor.execute(() -> flow.tunnelLost(why));
        }
        onLoop(() -> {
            queues.values().forEach(queue -> queue.forEach(ByteBuf::release));
            queues.clear();
            ready.clear();
        });
    }
}
