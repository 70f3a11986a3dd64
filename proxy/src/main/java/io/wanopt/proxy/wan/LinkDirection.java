package io.wanopt.proxy.wan;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One direction of a connection over an emulated link: what is read from {@code source} leaves the
 * link's shared bottleneck at max(now, link free) + size / rate, arrives half a round trip later and is then
 * written to {@code destination}, in order. An end of the source (FIN or close) travels behind the
 * data read before it.
 *
 * <p>Reads are bounded: the source is read one buffer at a time (auto-read is off) and not at all
 * while more than the profile's queue is held, until written-out data brings it below half. Bytes
 * count as queued from their read until the destination socket took them, so a receiver that reads
 * nothing stalls the sender as well. Confined to the connection's event loop.
 */
final class LinkDirection {

    private enum End { SHUTDOWN_OUTPUT, CLOSE }

    /** Data ({@code end} null) or an end of the source, due at the receiver at {@code deliverAtNanos}. */
    private record Delivery(ByteBuf data, End end, long deliverAtNanos) {
    }

    private final RelayedConnection connection;
    private final Channel source;
    private final Channel destination;
    private final LinkProfile profile;
    private final LongSupplier nanoTime;
    private final Bottleneck bottleneck;
    private final long halfRttNanos;
    private final ArrayDeque<Delivery> inFlight = new ArrayDeque<>();
    private long queuedBytes;
    private boolean reading;
    private boolean paused;
    private boolean shutdownSent;
    private boolean closeSent;
    private boolean destinationGone;
    private ScheduledFuture<?> releaseTimer;

    LinkDirection(RelayedConnection connection, Channel source, Channel destination, LinkProfile profile,
            LongSupplier nanoTime, Bottleneck bottleneck) {
        this.connection = connection;
        this.source = source;
        this.destination = destination;
        this.profile = profile;
        this.nanoTime = nanoTime;
        this.bottleneck = bottleneck;
        this.halfRttNanos = profile.rtt().toNanos() / 2;
    }

    /** Starts reading the source: the connection is up at both ends. */
    void start() {
        if (!destinationGone && !shutdownSent && !closeSent) {
            reading = true;
            source.read();
        }
    }

    void onRead(ByteBuf data) {
        if (destinationGone) {
            data.release();
            return;
        }
        int size = data.readableBytes();
        long departure = bottleneck.depart(nanoTime.getAsLong(), size);
        queuedBytes += size;
        bottleneck.queued(size, queuedBytes);
        if (queuedBytes > profile.queueBytes()) {
            paused = true;
        }
        enqueue(new Delivery(data, null, departure + halfRttNanos));
    }

    void onReadComplete() {
        if (reading && !paused) {
            source.read();
        }
    }

    /** The source half-closed (FIN): the destination's output is shut down behind the data. */
    void onSourceShutdown() {
        if (!shutdownSent && !closeSent) {
            shutdownSent = true;
            reading = false;
            enqueueEnd(End.SHUTDOWN_OUTPUT);
        }
    }

    /** The source closed: the connection is closed once the data read before reached the destination. */
    void onSourceClosed() {
        if (!closeSent && !destinationGone) {
            closeSent = true;
            reading = false;
            enqueueEnd(End.CLOSE);
        }
    }

    /** The destination closed: nothing more can reach it, so what is held is dropped. */
    void onDestinationClosed() {
        destinationGone = true;
        reading = false;
        if (releaseTimer != null) {
            releaseTimer.cancel(false);
            releaseTimer = null;
        }
        Delivery dropped;
        while ((dropped = inFlight.poll()) != null) {
            if (dropped.data != null) {
                int size = dropped.data.readableBytes();
                dropped.data.release();
                dequeued(size, false);
            }
        }
    }

    private void enqueueEnd(End end) {
        enqueue(new Delivery(null, end, bottleneck.freeAt(nanoTime.getAsLong()) + halfRttNanos));
    }

    private void enqueue(Delivery delivery) {
        inFlight.add(delivery);
        if (releaseTimer == null) {
            scheduleRelease();
        }
    }

    private void scheduleRelease() {
        Delivery head = inFlight.peek();
        if (head != null) {
            long delay = head.deliverAtNanos - nanoTime.getAsLong();
            releaseTimer = source.eventLoop().schedule(this::release, delay, TimeUnit.NANOSECONDS);
        }
    }

    /** Writes everything that is due, in order; delivery times only grow, so the head is due first. */
    private void release() {
        releaseTimer = null;
        long now = nanoTime.getAsLong();
        Delivery due;
        while ((due = inFlight.peek()) != null && due.deliverAtNanos <= now) {
            inFlight.poll();
            if (due.data != null) {
                int size = due.data.readableBytes();
                destination.write(due.data).addListener((ChannelFuture written) -> dequeued(size, written.isSuccess()));
            } else {
                End end = due.end;
                // An empty write completes after everything written before it, so the end follows the data.
                destination.writeAndFlush(Unpooled.EMPTY_BUFFER)
                        .addListener((ChannelFuture written) -> connection.endDelivered(this, end == End.CLOSE));
            }
        }
        destination.flush();
        scheduleRelease();
    }

    private void dequeued(int size, boolean delivered) {
        queuedBytes -= size;
        bottleneck.dequeued(size, delivered);
        if (paused && queuedBytes < profile.queueBytes() / 2) {
            paused = false;
            if (reading) {
                source.read();
            }
        }
    }

    Channel destination() {
        return destination;
    }
}
