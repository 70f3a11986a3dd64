package io.wanopt.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.wanopt.cache.chunking.FastCdcChunker;
import io.wanopt.cache.store.SegmentChunkStore;
import io.wanopt.config.InPathSettings;
import io.wanopt.config.ListenerSettings;
import io.wanopt.config.PeerSettings;
import io.wanopt.config.TlsSettings;
import io.wanopt.config.WanoptSettings;
import io.wanopt.proxy.follow.FileChunkIndex;
import io.wanopt.proxy.follow.SmartReadMaps;
import io.wanopt.proxy.follow.FollowCounters;
import io.wanopt.proxy.inpath.InPathCounters;
import io.wanopt.proxy.inpath.IpForwarding;
import io.wanopt.proxy.inpath.SteeringRules;
import io.wanopt.proxy.inpath.TransparentInterceptor;
import io.wanopt.proxy.tunnel.FlowEnvironment;
import io.wanopt.proxy.tunnel.LanTransport;
import io.wanopt.proxy.tunnel.PeerStatus;
import io.wanopt.proxy.tunnel.TunnelManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;

/**
 * One wanopt appliance: its chunk store, its tunnels to peers and its explicit LAN listeners. Both
 * ends of a pair run this same class; "branch" and "datacenter" are only configuration.
 */
public final class Appliance implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Appliance.class.getName());

    /** The settings in effect: those of the start, with what reloads applied since. */
    private volatile WanoptSettings settings;
    private final SegmentChunkStore store;
    private final TrafficCounters counters = new TrafficCounters();
    private final ProtocolTraffic protocolTraffic = new ProtocolTraffic();
    private final FollowCounters followCounters = new FollowCounters();
    private final SmartReadMaps smartReadMaps;
    private final MemoryBudget sendBudget;
    private final MemoryBudget receiveBudget;
    private final LanTransport transport;
    private final TunnelManager tunnels;
    /** The in-path listener, or null when in-path is off. */
    private final TransparentInterceptor interceptor;
    /** The steering this appliance installed and must remove, or null. */
    private SteeringRules installedSteering;
    /** Explicit listeners by their settings, in the order they were bound. */
    private final Map<ListenerSettings, Channel> listeners = new LinkedHashMap<>();
    private final long startNanos = System.nanoTime();

    private Appliance(WanoptSettings settings) throws IOException {
        this.settings = settings;
        // Two halves, so that windows granted to peers can never starve this side's own sending
        // (a flow's first window is granted even past the cap; sending never is).
        this.sendBudget = new MemoryBudget(settings.maxBuffered() / 2);
        this.receiveBudget = new MemoryBudget(settings.maxBuffered() - settings.maxBuffered() / 2);
        this.store = SegmentChunkStore.open(settings.store());
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        InPathSettings inPath = settings.inPath();
        try {
            // Only in-path needs epoll (IP_TRANSPARENT); everything else keeps the portable transport.
            this.transport = inPath.enabled()
                    ? LanTransport.epoll(threads, inPath.serverSource() == InPathSettings.ServerSource.CLIENT)
                    : LanTransport.nio(threads);
        } catch (IllegalStateException e) {
            store.close();
            throw new IOException("in-path needs Linux: " + e.getMessage(), e);
        }
        this.smartReadMaps = new SmartReadMaps(settings.smartRead(), followCounters);
        FlowEnvironment env = new FlowEnvironment(store, new FastCdcChunker(settings.chunking()), settings.tunnel(),
                settings.compression().zstdLevel(), sendBudget, receiveBudget, transport, counters, protocolTraffic,
                settings.protocols(), followCounters, new FileChunkIndex(settings.protocols().fileChunkIndex()), smartReadMaps);
        TlsSettings tls = settings.tls();
        SslContext server = tls.insecurePlaintext() ? null : serverContext(tls);
        SslContext client = tls.insecurePlaintext() ? null : clientContext(tls);
        this.tunnels = new TunnelManager(settings, env, store.epoch(), server, client, System::nanoTime);
        this.interceptor = inPath.enabled()
                ? new TransparentInterceptor(inPath, transport, tunnels, settings.tunnel().connectTimeout())
                : null;
    }

    /** Opens the store, starts the tunnels and binds the listeners. */
    public static Appliance start(WanoptSettings settings) throws IOException, InterruptedException {
        Appliance appliance = new Appliance(settings);
        try {
            appliance.tunnels.start();
            for (ListenerSettings listener : settings.listeners()) {
                appliance.listen(listener);
            }
            appliance.startInPath();
        } catch (Exception e) {
            // Also a bind failure, which Netty rethrows undeclared: never leave the store locked.
            appliance.close();
            throw e;
        }
        LOG.info(() -> "appliance " + settings.applianceId() + " started (" + settings.origin() + ")");
        return appliance;
    }

    /** Binds the transparent listener, then steers connections to it (when this appliance manages the rules). */
    private void startInPath() throws InterruptedException, IOException {
        if (interceptor == null) {
            return;
        }
        interceptor.start();
        InPathSettings inPath = settings.inPath();
        if (inPath.manageRules()) {
            SteeringRules steering = new SteeringRules(inPath);
            try {
                steering.install();
            } catch (IOException e) {
                steering.remove();
                throw new IOException("cannot install the in-path steering: " + e.getMessage(), e);
            }
            installedSteering = steering;
            LOG.info(() -> "in-path: installed nftables table " + inPath.nftTable() + ", fwmark 0x"
                    + Integer.toHexString(inPath.mark()) + " -> table " + inPath.routeTable());
        } else {
            LOG.info("in-path: steering left to the admin (in-path.manage-rules = false; see wanopt nft-rules)");
        }
        if (!IpForwarding.enabled()) {
            LOG.warning("in-path: IPv4 forwarding is off (net.ipv4.ip_forward = 0): traffic this appliance does not"
                    + " intercept is not routed on");
        }
    }

    private static SslContext serverContext(TlsSettings tls) throws SSLException {
        return SslContextBuilder.forServer(tls.certificate().toFile(), tls.key().toFile())
                .sslProvider(SslProvider.OPENSSL)
                .trustManager(tls.trustedCa().toFile())
                .clientAuth(ClientAuth.REQUIRE)
                .protocols("TLSv1.3")
                .build();
    }

    private static SslContext clientContext(TlsSettings tls) throws SSLException {
        // Peers are dialled by address, and their identity is the certificate's CN, which the tunnel
        // checks against the peer it dialled; host-name verification would compare the address instead.
        return SslContextBuilder.forClient()
                .endpointIdentificationAlgorithm(null)
                .keyManager(tls.certificate().toFile(), tls.key().toFile())
                .sslProvider(SslProvider.OPENSSL)
                .trustManager(tls.trustedCa().toFile())
                .protocols("TLSv1.3")
                .build();
    }

    private void listen(ListenerSettings listener) throws InterruptedException {
        Channel channel = transport.lanListener(false, ch -> {
                    if (!tunnels.carry(ch, listener.targetHost(), listener.targetPort(), listener.peer())) {
                        LOG.warning(() -> "peer " + listener.peer() + " is down; refusing " + ch.remoteAddress()
                                + " on " + listener.listen());
                        ch.config().setOption(ChannelOption.SO_LINGER, 0);
                        ch.close();
                    }
                })
                .bind(listener.listen()).sync().channel();
        synchronized (listeners) {
            listeners.put(listener, channel);
        }
        LOG.info(() -> "listening on " + channel.localAddress() + " for " + listener.targetHost() + ':'
                + listener.targetPort() + " via " + listener.peer());
    }

    public WanoptSettings settings() {
        return settings;
    }

    /**
     * What a reload did: the changes applied while running, and the settings that differ but take
     * effect only at the next start.
     */
    public record ReloadReport(List<String> applied, List<String> needRestart) {
    }

    /**
     * Applies {@code next} (already validated) where that needs no restart: explicit listeners are
     * bound and closed (new ones first, so a port that cannot be bound changes nothing), and in-path
     * rules replace the running ones (the steering is reinstalled in one nftables transaction). Flows
     * already open are not touched. Everything else keeps running as it is and is reported.
     *
     * @throws IOException when a new listener cannot be bound or the steering cannot be reinstalled;
     *     the running settings are then unchanged
     */
    public synchronized ReloadReport reload(WanoptSettings next) throws IOException, InterruptedException {
        WanoptSettings running = settings;
        List<String> applied = new ArrayList<>();
        List<String> needRestart = SettingsDiff.needingRestart(running, next);
        List<String> peerIds = running.peers().stream().map(PeerSettings::id).toList();
        List<ListenerSettings> wanted = new ArrayList<>();
        for (ListenerSettings listener : next.listeners()) {
            if (peerIds.contains(listener.peer())) {
                wanted.add(listener);
            } else {
                needRestart.add("wanopt.listeners (" + listener.listen() + " names peer " + listener.peer()
                        + ", which is not running yet)");
            }
        }
        List<ListenerSettings> added = wanted.stream().filter(l -> !running.listeners().contains(l)).toList();
        List<ListenerSettings> removed = running.listeners().stream().filter(l -> !wanted.contains(l)).toList();
        List<ListenerSettings> bound = new ArrayList<>();
        try {
            for (ListenerSettings listener : added) {
                listen(listener);
                bound.add(listener);
            }
        } catch (RuntimeException e) {
            // Netty rethrows a bind failure undeclared.
            closeListeners(bound);
            throw new IOException("cannot listen on " + added.get(bound.size()).listen() + ": " + e.getMessage(), e);
        }
        closeListeners(removed);
        added.forEach(l -> applied.add("listener " + l.listen() + " -> " + l.targetHost() + ':' + l.targetPort() + " added"));
        removed.forEach(l -> applied.add("listener " + l.listen() + " removed"));

        InPathSettings inPath = running.inPath();
        if (interceptor != null && SettingsDiff.onlyRulesDiffer(inPath, next.inPath())) {
            InPathSettings rules = next.inPath();
            if (rules.rules().stream().flatMap(rule -> rule.peers().stream()).allMatch(peerIds::contains)) {
                if (installedSteering != null) {
                    SteeringRules steering = new SteeringRules(rules);
                    steering.install();
                    installedSteering = steering;
                }
                interceptor.update(rules);
                inPath = rules;
                applied.add("in-path rules (" + rules.rules().size() + ")" + (installedSteering != null
                        ? ", steering reinstalled" : ""));
            } else {
                needRestart.add("wanopt.in-path.rules (they name peers that are not running yet)");
            }
        }
        settings = new WanoptSettings(running.applianceId(), running.tls(), running.peers(), wanted, inPath,
                running.tunnel(), running.chunking(), running.store(), running.compression(), running.protocols(),
                running.smartRead(), running.maxBuffered(), running.summaryInterval(), running.management(), next.origin());
        ReloadReport report = new ReloadReport(List.copyOf(applied), List.copyOf(needRestart));
        LOG.info(() -> "reloaded " + next.origin() + ": " + (applied.isEmpty() ? "nothing to apply" : String.join("; ", applied))
                + (needRestart.isEmpty() ? "" : "; at the next start: " + String.join(", ", needRestart)));
        return report;
    }

    private void closeListeners(List<ListenerSettings> which) {
        for (ListenerSettings listener : which) {
            Channel channel;
            synchronized (listeners) {
                channel = listeners.remove(listener);
            }
            if (channel != null) {
                channel.close().syncUninterruptibly();
            }
        }
    }

    /** All traffic since start. */
    public TrafficCounters counters() {
        return counters;
    }

    /** All traffic since start, per followed protocol. */
    public ProtocolTraffic protocolTraffic() {
        return protocolTraffic;
    }

    /** What this appliance's protocol followers did (NFS flows, file-aligned bytes, pass-through). */
    public FollowCounters followCounters() {
        return followCounters;
    }

    /** LAN bytes sent to peers and not yet credited back (pinned until then). */
    public MemoryBudget sendBudget() {
        return sendBudget;
    }

    /** Windows granted to peers: what they may send here before more credit. */
    public MemoryBudget receiveBudget() {
        return receiveBudget;
    }

    /** Bytes this appliance holds or has promised to hold for flows: both halves of the cap. */
    public long bufferedBytes() {
        return sendBudget.used() + receiveBudget.used();
    }

    public SegmentChunkStore store() {
        return store;
    }

    public TunnelManager tunnels() {
        return tunnels;
    }

    public PeerStatus peer(String id) {
        return tunnels.status(id);
    }

    /** The bound address of the {@code index}-th listener (useful with port 0). */
    public InetSocketAddress listenerAddress(int index) {
        synchronized (listeners) {
            return (InetSocketAddress) new ArrayList<>(listeners.values()).get(index).localAddress();
        }
    }

    /** The bound tunnel address, or null when not listening for peers. */
    public InetSocketAddress tunnelAddress() {
        return tunnels.boundAddress();
    }

    public long uptimeNanos() {
        return System.nanoTime() - startNanos;
    }

    /** What the in-path interceptor did, or null when in-path is off. */
    public InPathCounters inPathCounters() {
        return interceptor == null ? null : interceptor.counters();
    }

    @Override
    public void close() throws IOException {
        // Steering goes first: from then on new connections are routed as if this appliance were not there.
        IOException steeringFailure = null;
        if (installedSteering != null) {
            try {
                installedSteering.remove();
                LOG.info(() -> "in-path: removed nftables table " + settings.inPath().nftTable() + ", its rule and route");
            } catch (IOException e) {
                steeringFailure = e;
                LOG.warning(() -> "in-path: removing the steering failed: " + e.getMessage());
            }
        }
        if (interceptor != null) {
            interceptor.close();
        }
        List<Channel> bound;
        synchronized (listeners) {
            bound = new ArrayList<>(listeners.values());
        }
        for (Channel listener : bound) {
            listener.close().syncUninterruptibly();
        }
        tunnels.close();
        transport.group().shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        smartReadMaps.close();
        store.close();
        LOG.info(() -> "appliance " + settings.applianceId() + " stopped: " + counters.summary() + "; " + followCounters
                + (interceptor == null ? "" : "; " + interceptor.counters()));
        if (steeringFailure != null) {
            throw steeringFailure;
        }
    }
}
