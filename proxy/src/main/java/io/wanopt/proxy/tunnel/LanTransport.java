package io.wanopt.proxy.tunnel;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollErrorInterest;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * The event loops of an appliance and the socket channels that go with them: Java NIO everywhere,
 * or Linux epoll where sockets need what NIO cannot set (IP_TRANSPARENT for in-path interception and
 * for connecting from a client's address).
 *
 * @param connectFromClient whether connections to servers are made from the client's address
 */
public record LanTransport(EventLoopGroup group, Class<? extends ServerSocketChannel> serverChannel,
        Class<? extends SocketChannel> socketChannel, boolean epoll, boolean connectFromClient) {

    public LanTransport {
        if (connectFromClient && !epoll) {
            throw new IllegalArgumentException("connecting from the client's address needs epoll (IP_TRANSPARENT)");
        }
    }

    public static LanTransport nio(int threads) {
        return new LanTransport(new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory()),
                NioServerSocketChannel.class, NioSocketChannel.class, false, false);
    }

    /**
     * Epoll loops and channels.
     *
     * @throws IllegalStateException when the native transport cannot load here, with the reason
     */
    public static LanTransport epoll(int threads, boolean connectFromClient) {
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("the Linux epoll transport is not available here: "
                    + Epoll.unavailabilityCause().getMessage());
        }
        return new LanTransport(new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory()),
                EpollServerSocketChannel.class, EpollSocketChannel.class, true, connectFromClient);
    }

    public ServerBootstrap serverBootstrap() {
        return new ServerBootstrap().group(group).channel(serverChannel);
    }

    /**
     * A listener for LAN clients, handing each accepted socket to {@code accepted}: unread until its
     * flow has credit, half-closable, without Nagle. {@code transparent}: it also accepts connections
     * addressed to any host, as TPROXY steers them (epoll only).
     */
    public ServerBootstrap lanListener(boolean transparent, Consumer<SocketChannel> accepted) {
        if (transparent && !epoll) {
            throw new IllegalStateException("a transparent listener needs the epoll transport");
        }
        ServerBootstrap bootstrap = serverBootstrap()
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, Flow.lanReadAllocator())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        EpollErrorInterest.keep(ch);
                        accepted.accept(ch);
                    }
                });
        return transparent ? bootstrap.option(EpollChannelOption.IP_TRANSPARENT, true) : bootstrap;
    }

    /** A client bootstrap on {@code loop}, which must be one of {@link #group}'s. */
    public Bootstrap bootstrap(EventLoop loop) {
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(socketChannel);
        return connectFromClient ? bootstrap.option(EpollChannelOption.IP_TRANSPARENT, true) : bootstrap;
    }

    /**
     * Connects a {@link #bootstrap} to a server, from {@code client}'s address when this transport
     * connects from clients' addresses and the client is known (port chosen by the kernel).
     */
    public ChannelFuture connectToServer(Bootstrap bootstrap, String host, int port, InetAddress client) {
        InetSocketAddress server = InetSocketAddress.createUnresolved(host, port);
        ChannelFuture connected = connectFromClient && client != null
                ? bootstrap.connect(server, new InetSocketAddress(client, 0))
                : bootstrap.connect(server);
        // Runs before the caller's listeners: the workaround is in place before any byte is written.
        return connected.addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                EpollErrorInterest.keep(f.channel());
            }
        });
    }
}
