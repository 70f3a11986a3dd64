package io.wanopt.proxy.tunnel;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.wanopt.cache.ChunkId;
import io.wanopt.cache.codec.ChunkDecoder;
import io.wanopt.cache.codec.ChunkEncoder;
import io.wanopt.cache.codec.DecodedBatch;
import io.wanopt.cache.codec.EncodedBatch;
import io.wanopt.proxy.ProtocolTraffic;
import io.wanopt.proxy.TrafficCounters;
import io.wanopt.config.ProtocolSettings;
import io.wanopt.proxy.follow.FlowFile;
import io.wanopt.proxy.follow.FollowedFlow;
import io.wanopt.proxy.follow.Follower;
import io.wanopt.proxy.follow.NfsFollower;
import io.wanopt.proxy.follow.ReadAheadMessage;
import io.wanopt.proxy.follow.SmbFollower;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One LAN TCP connection carried through a tunnel, in both directions.
 *
 * <p>Sending (LAN to WAN): bytes are read from the LAN only while the flow has credit from the far
 * side and the appliance has room under its memory cap; they are encoded into batches and queued on
 * the tunnel. The bytes of every referenced chunk stay pinned until the far side credits the batch,
 * so a miss can always be answered. Receiving (WAN to LAN): batches are decoded strictly in order;
 * a batch with missing chunks waits for their repair; decoded bytes are written to the LAN and only
 * then credited back. Open, data, FIN and reset keep their order.
 *
 * <p>All state is confined to the LAN channel's event loop ({@link #executor}); the tunnel hands
 * frames over with {@code executor.execute}.
 */
final class Flow {

    private static final Logger LOG = Logger.getLogger(Flow.class.getName());
    private static final int LAN_READ_SIZE = 64 << 10;

    final int id;
    final EventLoop executor;
    private final Tunnel tunnel;
    private final FlowEnvironment env;
    private final TrafficCounters counters;
    private final String description;
    /** The LAN client's address, or "" when this side only knows the peer. */
    private final String client;
    /** The server's host:port. */
    private final String server;
    private final long startNanos = System.nanoTime();

    private Channel lan;
    private boolean lanConnected;
    private boolean closed;

    private final ChunkEncoder encoder;
    private final boolean lanIsClient;
    /** Whether the follower was chosen, by the flow's first bytes (when they are the client's). */
    private boolean followerChosen;
    /** Follows the file protocol the client opened with (NFS, SMB) when enabled; else null. */
    private Follower follower;
    /** The follower when it is NFS's (for read-ahead); else null. */
    private NfsFollower nfs;
    /** The far appliance answers NFS READs from read-ahead (it said so, READ_AHEAD_READY). */
    private boolean peerAnswersReadAhead;
    private long sendCredit;
    private long sent;
    private long acked;
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private boolean lanEof;
    private boolean finSent;
    private boolean readPending;
    private ScheduledFuture<?> tailFlush;
    /** Drops read-ahead data held past its age on a quiet flow; null when this side holds none. */
    private ScheduledFuture<?> readAheadExpiry;

    private final ChunkDecoder decoder;
    private final ArrayDeque<TunnelFrame> incoming = new ArrayDeque<>();
    private DecodedBatch repairing;
    private long window;
    private long uncredited;
    private long unwritten;
    private boolean finReceived;
    private boolean lanOutputShut;
    private ChannelFuture lastWrite;

    /** Batches sent and not yet credited: {@code end} is the sent-byte count after the batch. */
    private record InFlight(long end, Map<ChunkId, byte[]> referenced) {
    }

    private Flow(int id, Tunnel tunnel, FlowEnvironment env, EventLoop executor, String description, String client,
            String server, boolean lanIsClient) {
        this.id = id;
        this.tunnel = tunnel;
        this.env = env;
        this.executor = executor;
        this.description = description;
        this.client = client;
        this.server = server;
        this.counters = new TrafficCounters(tunnel.counters());
        this.encoder = new ChunkEncoder(env.chunker(), env.store(), tunnel.knowledge(), tunnel.literalCodec(),
                env.zstdLevel(), env.settings().batchSize(), tunnel.alloc(), counters.sent);
        this.decoder = new ChunkDecoder(env.store(), tunnel.knowledge(), counters.received);
        this.lanIsClient = lanIsClient;
        this.sendCredit = env.settings().flowInitialWindow();
        this.window = env.settings().flowInitialWindow();
        env.receiveBudget().reserve(window);
        counters.flowStarted();
    }

    /**
     * How LAN sockets are read: one 64 KiB read per {@code read()} call, so a flow never takes in
     * much more than its credit allows.
     */
    static RecvByteBufAllocator lanReadAllocator() {
        return new FixedRecvByteBufAllocator(LAN_READ_SIZE).maxMessagesPerRead(1);
    }

    /**
     * A LAN connection accepted here: announce it to the far side and start carrying it. Until it ends
     * normally its socket is set to reset rather than close, so that a crash of this process resets
     * the client instead of ending its stream as if complete.
     */
    static Flow accepted(Tunnel tunnel, FlowEnvironment env, Channel lan, String targetHost, int targetPort) {
        InetSocketAddress remote = (InetSocketAddress) lan.remoteAddress();
        InetAddress client = remote.getAddress();
        Flow flow = new Flow(tunnel.nextFlowId(), tunnel, env, lan.eventLoop(),
                remote + " -> " + targetHost + ':' + targetPort + " via " + tunnel.peerId(),
                client.getHostAddress() + ':' + remote.getPort(), targetHost + ':' + targetPort, true);
        flow.lan = lan;
        flow.lanConnected = true;
        lan.config().setOption(ChannelOption.SO_LINGER, 0);
        tunnel.register(flow);
        tunnel.sendControl(Frames.open(tunnel.alloc(), flow.id, targetHost, targetPort, client));
        lan.pipeline().addLast(flow.new LanHandler());
        flow.requestRead();
        return flow;
    }

    /**
     * An OPEN from the far side: connect to the target on a LAN event loop (from the client's address
     * when the transport is set to and the far side named it).
     */
    static void opened(Tunnel tunnel, FlowEnvironment env, int id, String targetHost, int targetPort, InetAddress client) {
        LanTransport transport = env.lanTransport();
        EventLoop loop = transport.group().next();
        Flow flow = new Flow(id, tunnel, env, loop, tunnel.peerId() + " flow " + id + " -> " + targetHost + ':'
                + targetPort, client == null ? "" : client.getHostAddress(), targetHost + ':' + targetPort, false);
        tunnel.register(flow);
        Bootstrap bootstrap = transport.bootstrap(loop)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, lanReadAllocator())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) env.settings().connectTimeout().toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(flow.new LanHandler());
                    }
                });
        transport.connectToServer(bootstrap, targetHost, targetPort, client).addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                flow.lan = f.channel();
                flow.lanConnected = true;
                f.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                flow.processIncoming();
                flow.requestRead();
            } else {
                flow.abort("connect to " + targetHost + ':' + targetPort + " failed: "
                        + f.cause().getMessage(), true);
            }
        });
    }

    /** What {@code wanopt flows} shows of this flow; call on {@link #executor}. */
    FlowSnapshot snapshot() {
        Optional<FlowFile> file = follower == null ? Optional.empty() : follower.latestFile();
        return new FlowSnapshot(tunnel.peerId(), client, server,
                follower == null ? ProtocolTraffic.GENERIC : follower.protocol().toLowerCase(Locale.ROOT),
                file.map(FlowFile::name).orElse(""), file.map(FlowFile::vmdk).orElse(false),
                counters.lanIn() + counters.lanOut(), counters.wanIn() + counters.wanOut(),
                Duration.ofNanos(System.nanoTime() - startNanos));
    }

    // ---- frames from the tunnel (on executor) ----

    void onFrame(TunnelFrame frame) {
        if (closed) {
            frame.release();
            return;
        }
        counters.wanIn(frame.wireLength);
        switch (frame.type) {
            case FrameType.DATA, FrameType.FIN -> {
                incoming.add(frame);
                processIncoming();
            }
            case FrameType.CREDIT -> {
                long written = frame.content().readUnsignedInt();
                long growth = frame.content().readUnsignedInt();
                frame.release();
                onCredit(written, growth);
            }
            case FrameType.CHUNK_REQUEST -> {
                ChunkId chunk = ChunkId.read(frame.content());
                frame.release();
                answerChunkRequest(chunk);
            }
            case FrameType.CHUNK_DATA -> {
                ChunkId chunk = ChunkId.read(frame.content());
                byte[] bytes = new byte[frame.content().readableBytes()];
                frame.content().readBytes(bytes);
                frame.release();
                onChunkData(chunk, bytes);
            }
            case FrameType.READ_AHEAD_READY -> {
                frame.release();
                peerAnswersReadAhead = true;
                if (nfs != null) {
                    nfs.readAheadForPeer();
                }
            }
            case FrameType.READ_AHEAD_CALL, FrameType.READ_AHEAD_REPLY, FrameType.READ_AHEAD_DROPPED,
                    FrameType.READ_AHEAD_DONE -> {
                ReadAheadMessage message = Frames.readAhead(frame.type, frame.content());
                frame.release();
                if (message == null || nfs == null) {
                    abort(message == null ? "malformed read-ahead frame" : "read-ahead on a flow not followed", true);
                } else {
                    nfs.fromPeer(message);
                }
            }
            case FrameType.RESET -> {
                String reason = Frames.readString(frame.content(), 1024);
                frame.release();
                abort("reset by " + tunnel.peerId() + ": " + reason, false);
            }
            default -> frame.release();
        }
    }

    /** The tunnel under this flow is gone: reset the LAN side, never truncate silently. */
    void tunnelLost(String why) {
        abort("tunnel to " + tunnel.peerId() + " lost: " + why, false);
    }

    // ---- sending: LAN -> WAN ----

    private void requestRead() {
        if (closed || lanEof || !lanConnected || readPending) {
            return;
        }
        if (sendCredit <= 0) {
            return;
        }
        if (!env.sendBudget().hasRoom(LAN_READ_SIZE, () -> executor.execute(this::requestRead))) {
            return;
        }
        readPending = true;
        lan.read();
        if (encoder.hasPending() && tailFlush == null) {
            tailFlush = executor.schedule(this::flushTail, env.settings().tailFlushDelay().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
    }

    private void onLanRead(ByteBuf data) {
        try {
            int length = data.readableBytes();
            counters.lanIn(length);
            if (tailFlush != null) {
                tailFlush.cancel(false);
                tailFlush = null;
            }
            if (!followerChosen) {
                chooseFollower(data, lanIsClient);
            }
            if (follower != null) {
                follower.fromLan(data);
            } else {
                List<EncodedBatch> batches = new ArrayList<>();
                encoder.add(data, batches);
                send(batches);
            }
        } finally {
            data.release();
        }
    }

    private void onLanReadComplete() {
        readPending = false;
        if (!closed) {
            requestRead();
        }
    }

    /**
     * Sends the partial chunk held at the end of what the LAN sender wrote, once it has been idle for
     * the tail-flush delay. Only while a read is outstanding: a flow held back by credit or the
     * memory cap is not idle, and cutting then would only make chunks that never match again.
     */
    private void flushTail() {
        tailFlush = null;
        if (closed || !readPending) {
            return;
        }
        List<EncodedBatch> batches = new ArrayList<>();
        encoder.flush(batches);
        send(batches);
    }

    private void onLanEof() {
        if (lanEof || closed) {
            return;
        }
        lanEof = true;
        if (tailFlush != null) {
            tailFlush.cancel(false);
            tailFlush = null;
        }
        if (follower != null) {
            follower.lanInputEnded();
        }
        List<EncodedBatch> batches = new ArrayList<>();
        encoder.flush(batches);
        send(batches);
        queue(Frames.fin(tunnel.alloc(), id));
        finSent = true;
        maybeFinish();
    }

    private void send(List<EncodedBatch> batches) {
        for (EncodedBatch batch : batches) {
            ByteBuf frame = Frames.data(tunnel.alloc(), id, batch.body());
            sendCredit -= batch.decodedLength();
            sent += batch.decodedLength();
            env.sendBudget().reserve(batch.decodedLength());
            inFlight.add(new InFlight(sent, batch.referenced()));
            queue(frame);
        }
    }

    private void onCredit(long written, long growth) {
        if (acked + written > sent) {
            abort("credit for " + written + " bytes beyond the " + (sent - acked) + " in flight", true);
            return;
        }
        acked += written;
        sendCredit += written + growth;
        env.sendBudget().release(written);
        while (!inFlight.isEmpty() && inFlight.peek().end() <= acked) {
            inFlight.poll();
        }
        requestRead();
        maybeFinish();
    }

    private void answerChunkRequest(ChunkId chunk) {
        byte[] bytes = null;
        for (InFlight batch : inFlight) {
            bytes = batch.referenced().get(chunk);
            if (bytes != null) {
                break;
            }
        }
        if (bytes == null) {
            abort("peer asked for chunk " + chunk + " that is not in flight", true);
            return;
        }
        control(Frames.chunkData(tunnel.alloc(), id, chunk, bytes));
    }

    // ---- receiving: WAN -> LAN ----

    private void processIncoming() {
        while (!closed && lanConnected && repairing == null && !incoming.isEmpty()) {
            TunnelFrame frame = incoming.poll();
            if (frame.type == FrameType.FIN) {
                frame.release();
                finReceived = true;
                shutdownLanOutput();
                return;
            }
            DecodedBatch batch;
            try {
                batch = decoder.decode(frame.content(), frame.streamOffset);
            } catch (IOException | RuntimeException e) {
                abort("undecodable batch: " + e.getMessage(), true);
                return;
            } finally {
                frame.release();
            }
            if (batch.missing().isEmpty()) {
                deliver(batch);
            } else {
                repairing = batch;
                for (ChunkId chunk : batch.missing()) {
                    control(Frames.chunkRequest(tunnel.alloc(), id, chunk));
                }
            }
        }
    }

    private void onChunkData(ChunkId chunk, byte[] bytes) {
        if (repairing == null) {
            return;
        }
        try {
            if (!repairing.supply(chunk, bytes, env.store())) {
                abort("repair of chunk " + chunk + " does not match its id", true);
                return;
            }
        } catch (IOException e) {
            abort("chunk store failed: " + e.getMessage(), true);
            return;
        }
        if (repairing.missing().isEmpty()) {
            DecodedBatch batch = repairing;
            repairing = null;
            deliver(batch);
            processIncoming();
        }
    }

    private void deliver(DecodedBatch batch) {
        ByteBuf data = batch.assemble(tunnel.alloc());
        if (!followerChosen) {
            chooseFollower(data, !lanIsClient);
        }
        if (follower != null) {
            follower.toLan(data);
        } else {
            writeStream(data);
        }
    }

    /**
     * Picks the follower by the flow's first bytes: an RPC call from the client is NFS, an SMB frame
     * SMB (each when enabled); anything else, or bytes from the server first, none.
     */
    private void chooseFollower(ByteBuf first, boolean fromClient) {
        followerChosen = true;
        if (fromClient) {
            chooseFollowerFor(first);
        }
        counters.alsoCountInto(env.protocolTraffic().of(follower == null ? ProtocolTraffic.GENERIC : follower.protocol()));
    }

    /** Follows the client's protocol when its first bytes say which it is (and following it is on). */
    private void chooseFollowerFor(ByteBuf first) {
        ProtocolSettings protocols = env.protocols();
        if (protocols.followNfs() && NfsFollower.startsRpcCall(first, protocols.nfsMaxRecordSize())) {
            nfs = new NfsFollower(lanIsClient, protocols, tunnel.alloc(), env.followCounters(), counters.sent, encoder,
                    env.fileChunks(), env.smartReadMaps(), new FollowerSide(), System::nanoTime);
            follower = nfs;
            if (peerAnswersReadAhead) {
                nfs.readAheadForPeer();
            }
            if (nfs.answersFromReadAhead()) {
                control(Frames.readAhead(tunnel.alloc(), id, new ReadAheadMessage.Ready()));
                long period = protocols.nfsReadAhead().maxAge().toNanos();
                readAheadExpiry = executor.scheduleAtFixedRate(() -> {
                    if (!closed) {
                        nfs.dropExpiredReadAhead();
                    }
                }, period, period, TimeUnit.NANOSECONDS);
            }
        } else if (protocols.followSmb() && SmbFollower.startsSmb(first)) {
            follower = new SmbFollower(lanIsClient, protocols, tunnel.alloc(), env.followCounters(), counters.sent,
                    encoder, env.fileChunks(), env.smartReadMaps(), new FollowerSide());
        }
    }

    /** Writes stream bytes to the LAN; they are credited to the far side once written. */
    private void writeStream(ByteBuf data) {
        int length = data.readableBytes();
        unwritten += length;
        counters.lanOut(length);
        lastWrite = lan.writeAndFlush(data);
        lastWrite.addListener(f -> {
            if (f.isSuccess()) {
                onLanWritten(length);
            } else {
                abort("LAN write failed: " + f.cause().getMessage(), true);
            }
        });
    }

    private void onLanWritten(int length) {
        if (closed) {
            return;
        }
        unwritten -= length;
        uncredited += length;
        long threshold = Math.min(window / 4, 256 << 10);
        if (uncredited >= threshold || (incoming.isEmpty() && repairing == null)) {
            long growth = Math.min(env.settings().flowMaxWindow() - window, uncredited);
            if (growth <= 0 || !env.receiveBudget().tryReserve(growth)) {
                growth = 0;
            }
            window += growth;
            control(Frames.credit(tunnel.alloc(), id, (int) uncredited, (int) growth));
            uncredited = 0;
        }
        maybeFinish();
    }

    private void shutdownLanOutput() {
        Runnable shut = () -> ((DuplexChannel) lan).shutdownOutput().addListener(f -> {
            lanOutputShut = true;
            maybeFinish();
        });
        if (lastWrite == null || lastWrite.isDone()) {
            shut.run();
        } else {
            lastWrite.addListener(f -> shut.run());
        }
    }

    /** Queues a DATA or FIN frame behind this flow's earlier ones, counting it. */
    private void queue(ByteBuf frame) {
        counters.wanOut(frame.readableBytes());
        tunnel.enqueue(this, frame);
    }

    /** Sends a control frame of this flow ahead of queued data, counting it. */
    private void control(ByteBuf frame) {
        counters.wanOut(frame.readableBytes());
        tunnel.sendControl(frame);
    }

    // ---- end of the flow ----

    private void maybeFinish() {
        if (!closed && finSent && finReceived && lanOutputShut && acked == sent && unwritten == 0) {
            finish(null);
        }
    }

    /** Ends the flow abnormally: the LAN side is reset, and the far side told when {@code tellPeer}. */
    void abort(String reason, boolean tellPeer) {
        if (closed) {
            return;
        }
        if (tellPeer) {
            tunnel.sendControl(Frames.reset(tunnel.alloc(), id, reason));
        }
        if (lan != null) {
            if (lan.isOpen()) {
                lan.config().setOption(ChannelOption.SO_LINGER, 0);
            }
        }
        finish(reason);
    }

    private void finish(String abortReason) {
        closed = true;
        if (tailFlush != null) {
            tailFlush.cancel(false);
        }
        if (readAheadExpiry != null) {
            readAheadExpiry.cancel(false);
        }
        if (lan != null) {
            if (abortReason == null && lan.isOpen()) {
                // A normal end: the kernel must still deliver what is in the socket's send buffer.
                lan.config().setOption(ChannelOption.SO_LINGER, -1);
            }
            lan.close();
        }
        encoder.close();
        if (follower != null) {
            follower.close();
        }
        TunnelFrame frame;
        while ((frame = incoming.poll()) != null) {
            frame.release();
        }
        env.receiveBudget().release(window);
        env.sendBudget().release(sent - acked);
        inFlight.clear();
        tunnel.unregister(this, abortReason != null);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        String followed = follower == null ? "" : follower.filesSummary();
        String files = followed.isEmpty() ? "" : "; " + follower.protocol() + " files: " + followed;
        if (abortReason == null) {
            LOG.info(() -> "flow " + description + " ended after " + millis + " ms: " + counters.summary() + files);
        } else {
            LOG.warning(() -> "flow " + description + " reset after " + millis + " ms (" + abortReason + "): "
                    + counters.summary() + files);
        }
    }

    /** What the NFS follower does to this flow. */
    private final class FollowerSide implements FollowedFlow {

        @Override
        public void send(List<EncodedBatch> batches) {
            Flow.this.send(batches);
        }

        @Override
        public void writeStream(ByteBuf bytes) {
            Flow.this.writeStream(bytes);
        }

        @Override
        public void tookStream(int length) {
            unwritten += length;
            onLanWritten(length);
        }

        @Override
        public void writeRecord(ByteBuf record) {
            counters.lanOut(record.readableBytes());
            lastWrite = lan.writeAndFlush(record);
            lastWrite.addListener(f -> {
                if (!f.isSuccess()) {
                    abort("LAN write failed: " + f.cause().getMessage(), true);
                }
            });
        }

        @Override
        public void execute(Runnable task) {
            executor.execute(task);
        }

        @Override
        public boolean acceptsRecords() {
            return !closed && lanConnected && !finReceived;
        }

        @Override
        public boolean tryHold(long bytes) {
            return env.receiveBudget().tryReserve(bytes);
        }

        @Override
        public void released(long bytes) {
            env.receiveBudget().release(bytes);
        }

        @Override
        public void tell(ReadAheadMessage message) {
            control(Frames.readAhead(tunnel.alloc(), id, message));
        }

        @Override
        public void fail(String reason) {
            // later: the follower is in the middle of its buffers, which the reset releases
            executor.execute(() -> abort(reason, true));
        }
    }

    /** The LAN side's events. */
    private final class LanHandler extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (closed || !(msg instanceof ByteBuf data)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            onLanRead(data);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            onLanReadComplete();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                onLanEof();
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!closed) {
                abort("LAN connection closed before the flow ended", true);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.log(Level.FINE, "LAN error on " + description, cause);
            abort("LAN error: " + cause.getMessage(), true);
        }
    }
}
