package io.wanopt.proxy.tunnel;

import io.wanopt.cache.chunking.FastCdcChunker;
import io.wanopt.cache.store.ChunkStore;
import io.wanopt.config.ProtocolSettings;
import io.wanopt.config.TunnelSettings;
import io.wanopt.proxy.MemoryBudget;
import io.wanopt.proxy.ProtocolTraffic;
import io.wanopt.proxy.TrafficCounters;
import io.wanopt.proxy.follow.FileChunkIndex;
import io.wanopt.proxy.follow.FollowCounters;
import io.wanopt.proxy.follow.SmartReadMaps;

/**
 * What every flow of an appliance shares: the store, the chunker, the tunnel settings, the two
 * halves of the memory cap (bytes in flight to peers, windows granted to peers), the LAN event
 * loops and sockets, the appliance's counters (in total and per protocol), and how protocols are followed (with the file chunks seen and the
 * VM disk maps built).
 */
public record FlowEnvironment(
        ChunkStore store,
        FastCdcChunker chunker,
        TunnelSettings settings,
        int zstdLevel,
        MemoryBudget sendBudget,
        MemoryBudget receiveBudget,
        LanTransport lanTransport,
        TrafficCounters applianceCounters,
        ProtocolTraffic protocolTraffic,
        ProtocolSettings protocols,
        FollowCounters followCounters,
        FileChunkIndex fileChunks,
        SmartReadMaps smartReadMaps) {
}
