package io.wanopt.config;

import java.net.InetSocketAddress;
import java.time.Duration;

/** {@code wanopt.tunnel}. {@code listen} is null when this appliance does not accept peers. */
public record TunnelSettings(
        InetSocketAddress listen,
        Duration connectTimeout,
        Duration reconnectMinBackoff,
        Duration reconnectMaxBackoff,
        Duration keepaliveInterval,
        Duration keepaliveTimeout,
        int maxFrameSize,
        int flowInitialWindow,
        int flowMaxWindow,
        int batchSize,
        Duration tailFlushDelay) {
}
