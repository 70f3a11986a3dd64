package io.wanopt.proxy.tunnel;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.wanopt.cache.ChunkId;
import io.wanopt.cache.codec.LiteralCodec;
import io.wanopt.config.Compression;
import io.wanopt.config.PeerSettings;
import io.wanopt.config.WanoptSettings;
import io.wanopt.proxy.TrafficCounters;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Keeps one tunnel up to each peer: dials the peers that have an address (redialling with backoff),
 * accepts the ones that dial in, authenticates both (mutual TLS; the certificate's CN must be a
 * configured peer and match the id the peer announces), and hands LAN connections to the live
 * tunnel of their peer. Tunnels are opened ahead of need, so a new LAN connection costs no WAN
 * handshake.
 */
public final class TunnelManager implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TunnelManager.class.getName());
    private static final int MAX_ID_LENGTH = 255;

    private final WanoptSettings settings;
    private final FlowEnvironment env;
    private final byte[] localEpoch;
    private final SslContext serverSsl;
    private final SslContext clientSsl;
    private final LongSupplier nanoTime;
    private final Map<String, Tunnel> tunnels = new ConcurrentHashMap<>();
    private final Map<String, TrafficCounters> peerCounters = new ConcurrentHashMap<>();
    private final AtomicLong refusedPeers = new AtomicLong();
    private volatile boolean closed;
    private Channel server;

    /**
     * @param serverSsl and {@code clientSsl}: the TLS contexts, both null when the tunnel is plaintext
     */
    public TunnelManager(WanoptSettings settings, FlowEnvironment env, byte[] localEpoch,
            SslContext serverSsl, SslContext clientSsl, LongSupplier nanoTime) {
        this.settings = settings;
        this.env = env;
        this.localEpoch = localEpoch.clone();
        this.serverSsl = serverSsl;
        this.clientSsl = clientSsl;
        this.nanoTime = nanoTime;
        for (PeerSettings peer : settings.peers()) {
            peerCounters.put(peer.id(), new TrafficCounters(env.applianceCounters()));
        }
    }

    /** How LAN sockets must be read for flow control to hold (one 64 KiB read per request). */
    public static RecvByteBufAllocator lanReadAllocator() {
        return Flow.lanReadAllocator();
    }

    /** Binds the tunnel listener (when configured) and starts dialling the peers that have an address. */
    public void start() throws InterruptedException {
        InetSocketAddress listen = settings.tunnel().listen();
        if (listen != null) {
            server = env.lanTransport().serverBootstrap()
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark())
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            initTunnelChannel(ch, null);
                        }
                    })
                    .bind(listen).sync().channel();
            LOG.info(() -> "tunnel listening on " + server.localAddress());
        }
        for (PeerSettings peer : settings.peers()) {
            if (peer.address() != null) {
                dial(peer, settings.tunnel().reconnectMinBackoff());
            }
        }
    }

    /** The bound tunnel address, or null when this appliance does not listen for peers. */
    public InetSocketAddress boundAddress() {
        return server == null ? null : (InetSocketAddress) server.localAddress();
    }

    /**
     * Carries an accepted LAN connection (auto-read off, half-closure allowed) to {@code host:port}
     * through {@code peerId}.
     *
     * @return false when no tunnel to that peer is up (the caller decides what to do with the connection)
     */
    public boolean carry(Channel lan, String host, int port, String peerId) {
        Tunnel tunnel = tunnels.get(peerId);
        if (tunnel == null || !tunnel.channel().isActive()) {
            return false;
        }
        Flow.accepted(tunnel, env, lan, host, port);
        return true;
    }

    /** The status of a configured peer. */
    public PeerStatus status(String peerId) {
        Tunnel tunnel = tunnels.get(peerId);
        boolean up = tunnel != null && tunnel.channel().isActive();
        return new PeerStatus(peerId, up, up ? tunnel.rttNanos : -1, up ? tunnel.flowCount() : 0,
                peerCounters.get(peerId));
    }

    /**
     * The flows open now on every tunnel, each read on its own event loop; a flow that does not answer
     * within {@code timeout} (or ended meanwhile) is left out.
     */
    public List<FlowSnapshot> flows(Duration timeout) throws InterruptedException {
        List<Future<FlowSnapshot>> pending = new ArrayList<>();
        for (Tunnel tunnel : tunnels.values()) {
            for (Flow flow : tunnel.openFlows()) {
                try {
                    pending.add(flow.executor.submit(flow::snapshot));
                } catch (RejectedExecutionException e) {
                    // its event loop is shutting down: the flow is ending
                }
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<FlowSnapshot> snapshots = new ArrayList<>();
        for (Future<FlowSnapshot> snapshot : pending) {
            try {
                snapshots.add(snapshot.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (ExecutionException | TimeoutException e) {
                snapshot.cancel(false);
            }
        }
        return snapshots;
    }

    /** Most chunk ids per HAVE frame, so that learning them holds a tunnel's event loop only briefly. */
    private static final int HAVE_BATCH = 4096;

    /**
     * Tells every peer whose tunnel is up that this appliance holds {@code ids}, so that they send them
     * as references; returns the number of peers told.
     */
    public int advertise(List<ChunkId> ids) {
        int told = 0;
        for (Tunnel tunnel : tunnels.values()) {
            if (!tunnel.channel().isActive()) {
                continue;
            }
            for (int from = 0; from < ids.size(); from += HAVE_BATCH) {
                tunnel.sendControl(Frames.have(tunnel.alloc(), ids.subList(from, Math.min(ids.size(), from + HAVE_BATCH))));
            }
            told++;
        }
        return told;
    }

    /** Waits until the tunnel to {@code peerId} is up. */
    public boolean awaitUp(String peerId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (status(peerId).up()) {
                return true;
            }
            Thread.sleep(10);
        }
        return status(peerId).up();
    }

    /** Tunnel connections refused because the other end could not prove to be a configured peer. */
    public long refusedPeers() {
        return refusedPeers.get();
    }

    @Override
    public void close() {
        closed = true;
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        for (Tunnel tunnel : tunnels.values()) {
            tunnel.resetFlows("appliance " + settings.applianceId() + " stopping");
            tunnel.channel().close().syncUninterruptibly();
        }
    }

    private static WriteBufferWaterMark waterMark() {
        return new WriteBufferWaterMark(256 << 10, 1 << 20);
    }

    private void dial(PeerSettings peer, Duration backoff) {
        if (closed) {
            return;
        }
        new Bootstrap().group(env.lanTransport().group()).channel(env.lanTransport().socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.tunnel().connectTimeout().toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        initTunnelChannel(ch, peer);
                    }
                })
                .connect(peer.address()).addListener((ChannelFuture f) -> {
                    if (!f.isSuccess()) {
                        LOG.fine(() -> "dial " + peer.id() + " at " + peer.address() + " failed: " + f.cause());
                        redial(peer, backoff);
                        return;
                    }
                    f.channel().closeFuture().addListener(c -> {
                        Tunnel tunnel = tunnels.get(peer.id());
                        boolean wasUp = tunnel != null && tunnel.channel() == f.channel();
                        redial(peer, wasUp ? settings.tunnel().reconnectMinBackoff() : backoff);
                    });
                });
    }

    private void redial(PeerSettings peer, Duration backoff) {
        if (closed) {
            return;
        }
        Duration next = backoff.multipliedBy(2);
        Duration max = settings.tunnel().reconnectMaxBackoff();
        Duration nextBackoff = next.compareTo(max) > 0 ? max : next;
        env.lanTransport().group().schedule(() -> dial(peer, nextBackoff), backoff.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void initTunnelChannel(Channel ch, PeerSettings dialled) {
        SslContext ssl = dialled == null ? serverSsl : clientSsl;
        if (ssl != null) {
            ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
        }
        ch.pipeline().addLast(new TunnelFrameDecoder(settings.tunnel().maxFrameSize()));
        ch.pipeline().addLast(new TunnelHandler(dialled));
    }

    private void refuse(Channel ch, String why) {
        refusedPeers.incrementAndGet();
        LOG.warning(() -> "refused tunnel connection from " + ch.remoteAddress() + ": " + why);
        ch.close();
    }

    /** The authenticated peer id of a TLS channel: the CN of its certificate. */
    private static String certificateName(Channel ch) throws SSLPeerUnverifiedException, InvalidNameException {
        Certificate[] chain = ch.pipeline().get(SslHandler.class).engine().getSession().getPeerCertificates();
        X509Certificate leaf = (X509Certificate) chain[0];
        for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
            if (rdn.getType().equalsIgnoreCase("CN")) {
                return rdn.getValue().toString();
            }
        }
        throw new SSLPeerUnverifiedException("certificate without a CN: " + leaf.getSubjectX500Principal());
    }

    /** A failure with its causes, for one log line ("General OpenSslEngine problem" alone says nothing). */
    private static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder(String.valueOf(failure.getMessage()));
        for (Throwable cause = failure.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append(": ").append(cause.getMessage());
        }
        return text.toString();
    }

    private LiteralCodec literalCodec(PeerSettings peer) {
        Compression compression = settings.effectiveCompression(peer);
        return switch (compression) {
            case ZSTD -> LiteralCodec.ZSTD;
            case LZ4 -> LiteralCodec.LZ4;
            case NONE, AUTO -> LiteralCodec.RAW;
        };
    }

    /** Handshake (TLS, then HELLO both ways), then frame dispatch and keepalive for one tunnel connection. */
    private final class TunnelHandler extends ChannelInboundHandlerAdapter {

        private final PeerSettings dialled;
        private String authenticatedId;
        private Tunnel tunnel;
        private ScheduledFuture<?> keepalive;

        TunnelHandler(PeerSettings dialled) {
            this.dialled = dialled;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (ctx.pipeline().get(SslHandler.class) == null) {
                sendHello(ctx);
            }
            ctx.fireChannelActive();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent handshake) {
                if (!handshake.isSuccess()) {
                    refuse(ctx.channel(), "TLS handshake failed: " + describe(handshake.cause()));
                    return;
                }
                try {
                    authenticatedId = certificateName(ctx.channel());
                } catch (SSLPeerUnverifiedException | InvalidNameException e) {
                    refuse(ctx.channel(), "no usable peer certificate: " + e.getMessage());
                    return;
                }
                if (settings.peer(authenticatedId) == null) {
                    refuse(ctx.channel(), "certificate CN '" + authenticatedId + "' is not a configured peer");
                    return;
                }
                if (dialled != null && !dialled.id().equals(authenticatedId)) {
                    refuse(ctx.channel(), "dialled " + dialled.id() + " but its certificate says '"
                            + authenticatedId + '\'');
                    return;
                }
                sendHello(ctx);
            }
            ctx.fireUserEventTriggered(evt);
        }

        private void sendHello(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Frames.hello(ctx.alloc(), settings.applianceId(), localEpoch));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            TunnelFrame frame = (TunnelFrame) msg;
            if (tunnel == null) {
                try {
                    onHello(ctx, frame);
                } finally {
                    frame.release();
                }
                return;
            }
            tunnel.lastReceivedNanos = nanoTime.getAsLong();
            dispatch(ctx, frame);
        }

        private void onHello(ChannelHandlerContext ctx, TunnelFrame frame) {
            ByteBuf in = frame.content();
            if (frame.type != FrameType.HELLO || !in.isReadable()) {
                refuse(ctx.channel(), "first frame is type " + frame.type + ", not HELLO");
                return;
            }
            int version = in.readUnsignedByte();
            if (version != FrameType.PROTOCOL_VERSION) {
                refuse(ctx.channel(), "protocol version " + version + " (expected: " + FrameType.PROTOCOL_VERSION + ')');
                return;
            }
            String id = Frames.readString(in, MAX_ID_LENGTH);
            if (id == null || in.readableBytes() != 16) {
                refuse(ctx.channel(), "malformed HELLO");
                return;
            }
            byte[] epoch = new byte[16];
            in.readBytes(epoch);
            if (authenticatedId != null && !authenticatedId.equals(id)) {
                refuse(ctx.channel(), "announced id '" + id + "' differs from its certificate's '" + authenticatedId + '\'');
                return;
            }
            PeerSettings peer = settings.peer(id);
            if (peer == null) {
                refuse(ctx.channel(), "unknown peer '" + id + '\'');
                return;
            }
            tunnel = new Tunnel(ctx.channel(), id, env.store().peer(id, epoch), literalCodec(peer),
                    peerCounters.get(id), dialled != null, nanoTime.getAsLong());
            Tunnel previous = tunnels.put(id, tunnel);
            if (previous != null && previous.channel() != ctx.channel()) {
                LOG.info(() -> "second tunnel to " + id + "; new flows use the newest");
            }
            LOG.info(() -> "tunnel to " + id + " up (" + ctx.channel().remoteAddress() + ", epoch "
                    + Arrays.hashCode(epoch) + ')');
            long interval = settings.tunnel().keepaliveInterval().toNanos();
            keepalive = ctx.executor().scheduleAtFixedRate(() -> keepalive(ctx), interval, interval,
                    TimeUnit.NANOSECONDS);
        }

        private void keepalive(ChannelHandlerContext ctx) {
            if (!ctx.channel().isActive()) {
                return;
            }
            long now = nanoTime.getAsLong();
            if (now - tunnel.lastReceivedNanos > settings.tunnel().keepaliveTimeout().toNanos()) {
                LOG.warning(() -> "tunnel to " + tunnel.peerId() + " silent for "
                        + settings.tunnel().keepaliveTimeout() + "; closing");
                ctx.close();
                return;
            }
            ctx.writeAndFlush(Frames.ping(ctx.alloc(), FrameType.PING, now));
        }

        private void dispatch(ChannelHandlerContext ctx, TunnelFrame frame) {
            switch (frame.type) {
                case FrameType.PING -> {
                    long value = frame.content().readLong();
                    frame.release();
                    ctx.writeAndFlush(Frames.ping(ctx.alloc(), FrameType.PONG, value));
                }
                case FrameType.PONG -> {
                    tunnel.rttNanos = nanoTime.getAsLong() - frame.content().readLong();
                    frame.release();
                }
                case FrameType.OPEN -> {
                    int flowId = frame.flowId;
                    Frames.Open open = Frames.readOpen(frame.content(), MAX_ID_LENGTH);
                    frame.release();
                    if (open == null) {
                        ctx.writeAndFlush(Frames.reset(ctx.alloc(), flowId, "malformed OPEN"));
                    } else if (tunnel.flow(flowId) != null) {
                        ctx.writeAndFlush(Frames.reset(ctx.alloc(), flowId, "flow id in use"));
                    } else {
                        Flow.opened(tunnel, env, flowId, open.host(), open.port(), open.client());
                    }
                }
                case FrameType.HAVE -> {
                    ByteBuf ids = frame.content();
                    if (ids.readableBytes() % ChunkId.LENGTH != 0) {
                        frame.release();
                        LOG.warning(() -> "malformed HAVE from " + tunnel.peerId() + "; closing the tunnel");
                        ctx.close();
                        return;
                    }
                    int count = ids.readableBytes() / ChunkId.LENGTH;
                    while (ids.isReadable()) {
                        tunnel.knowledge().learn(ChunkId.read(ids));
                    }
                    frame.release();
                    LOG.fine(() -> tunnel.peerId() + " holds " + count + " more chunks (seeded)");
                }
                case FrameType.HELLO -> {
                    frame.release();
                    LOG.warning(() -> "second HELLO from " + tunnel.peerId() + "; closing the tunnel");
                    ctx.close();
                }
                default -> {
                    Flow flow = tunnel.flow(frame.flowId);
                    if (flow == null) {
                        frame.release();
                    } else {
                        flow.executor.execute(() -> flow.onFrame(frame));
                    }
                }
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (tunnel != null && ctx.channel().isWritable()) {
                tunnel.drain();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (keepalive != null) {
                keepalive.cancel(false);
            }
            if (tunnel != null) {
                tunnels.remove(tunnel.peerId(), tunnel);
                LOG.info(() -> "tunnel to " + tunnel.peerId() + " down");
                tunnel.closed("connection closed");
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.log(Level.WARNING, "tunnel " + ctx.channel().remoteAddress() + " failed: " + cause.getMessage());
            ctx.close();
        }
    }
}
