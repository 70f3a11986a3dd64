package io.wanopt.config;

import java.net.InetSocketAddress;

/**
 * One entry of {@code wanopt.peers}.
 *
 * @param address the peer's tunnel address to dial, or null when the peer dials in
 * @param linkRateBitsPerSecond the WAN link rate towards the peer
 * @param compression the configured choice, before {@code auto} is resolved
 */
public record PeerSettings(String id, InetSocketAddress address, long linkRateBitsPerSecond, Compression compression) {
}
