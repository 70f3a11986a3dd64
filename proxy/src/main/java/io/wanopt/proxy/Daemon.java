package io.wanopt.proxy;

import io.wanopt.cache.store.ChunkStoreStats;
import io.wanopt.config.ConfigError;
import io.wanopt.config.PeerSettings;
import io.wanopt.config.WanoptSettings;
import io.wanopt.proxy.admin.Management;
import io.wanopt.proxy.admin.RecentLogs;
import io.wanopt.proxy.tunnel.PeerStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** {@code wanopt run --config FILE}: the appliance as a long-running process, until SIGTERM/SIGINT. */
public final class Daemon {

    private static final Logger LOG = Logger.getLogger(Daemon.class.getName());
    /** How long a stop waits for a start-up in progress before closing what has started by then. */
    private static final long STARTUP_WAIT_SECONDS = 20;

    private Daemon() {
    }

    /** Runs until the process is told to stop; returns 2 for bad arguments or config, 1 when start-up fails. */
    public static int run(String[] args, PrintStream err) {
        if (args.length != 2 || !args[0].equals("--config")) {
            err.println("usage: wanopt run --config FILE");
            return 2;
        }
        WanoptSettings settings;
        try {
            settings = WanoptSettings.load(Path.of(args[1]));
        } catch (ConfigError e) {
            err.println(e.getMessage());
            return 2;
        }
        LogFormat.install();
        RecentLogs recentLogs = new RecentLogs(settings.management().logLines(), new SimpleFormatter());
        Logger.getLogger("").addHandler(recentLogs);
        ScheduledExecutorService summaries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "wanopt-summary");
            thread.setDaemon(true);
            return thread;
        });
        // The hook goes in before anything starts: a SIGTERM while the appliance starts (its steering
        // installed, the admin socket not yet) must still end with the steering removed. It waits for
        // start-up to end, then closes what started.
        AtomicReference<Appliance> started = new AtomicReference<>();
        AtomicReference<Management> startedManagement = new AtomicReference<>();
        CountDownLatch startup = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        // JUL resets its handlers in its own shutdown hook, so the last words go straight to stderr.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                startup.await(STARTUP_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                // Nothing interrupts a shutdown hook; should it happen, close what started all the same.
                Thread.currentThread().interrupt();
            }
            summaries.shutdownNow();
            stop(settings, startedManagement.getAndSet(null), started.getAndSet(null), err);
            stopped.countDown();
        }, "wanopt-shutdown"));
        try {
            Appliance appliance = Appliance.start(settings);
            started.set(appliance);
            startedManagement.set(Management.start(appliance, settings.management(), recentLogs, summaries,
                    Path.of(args[1])));
            long interval = settings.summaryInterval().toMillis();
            summaries.scheduleAtFixedRate(() -> LOG.info(summary(appliance)), interval, interval, TimeUnit.MILLISECONDS);
        } catch (IOException | RuntimeException e) {
            closeQuietly(started.getAndSet(null));
            err.println("wanopt: cannot start: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            closeQuietly(started.getAndSet(null));
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            startup.countDown();
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Closes what started, in the reverse order; either may be null. */
    private static void stop(WanoptSettings settings, Management management, Appliance appliance, PrintStream err) {
        if (management != null) {
            try {
                management.close();
            } catch (IOException e) {
                err.println("removing the admin socket failed: " + e.getMessage());
            }
        }
        if (appliance == null) {
            return;
        }
        try {
            appliance.close();
            err.println("appliance " + settings.applianceId() + " stopped: " + appliance.counters().summary());
        } catch (IOException e) {
            err.println("appliance " + settings.applianceId() + " stopped; closing the chunk store failed: "
                    + e.getMessage());
        }
    }

    private static void closeQuietly(Appliance appliance) {
        if (appliance == null) {
            return;
        }
        try {
            appliance.close();
        } catch (IOException e) {
            LOG.warning("closing the appliance after a failed start: " + e.getMessage());
        }
    }

    /** The minute's summary line: traffic, dictionary and peers. */
    static String summary(Appliance appliance) {
        TrafficCounters counters = appliance.counters();
        ChunkStoreStats store = appliance.store().stats();
        StringJoiner peers = new StringJoiner(", ");
        for (PeerSettings peer : appliance.settings().peers()) {
            PeerStatus status = appliance.peer(peer.id());
            peers.add(peer.id() + (status.up()
                    ? " up rtt " + String.format(Locale.ROOT, "%.1f", Math.max(0, status.rttNanos()) / 1e6) + " ms, "
                            + status.flows() + " flows"
                    : " down"));
        }
        return "summary: " + counters.flows() + " flows since start; " + counters.summary()
                + "; store " + store.chunks() + " chunks, " + store.diskBytes() / (1 << 20) + " of "
                + store.diskBudget() / (1 << 20) + " MiB; buffered " + appliance.bufferedBytes() / 1024
                + " KiB; peers: " + peers + "; " + appliance.followCounters()
                + (appliance.inPathCounters() == null ? "" : "; " + appliance.inPathCounters());
    }
}
