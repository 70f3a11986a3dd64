package io.wanopt.config;

import java.net.InetSocketAddress;

/** One entry of {@code wanopt.listeners}: LAN connections on {@code listen} go via {@code peer} to {@code target}. */
public record ListenerSettings(InetSocketAddress listen, String targetHost, int targetPort, String peer) {
}
