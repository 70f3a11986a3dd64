package io.wanopt.proxy.tunnel;

import io.wanopt.proxy.TrafficCounters;

/**
 * A peer as this appliance sees it now.
 *
 * @param up whether a tunnel to it has completed its handshake and is open
 * @param rttNanos the last measured round trip, or -1 when none yet
 * @param flows flows open on its tunnel
 * @param counters traffic with this peer since start
 */
public record PeerStatus(String id, boolean up, long rttNanos, int flows, TrafficCounters counters) {
}
