package io.wanopt.proxy.admin;

import io.wanopt.config.ManagementSettings;
import io.wanopt.proxy.Appliance;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * How admins reach a running appliance ({@code wanopt run}): the traffic history behind
 * {@code wanopt status}, the admin socket ({@code management.admin-socket}) and the Prometheus
 * endpoint ({@code management.metrics-listen}), each when set.
 */
public final class Management implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Management.class.getName());
    /** How often traffic totals are sampled for the last-minute and last-hour figures. */
    static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(5);
    private static final Duration HISTORY = Duration.ofHours(1).plus(SAMPLE_INTERVAL);

    private final ScheduledFuture<?> sampling;
    private final Seeder seeder;
    private final AdminSocket adminSocket;
    private final MetricsEndpoint metrics;

    private Management(ScheduledFuture<?> sampling, Seeder seeder, AdminSocket adminSocket, MetricsEndpoint metrics) {
        this.sampling = sampling;
        this.seeder = seeder;
        this.adminSocket = adminSocket;
        this.metrics = metrics;
    }

    /**
     * Starts sampling on {@code scheduler} and opens the admin socket and metrics endpoint; {@code logs}
     * is the daemon's log handler, {@code configFile} the site file {@code reload} re-reads (null: none).
     */
    public static Management start(Appliance appliance, ManagementSettings settings, RecentLogs logs,
            ScheduledExecutorService scheduler, Path configFile) throws IOException {
        TrafficHistory history = new TrafficHistory(appliance.counters(), System::nanoTime, HISTORY);
        ScheduledFuture<?> sampling = scheduler.scheduleAtFixedRate(history::sample, SAMPLE_INTERVAL.toMillis(),
                SAMPLE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        Seeder seeder = new Seeder(appliance.store(), appliance.tunnels(), appliance.settings().protocols().fileChunkSize());
        AdminSocket socket = null;
        try {
            if (settings.adminSocket() != null) {
                try {
                    socket = AdminSocket.open(settings.adminSocket(), settings.adminGroup(),
                            new AdminCommands(appliance, history, logs, configFile, seeder));
                } catch (AccessDeniedException e) {
                    throw new IOException("admin socket " + settings.adminSocket() + ": permission denied on "
                            + e.getFile() + " (run as root, or set management.admin-socket to a path this user may"
                            + " create, or to \"\" for none)", e);
                } catch (IOException e) {
                    throw new IOException("admin socket " + settings.adminSocket() + ": " + e.getMessage(), e);
                }
            }
            MetricsEndpoint metrics = settings.metricsListen() == null ? null
                    : MetricsEndpoint.start(settings.metricsListen(), appliance);
            if (metrics != null) {
                LOG.info(() -> "metrics on http://" + metrics.boundAddress().getHostString() + ':'
                        + metrics.boundAddress().getPort() + "/metrics");
            }
            return new Management(sampling, seeder, socket, metrics);
        } catch (IOException | RuntimeException e) {
            sampling.cancel(false);
            seeder.close();
            if (socket != null) {
                socket.close();
            }
            throw e;
        }
    }

    /** Stops the metrics endpoint, closes the admin socket (its file is removed) and stops sampling. */
    @Override
    public void close() throws IOException {
        sampling.cancel(false);
        seeder.close();
        if (metrics != null) {
            metrics.close();
        }
        if (adminSocket != null) {
            adminSocket.close();
        }
    }
}
