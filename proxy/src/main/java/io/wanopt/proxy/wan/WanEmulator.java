package io.wanopt.proxy.wan;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
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
 * A user-space WAN link for tests, demos and benchmarks: TCP relays from listen addresses to targets
 * whose connections all share one emulated link, whose each direction has the profile's rate (a
 * bottleneck that serializes data) and half its round-trip time (propagation), with a bounded queue,
 * so senders see the throughput, latency and back-pressure of a real long, thin link without root
 * or {@code tc netem}.
 *
 * <p>Several relays ({@link #relay}) may share the link, as NFSv3's MOUNT and NFS connections or a
 * tunnel and a plain copy would share one WAN. Each connection is relayed by a
 * {@link RelayedConnection}; see there for connection setup and close, and {@link LinkDirection}
 * for the pacing and the queue bound. Needs an NIO event loop group (e.g.
 * {@code MultiThreadIoEventLoopGroup} with {@code NioIoHandler}). Counters are summed over
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
    private final LinkProfile profile;
    private final LongSupplier nanoTime;
    private final Map<Direction, Bottleneck> bottlenecks = new EnumMap<>(Direction.class);
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

    public WanEmulator(EventLoopGroup group, LinkProfile profile) {
        this(group, profile, System::nanoTime);
    }

    /** As above, timing deliveries by {@code nanoTime} (a monotonic nanosecond clock). */
    public WanEmulator(EventLoopGroup group, LinkProfile profile, LongSupplier nanoTime) {
        this.group = group;
        this.profile = profile;
        this.nanoTime = nanoTime;
        for (Direction direction : Direction.values()) {
            bottlenecks.put(direction, new Bottleneck(profile, nanoTime.getAsLong()));
        }
    }

    /**
     * Relays connections to {@code listen} to {@code target} over this link; returns the bound
     * address (the real port when listening on port 0) once connections are accepted.
     */
    public InetSocketAddress relay(InetSocketAddress listen, InetSocketAddress target) throws InterruptedException {
        RecvByteBufAllocator reads = new AdaptiveRecvByteBufAllocator(MIN_READ_BYTES, INITIAL_READ_BYTES, MAX_READ_BYTES);
        Bootstrap targetBootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .remoteAddress(target)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.RECVBUF_ALLOCATOR, reads);
        Channel serverChannel = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.RECVBUF_ALLOCATOR, reads)
                .childHandler(new Acceptor(targetBootstrap))
                .bind(listen)
                .sync()
                .channel();
        channels.add(serverChannel);
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Starts relaying each accepted connection once it is active; shared by all of a listener's connections. */
    @ChannelHandler.Sharable
    private final class Acceptor extends ChannelInboundHandlerAdapter {

        private final Bootstrap targetBootstrap;

        Acceptor(Bootstrap targetBootstrap) {
            this.targetBootstrap = targetBootstrap;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.pipeline().remove(this);
            RelayedConnection connection = new RelayedConnection(ctx.channel(), targetBootstrap, profile, nanoTime,
                    bottlenecks.get(Direction.CLIENT_TO_TARGET), bottlenecks.get(Direction.TARGET_TO_CLIENT));
            connection.channels().forEach(channels::add);
        }
    }

    public LinkProfile profile() {
        return profile;
    }

    /** Bytes written to the receiving side in {@code direction}, over all connections. */
    public long bytesForwarded(Direction direction) {
        return bottlenecks.get(direction).forwardedBytes();
    }

    /** Bytes forwarded in both directions: what crossed the link. */
    public long bytesForwarded() {
        return bytesForwarded(Direction.CLIENT_TO_TARGET) + bytesForwarded(Direction.TARGET_TO_CLIENT);
    }

    /** Bytes read and not yet written to the receiver in {@code direction}, over all connections. */
    public long queuedBytes(Direction direction) {
        return bottlenecks.get(direction).queuedBytes();
    }

    /** The most bytes one connection held at once in {@code direction}. */
    public long maxQueuedBytes(Direction direction) {
        return bottlenecks.get(direction).maxQueuedBytes();
    }

    /** Stops accepting and closes every relayed connection at once, dropping what was in flight. */
    @Override
    public void close() {
        channels.close().syncUninterruptibly();
    }
}
