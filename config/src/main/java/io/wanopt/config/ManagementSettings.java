package io.wanopt.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * {@code wanopt.management}: how admins reach a running appliance.
 *
 * @param adminSocket   the CLI's Unix domain socket, or null for none
 * @param adminGroup    the socket's group, or empty for the daemon's own
 * @param metricsListen the Prometheus endpoint's address, or null for none
 * @param logLines      recent log lines kept for {@code wanopt logs}
 */
public record ManagementSettings(Path adminSocket, String adminGroup, InetSocketAddress metricsListen, int logLines) {
}
