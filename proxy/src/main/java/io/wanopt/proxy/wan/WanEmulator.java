package io.wanopt.proxy.wan;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A user-space WAN link for tests and demos: a TCP relay from a listen address to a target that
 * gives each direction of each connection the profile's rate (a bottleneck that serializes data)
 * and half its round-trip time (propagation), with a bounded queue, so senders see the throughput,
 * latency and back-pressure of a real long, thin link without root or {@code tc netem}.
 *
 * <p>Each connection is relayed by a {@link RelayedConnection}; see there for connection setup and
 * close, and {@link LinkDirection} for the pacing and the queue bound. Needs an NIO event loop group
 * (e.g. {@code MultiThreadIoEventLoopGroup} with {@code NioIoHandler}). Counters are summed over
 * connections and may be read from any thread.
 */
public final class WanEmulator implements AutoCloseable {

    /** The way data flows through the emulator. */
    public enum Direction { CLIENT_TO_TARGET, TARGET_TO_CLIENT }

    /** Largest single read: a piece takes at most 13 ms on a 10 Mbit/s link, which keeps pacing smooth. */
    private static final int MAX_READ_BYTES = 16 * 1024;
    private static final int MIN_READ_BYTES = 64;
    private static final int INITIAL_READ_BYTES = 2048;

    private final EventLoopGroup group;
    private final InetSocketAddress listen;
    private final InetSocketAddress target;
    private final LinkProfile profile;
    private final LongSupplier nanoTime;
    private final Map<Direction, LinkCounters> counters = new EnumMap<>(Direction.class);
    private final ChannelGroup relayedChannels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private Channel serverChannel;

    public WanEmulator(EventLoopGroup group, InetSocketAddress listen, InetSocketAddress target, LinkProfile profile) {
        this(group, listen, target, profile, System::nanoTime);
    }

    /** As above, timing deliveries by {@code nanoTime} (a monotonic nanosecond clock). */
    public WanEmulator(EventLoopGroup group, InetSocketAddress listen, InetSocketAddress target, LinkProfile profile,
            LongSupplier nanoTime) {
        this.group = group;
        this.listen = listen;
        this.target = target;
        this.profile = profile;
        this.nanoTime = nanoTime;
        for (Direction direction : Direction.values()) {
            counters.put(direction, new LinkCounters());
        }
    }

    /** Binds the listen address; returns once connections are accepted. */
    public WanEmulator start() throws InterruptedException {
        RecvByteBufAllocator reads = new AdaptiveRecvByteBufAllocator(MIN_READ_BYTES, INITIAL_READ_BYTES, MAX_READ_BYTES);
        Bootstrap targetBootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .remoteAddress(target)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.RECVBUF_ALLOCATOR, reads);
        serverChannel = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.RECVBUF_ALLOCATOR, reads)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        ctx.pipeline().remove(this);
                        RelayedConnection connection = new RelayedConnection(ctx.channel(), targetBootstrap, profile,
                                nanoTime, counters.get(Direction.CLIENT_TO_TARGET),
                                counters.get(Direction.TARGET_TO_CLIENT));
                        connection.channels().forEach(relayedChannels::add);
                    }
                })
                .bind(listen)
                .sync()
                .channel();
        return this;
    }

    /** The bound listen address (the real port when listening on port 0). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    public LinkProfile profile() {
        return profile;
    }

    /** Bytes written to the receiving side in {@code direction}, over all connections. */
    public long bytesForwarded(Direction direction) {
        return counters.get(direction).forwardedBytes();
    }

    /** Bytes read and not yet written to the receiver in {@code direction}, over all connections. */
    public long queuedBytes(Direction direction) {
        return counters.get(direction).queuedBytes();
    }

    /** The most bytes one connection held at once in {@code direction}. */
    public long maxQueuedBytes(Direction direction) {
        return counters.get(direction).maxQueuedBytes();
    }

    /** Stops accepting and closes every relayed connection at once, dropping what was in flight. */
    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        relayedChannels.close().syncUninterruptibly();
    }
}
