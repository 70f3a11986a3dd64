package io.wanopt.proxy.admin;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.wanopt.proxy.Appliance;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The Prometheus endpoint of one appliance ({@code wanopt.management.metrics-listen}): GET
 * {@code /metrics} answers in the Prometheus text format (or OpenMetrics when asked for), with the
 * appliance's {@code wanopt_*} metrics and the JVM's ({@code jvm_*}, {@code process_*}). Every
 * endpoint has its own registry, so that two appliances in one JVM never mix their figures.
 */
public final class MetricsEndpoint implements AutoCloseable {

    private final PrometheusRegistry registry;
    private final HTTPServer server;
    private final InetSocketAddress boundAddress;

    private MetricsEndpoint(PrometheusRegistry registry, HTTPServer server, InetSocketAddress boundAddress) {
        this.registry = registry;
        this.server = server;
        this.boundAddress = boundAddress;
    }

    /** Serves GET /metrics (Prometheus text format) for {@code appliance} on {@code listen}; own registry per endpoint. */
    public static MetricsEndpoint start(InetSocketAddress listen, Appliance appliance) throws IOException {
        InetSocketAddress address = listen.isUnresolved() ? new InetSocketAddress(listen.getHostString(), listen.getPort()) : listen;
        if (address.isUnresolved()) {
            throw new IOException("cannot serve metrics on " + listen + ": unknown host");
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        ApplianceMetrics.register(registry, appliance);
        JvmMetrics.builder().register(registry);
        HTTPServer server;
        try {
            server = HTTPServer.builder().registry(registry).inetAddress(address.getAddress()).port(address.getPort())
                    .buildAndStart();
        } catch (IOException e) {
            registry.clear();
            throw new IOException("cannot serve metrics on " + address + ": " + e.getMessage(), e);
        }
        InetSocketAddress bound = new InetSocketAddress(address.getAddress(), server.getPort());
        return new MetricsEndpoint(registry, server, bound);
    }

    /** The address scrapers connect to (the actual port when started with port 0). */
    public InetSocketAddress boundAddress() {
        return boundAddress;
    }

    /** Stops serving and frees the port at once (a scrape in progress is cut off). */
    @Override
    public void close() {
        server.close();
        // JvmMetrics remembers every registry it was registered on for good: drop the appliance from it.
        registry.clear();
    }
}
