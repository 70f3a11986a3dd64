package io.wanopt.proxy.inpath;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.wanopt.proxy.tunnel.LanTransport;
import io.wanopt.proxy.tunnel.TunnelManager;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * An intercepted connection passed through unoptimized: relayed to its server directly, byte for
 * byte. One read is in flight per direction and the next is asked for only once the other socket
 * took the bytes, so a slow side stops the fast one instead of filling memory. A FIN is passed on
 * after the bytes before it; a reset or failure on either side resets the other, so neither end
 * mistakes a broken connection for a finished one (also when this process is killed: both sockets
 * reset until the relay ends normally).
 */
final class PassThrough {

    private static final Logger LOG = Logger.getLogger(PassThrough.class.getName());

    private final Channel lan;
    private final InPathCounters counters;
    private final String description;
    private Channel server;
    private int outputsShut;
    private boolean ended;

    private PassThrough(Channel lan, InPathCounters counters, String description) {
        this.lan = lan;
        this.counters = counters;
        this.description = description;
    }

    /**
     * Relays {@code lan} (accepted with auto-read off and half-closure allowed) to {@code target},
     * connecting from the client's address when the transport does.
     */
    static void relay(Channel lan, LanTransport transport, InetSocketAddress target, Duration connectTimeout,
            InPathCounters counters, String why) {
        InetSocketAddress client = (InetSocketAddress) lan.remoteAddress();
        String description = client + " -> " + target.getAddress().getHostAddress() + ':' + target.getPort();
        LOG.info(() -> "passing " + description + " through unoptimized: " + why);
        PassThrough relay = new PassThrough(lan, counters, description);
        lan.config().setOption(ChannelOption.SO_LINGER, 0);
        Bootstrap bootstrap = transport.bootstrap(lan.eventLoop())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, TunnelManager.lanReadAllocator())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .handler(new ChannelInboundHandlerAdapter());
        transport.connectToServer(bootstrap, target.getAddress().getHostAddress(), target.getPort(), client.getAddress())
                .addListener((ChannelFuture f) -> {
                    if (!f.isSuccess()) {
                        counters.passFailures.increment();
                        LOG.warning(() -> "pass-through " + description + ": connect failed (" + f.cause().getMessage()
                                + "); resetting the client");
                        lan.close();
                        return;
                    }
                    relay.connected(f.channel());
                });
    }

    private void connected(Channel server) {
        this.server = server;
        server.config().setOption(ChannelOption.SO_LINGER, 0);
        server.pipeline().addLast(new Direction(lan));
        lan.pipeline().addLast(new Direction(server));
        if (!lan.isActive()) {
            end("client left before the server answered");
            return;
        }
        lan.read();
        server.read();
    }

    /** Ends both sockets: closed normally once both FINs have passed, otherwise reset. */
    private void end(String abnormal) {
        if (ended) {
            return;
        }
        ended = true;
        for (Channel channel : new Channel[] {lan, server}) {
            if (abnormal == null && channel.isOpen()) {
                channel.config().setOption(ChannelOption.SO_LINGER, -1);
            }
            channel.close();
        }
        if (abnormal != null) {
            LOG.info(() -> "pass-through " + description + " reset: " + abnormal);
        }
    }

    /** Moves the bytes read from one socket to {@code to}. */
    private final class Direction extends ChannelInboundHandlerAdapter {

        private final Channel to;
        private ChannelFuture lastWrite;
        /** The socket read from sent FIN: nothing more to read, so no read is asked for. */
        private boolean inputShut;

        Direction(Channel to) {
            this.to = to;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            counters.passedBytes.add(((ByteBuf) msg).readableBytes());
            lastWrite = to.writeAndFlush(msg).addListener(f -> {
                if (!f.isSuccess()) {
                    end("write failed: " + f.cause().getMessage());
                } else if (!inputShut) {
                    ctx.read();
                }
            });
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                inputShut = true;
                Runnable passFin = () -> ((DuplexChannel) to).shutdownOutput().addListener(f -> {
                    if (f.isSuccess() && ++outputsShut == 2) {
                        end(null);
                    }
                });
                if (lastWrite == null || lastWrite.isDone()) {
                    passFin.run();
                } else {
                    lastWrite.addListener(f -> passFin.run());
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            end("connection closed before both sides finished");
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            end(cause.getMessage());
        }
    }
}
