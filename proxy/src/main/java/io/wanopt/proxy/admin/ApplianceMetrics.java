package io.wanopt.proxy.admin;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.wanopt.cache.codec.CodecCounters;
import io.wanopt.cache.store.ChunkStoreStats;
import io.wanopt.config.PeerSettings;
import io.wanopt.protocols.smb.FrameKind;
import io.wanopt.proxy.Appliance;
import io.wanopt.proxy.ProtocolTraffic;
import io.wanopt.proxy.TrafficCounters;
import io.wanopt.proxy.follow.FollowCounters;
import io.wanopt.proxy.inpath.InPathCounters;
import io.wanopt.proxy.tunnel.PeerStatus;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * An appliance's own counters as Prometheus metrics ({@code wanopt_*}), read from the appliance at
 * every scrape: nothing is counted twice and nothing here can drift from {@code wanopt status}.
 * Counters given here without {@code _total} are exposed with it. Traffic is only counted per peer
 * (every flow belongs to one), so appliance totals are {@code sum without (peer)}.
 */
final class ApplianceMetrics {

    private static final double NANOS_PER_SECOND = 1e9;

    private final PrometheusRegistry registry;
    private final Appliance appliance;

    private ApplianceMetrics(PrometheusRegistry registry, Appliance appliance) {
        this.registry = registry;
        this.appliance = appliance;
    }

    /** Registers every {@code wanopt_*} metric of {@code appliance} on {@code registry}. */
    static void register(PrometheusRegistry registry, Appliance appliance) {
        ApplianceMetrics metrics = new ApplianceMetrics(registry, appliance);
        metrics.registerPeers();
        metrics.registerCodec();
        metrics.registerStore();
        metrics.registerFollowers();
        if (appliance.inPathCounters() != null) {
            metrics.registerInPath(appliance.inPathCounters());
        }
        metrics.registerAppliance();
    }

    private void registerPeers() {
        counter("wanopt_lan_bytes", "LAN bytes read from (in) and written to (out) connections carried through a peer.",
                cb -> eachPeer(peer -> {
                    cb.call(peer.counters().lanIn(), peer.id(), "in");
                    cb.call(peer.counters().lanOut(), peer.id(), "out");
                }), "peer", "direction");
        counter("wanopt_wan_bytes", "Tunnel frame bytes received from (in) and sent to (out) a peer for flows.",
                cb -> eachPeer(peer -> {
                    cb.call(peer.counters().wanIn(), peer.id(), "in");
                    cb.call(peer.counters().wanOut(), peer.id(), "out");
                }), "peer", "direction");
        for (String kind : new String[] {"lan", "wan"}) {
            counter("wanopt_protocol_" + kind + "_bytes", kind.toUpperCase(Locale.ROOT) + " bytes of flows by the"
                    + " protocol followed (nfs, smb; generic for the rest), in and out; a flow counts from its first bytes.",
                    cb -> {
                        for (String protocol : new String[] {ProtocolTraffic.NFS, ProtocolTraffic.SMB, ProtocolTraffic.GENERIC}) {
                            TrafficCounters traffic = appliance.protocolTraffic().of(protocol);
                            cb.call(kind.equals("lan") ? traffic.lanIn() : traffic.wanIn(), protocol, "in");
                            cb.call(kind.equals("lan") ? traffic.lanOut() : traffic.wanOut(), protocol, "out");
                        }
                    }, "protocol", "direction");
        }
        counter("wanopt_flows", "Flows (TCP connections) carried through a peer since start.",
                cb -> eachPeer(peer -> cb.call(peer.counters().flows(), peer.id())), "peer");
        gauge("wanopt_flows_open", "Flows open now on the tunnel to a peer.",
                cb -> eachPeer(peer -> cb.call(peer.flows(), peer.id())), "peer");
        gauge("wanopt_reduction_ratio", "LAN bytes per WAN byte with a peer since start, both directions (1 when"
                        + " nothing crossed); over a window use the ratio of the rates of wanopt_lan_bytes_total and"
                        + " wanopt_wan_bytes_total.",
                cb -> eachPeer(peer -> cb.call(peer.counters().reduction(), peer.id())), "peer");
        gauge("wanopt_peer_up", "1 when the tunnel to a peer has completed its handshake and is open, else 0.",
                cb -> eachPeer(peer -> cb.call(peer.up() ? 1 : 0, peer.id())), "peer");
        gauge("wanopt_peer_rtt_seconds", "Last round trip measured by a keepalive on the tunnel to a peer (absent"
                        + " while the peer is down or not measured yet).",
                cb -> eachPeer(peer -> {
                    if (peer.up() && peer.rttNanos() >= 0) {
                        cb.call(peer.rttNanos() / NANOS_PER_SECOND, peer.id());
                    }
                }), "peer");
        counter("wanopt_tunnel_refused", "Tunnel connections refused because the other end could not prove to be a"
                + " configured peer.", cb -> cb.call(appliance.tunnels().refusedPeers()));
    }

    /** The encoders' (out) and decoders' (in) work per peer: how much the dictionary saved. */
    private void registerCodec() {
        codecCounter("wanopt_reference_chunks", "Chunks sent (out) or received (in) as references to the dictionary"
                + " (dictionary hits).", CodecCounters.Kind.REF_CHUNKS);
        codecCounter("wanopt_reference_bytes", "LAN bytes that references to the dictionary stood for.",
                CodecCounters.Kind.REF_BYTES);
        codecCounter("wanopt_literal_chunks", "Chunks sent (out) or received (in) as literals (not in the peer's"
                + " dictionary).", CodecCounters.Kind.LITERAL_CHUNKS);
        codecCounter("wanopt_literal_bytes", "LAN bytes of chunks sent or received as literals.",
                CodecCounters.Kind.LITERAL_BYTES);
        codecCounter("wanopt_literal_wire_bytes", "Bytes of literals on the tunnel, after compression.",
                CodecCounters.Kind.LITERAL_WIRE_BYTES);
        codecCounter("wanopt_zero_bytes", "LAN bytes sent or received as runs of zeros.", CodecCounters.Kind.ZERO_BYTES);
        // Only decoders repair and find corruption, so these have no direction.
        counter("wanopt_dictionary_repairs", "References received that this appliance's dictionary could not"
                        + " resolve and that the peer sent again (dictionary misses).",
                cb -> eachPeer(peer -> cb.call(peer.counters().received.get(CodecCounters.Kind.MISSES_REPAIRED),
                        peer.id())), "peer");
        counter("wanopt_corrupt_chunks", "Chunks read from this appliance's own store whose bytes did not match"
                        + " their id (fetched from the peer instead).",
                cb -> eachPeer(peer -> cb.call(peer.counters().received.get(CodecCounters.Kind.CORRUPT_CHUNKS),
                        peer.id())), "peer");
    }

    private void codecCounter(String name, String help, CodecCounters.Kind kind) {
        counter(name, help, cb -> eachPeer(peer -> {
            TrafficCounters counters = peer.counters();
            cb.call(counters.received.get(kind), peer.id(), "in");
            cb.call(counters.sent.get(kind), peer.id(), "out");
        }), "peer", "direction");
    }

    private void registerStore() {
        storeGauge("wanopt_store_chunks", "Chunks in the dictionary's index.", ChunkStoreStats::chunks);
        storeGauge("wanopt_store_bytes", "Bytes in the dictionary's segment files.", ChunkStoreStats::diskBytes);
        storeGauge("wanopt_store_budget_bytes", "The dictionary's configured disk budget.", ChunkStoreStats::diskBudget);
        counter("wanopt_store_hits", "Chunk reads answered by the dictionary, by tier (memory or disk).", cb -> {
            ChunkStoreStats stats = appliance.store().stats();
            cb.call(stats.memoryHits(), "memory");
            cb.call(stats.diskHits(), "disk");
        }, "tier");
        storeCounter("wanopt_store_misses", "Chunk reads of chunks the dictionary does not hold.",
                ChunkStoreStats::misses);
        storeCounter("wanopt_store_evicted_segments", "Segments dropped to keep the dictionary within its budget.",
                ChunkStoreStats::evictedSegments);
        storeCounter("wanopt_store_evicted_chunks", "Chunks dropped with evicted segments.",
                ChunkStoreStats::evictedChunks);
    }

    private void storeGauge(String name, String help, ToLongFunction<ChunkStoreStats> value) {
        gauge(name, help, cb -> cb.call(value.applyAsLong(appliance.store().stats())));
    }

    private void storeCounter(String name, String help, ToLongFunction<ChunkStoreStats> value) {
        counter(name, help, cb -> cb.call(value.applyAsLong(appliance.store().stats())));
    }

    private void registerFollowers() {
        FollowCounters follow = appliance.followCounters();
        counter("wanopt_followed_flows", "Flows whose protocol (nfs or smb) was followed to cut file data at file"
                + " offsets.", cb -> {
                    cb.call(follow.followedFlows(), "nfs");
                    cb.call(follow.smbFlows(), "smb");
                }, "protocol");
        counter("wanopt_followers_given_up", "Followed flows whose framing broke or exceeded a cap: passed on as"
                + " generic bytes from then on.", cb -> cb.call(follow.flowsGivenUp()));
        counter("wanopt_generic_messages", "Protocol messages passed on as generic bytes (deduplicated, not cut at"
                + " file offsets), by reason.", cb -> {
                    cb.call(follow.smbFrames(FrameKind.ENCRYPTED), "smb_encrypted");
                    cb.call(follow.smbFrames(FrameKind.COMPRESSED), "smb_compressed");
                    cb.call(follow.smbFrames(FrameKind.SMB1), "smb1");
                    cb.call(follow.notUnderstoodRecords(), "rpc_not_understood");
                    cb.call(follow.malformedRecords(), "rpc_malformed");
                }, "reason");
        followCounter("wanopt_file_aligned_bytes", "READ and WRITE data bytes cut at multiples of their file offset.",
                FollowCounters::alignedBytes);
        followCounter("wanopt_readahead_calls", "READs sent to a server ahead of its clients.",
                FollowCounters::readAheadCalls);
        followCounter("wanopt_readahead_answered_reads", "Client READs answered from read-ahead.",
                FollowCounters::readsAnswered);
        followCounter("wanopt_readahead_answered_bytes", "Bytes of client READs answered from read-ahead.",
                FollowCounters::readsAnsweredBytes);
        followCounter("wanopt_readahead_discarded_bytes", "Read-ahead bytes dropped unused.",
                FollowCounters::readAheadDiscardedBytes);
        followCounter("wanopt_smartread_mapped_disks", "VM disk file versions mapped by SmartRead.",
                FollowCounters::smartReadMaps);
        followCounter("wanopt_smartread_unmapped_disks", "VM disk file versions SmartRead could not map (sent as"
                + " they are).", FollowCounters::smartReadMapFailures);
        followCounter("wanopt_smartread_zeroed_bytes", "Bytes of guest-free blocks sent as zeros.",
                FollowCounters::freeBytesZeroed);
    }

    private void followCounter(String name, String help, ToLongFunction<FollowCounters> value) {
        counter(name, help, cb -> cb.call(value.applyAsLong(appliance.followCounters())));
    }

    private void registerInPath(InPathCounters inPath) {
        counter("wanopt_intercepted_connections", "Connections the in-path interceptor carried through a peer.",
                cb -> cb.call(inPath.intercepted.sum()));
        counter("wanopt_passed_connections", "Connections the in-path interceptor passed through unoptimized, by"
                + " reason (peers_down: no peer of their rule was up; no_rule: no rule matched).", cb -> {
                    cb.call(inPath.passedPeersDown.sum(), "peers_down");
                    cb.call(inPath.passedNoRule.sum(), "no_rule");
                }, "reason");
        counter("wanopt_passed_bytes", "Bytes relayed for passed-through connections, both directions.",
                cb -> cb.call(inPath.passedBytes.sum()));
        counter("wanopt_passed_failures", "Passed-through connections whose server could not be reached.",
                cb -> cb.call(inPath.passFailures.sum()));
    }

    private void registerAppliance() {
        gauge("wanopt_buffered_bytes", "LAN bytes held or promised for flows (both halves of memory.max-buffered).",
                cb -> cb.call(appliance.bufferedBytes()));
        gauge("wanopt_buffered_limit_bytes", "memory.max-buffered: the cap on wanopt_buffered_bytes.",
                cb -> cb.call(appliance.settings().maxBuffered()));
        gauge("wanopt_uptime_seconds", "Time since this appliance started.",
                cb -> cb.call(appliance.uptimeNanos() / NANOS_PER_SECOND));
    }

    private void eachPeer(Consumer<PeerStatus> action) {
        for (PeerSettings peer : appliance.settings().peers()) {
            action.accept(appliance.peer(peer.id()));
        }
    }

    private void counter(String name, String help, Consumer<CounterWithCallback.Callback> callback, String... labels) {
        CounterWithCallback.builder().name(name).help(help).labelNames(labels).callback(callback).register(registry);
    }

    private void gauge(String name, String help, Consumer<GaugeWithCallback.Callback> callback, String... labels) {
        GaugeWithCallback.builder().name(name).help(help).labelNames(labels).callback(callback).register(registry);
    }
}
