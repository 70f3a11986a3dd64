package io.wanopt.proxy.wan;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One connection through a {@link WanEmulator}: the accepted client channel, the channel to the
 * target and the two {@link LinkDirection}s between them, all on the client's event loop.
 *
 * <p>Connection setup costs one round trip: the target is dialled at once, but neither side is
 * read before one RTT after the accept (nor before the target answered), so the client's first
 * bytes reach the target 1.5 RTT after it connected, as after a real handshake. The connection
 * closes when both directions delivered their FIN, when one side closed and its data was delivered
 * to the other, or at once on an error.
 */
final class RelayedConnection {

    private final Channel client;
    private final Channel target;
    private final LinkDirection clientToTarget;
    private final LinkDirection targetToClient;
    private boolean setupElapsed;
    private boolean targetConnected;
    private int directionsShutDown;

    /** Dials the target for {@code client}, which has just become active; must run on its event loop. */
    RelayedConnection(Channel client, Bootstrap targetBootstrap, LinkProfile profile, LongSupplier nanoTime,
            Bottleneck clientToTargetLink, Bottleneck targetToClientLink) {
        this.client = client;
        client.pipeline().addLast(new Endpoint(true));
        ChannelFuture connect = targetBootstrap.clone(client.eventLoop()).handler(new Endpoint(false)).connect();
        this.target = connect.channel();
        this.clientToTarget = new LinkDirection(this, client, target, profile, nanoTime, clientToTargetLink);
        this.targetToClient = new LinkDirection(this, target, client, profile, nanoTime, targetToClientLink);
        connect.addListener((ChannelFuture connected) -> {
            if (connected.isSuccess()) {
                targetConnected = true;
                startWhenReady();
            } else {
                client.close();
            }
        });
        client.eventLoop().schedule(() -> {
            setupElapsed = true;
            startWhenReady();
        }, profile.rtt().toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The client and the target channel. */
    List<Channel> channels() {
        return List.of(client, target);
    }

    private void startWhenReady() {
        if (setupElapsed && targetConnected && client.isActive() && target.isActive()) {
            clientToTarget.start();
            targetToClient.start();
        }
    }

    /** {@code direction} delivered the end of its source: a close, or a FIN after which its output is shut. */
    void endDelivered(LinkDirection direction, boolean close) {
        if (close) {
            closeBoth();
        } else if (direction.destination() instanceof DuplexChannel duplex && duplex.isActive()) {
            duplex.shutdownOutput().addListener(shut -> {
                if (++directionsShutDown == 2) {
                    closeBoth();
                }
            });
        }
    }

    private void closeBoth() {
        client.close();
        target.close();
    }

    /** The handler of one side: what it reads goes one way, its end travels after it. */
    private final class Endpoint extends ChannelInboundHandlerAdapter {

        private final boolean isClient;

        Endpoint(boolean isClient) {
            this.isClient = isClient;
        }

        private LinkDirection from() {
            return isClient ? clientToTarget : targetToClient;
        }

        private LinkDirection to() {
            return isClient ? targetToClient : clientToTarget;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            from().onRead((ByteBuf) msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            from().onReadComplete();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event == ChannelInputShutdownEvent.INSTANCE) {
                from().onSourceShutdown();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            from().onSourceClosed();
            to().onDestinationClosed();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            closeBoth();
        }
    }
}
