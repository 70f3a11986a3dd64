package io.wanopt.proxy.admin;

import io.wanopt.config.ManagementSettings;
import io.wanopt.proxy.Appliance;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * How admins reach a running appliance ({@code wanopt run}): the traffic history behind
 * {@code wanopt status}, and the admin socket when {@code management.admin-socket} is set.
 */
public final class Management implements AutoCloseable {

    /** How often traffic totals are sampled for the last-minute and last-hour figures. */
    static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(5);
    private static final Duration HISTORY = Duration.ofHours(1).plus(SAMPLE_INTERVAL);

    private final ScheduledFuture<?> sampling;
    private final AdminSocket adminSocket;

    private Management(ScheduledFuture<?> sampling, AdminSocket adminSocket) {
        this.sampling = sampling;
        this.adminSocket = adminSocket;
    }

    /** Starts sampling on {@code scheduler} and opens the admin socket; {@code logs} is the daemon's log handler. */
    public static Management start(Appliance appliance, ManagementSettings settings, RecentLogs logs,
            ScheduledExecutorService scheduler) throws IOException {
        TrafficHistory history = new TrafficHistory(appliance.counters(), System::nanoTime, HISTORY);
        ScheduledFuture<?> sampling = scheduler.scheduleAtFixedRate(history::sample, SAMPLE_INTERVAL.toMillis(),
                SAMPLE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        AdminSocket socket = null;
        if (settings.adminSocket() != null) {
            try {
                socket = AdminSocket.open(settings.adminSocket(), settings.adminGroup(),
                        new AdminCommands(appliance, history, logs));
            } catch (IOException e) {
                sampling.cancel(false);
                throw new IOException("admin socket " + settings.adminSocket() + ": " + e.getMessage(), e);
            }
        }
        return new Management(sampling, socket);
    }

    /** Closes the admin socket (its file is removed) and stops sampling. */
    @Override
    public void close() throws IOException {
        sampling.cancel(false);
        if (adminSocket != null) {
            adminSocket.close();
        }
    }
}
