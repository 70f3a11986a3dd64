package io.wanopt.proxy.inpath;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.wanopt.config.InPathSettings;
import io.wanopt.proxy.tunnel.LanTransport;
import io.wanopt.proxy.tunnel.TunnelManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * The in-path listener: connections TPROXY steers here keep their original destination as the
 * accepted socket's local address. Each is carried through the first peer of its rule whose tunnel is
 * up; when none is, or no rule matches, it is passed through to its server unoptimized, never refused.
 */
public final class TransparentInterceptor implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TransparentInterceptor.class.getName());

    /** Replaced by a reload that changes only the rules. */
    private volatile InPathSettings settings;
    private final LanTransport transport;
    private final TunnelManager tunnels;
    private final Duration connectTimeout;
    private final InPathCounters counters = new InPathCounters();
    private Channel listener;

    public TransparentInterceptor(InPathSettings settings, LanTransport transport, TunnelManager tunnels,
            Duration connectTimeout) {
        this.settings = settings;
        this.transport = transport;
        this.tunnels = tunnels;
        this.connectTimeout = connectTimeout;
    }

    /**
     * Binds the transparent listener on every address, port {@code in-path.listen-port}.
     *
     * @throws IOException when the port cannot be bound or the socket did not take IP_TRANSPARENT
     *     (Netty only logs a refused option; a plain listener would never see a steered connection)
     */
    public void start() throws InterruptedException, IOException {
        String what = "in-path: cannot open the transparent listener on port " + settings.listenPort();
        try {
            listener = transport.lanListener(true, this::accepted)
                    .bind(new InetSocketAddress("0.0.0.0", settings.listenPort())).sync().channel();
        } catch (Exception e) {
            // Netty rethrows the bind failure undeclared.
            throw new IOException(what + ": " + e.getMessage(), e);
        }
        if (!Boolean.TRUE.equals(listener.config().getOption(EpollChannelOption.IP_TRANSPARENT))) {
            listener.close().syncUninterruptibly();
            throw new IOException(what + ": the socket refused IP_TRANSPARENT (needs root or CAP_NET_ADMIN)");
        }
        LOG.info(() -> "in-path: transparent listener on " + listener.localAddress() + " for connections arriving on "
                + String.join(", ", settings.lanInterfaces()));
    }

    private void accepted(SocketChannel ch) {
        InPathSettings settings = this.settings;
        InetSocketAddress destination = ch.localAddress();
        if (destination.getPort() == settings.listenPort()) {
            // Addressed to the listener itself, not steered: relaying it would connect back here.
            LOG.warning(() -> "in-path: refusing " + ch.remoteAddress() + ", which addressed the transparent listener directly");
            ch.close();
            return;
        }
        String host = destination.getAddress().getHostAddress();
        for (InPathSettings.Rule rule : settings.rules()) {
            if (!rule.matches(destination.getAddress(), destination.getPort())) {
                continue;
            }
            for (String peer : rule.peers()) {
                if (tunnels.carry(ch, host, destination.getPort(), peer)) {
                    counters.intercepted.increment();
                    return;
                }
            }
            counters.passedPeersDown.increment();
            PassThrough.relay(ch, transport, destination, connectTimeout, counters,
                    "no peer up (" + String.join(", ", rule.peers()) + ")");
            return;
        }
        counters.passedNoRule.increment();
        PassThrough.relay(ch, transport, destination, connectTimeout, counters, "no in-path rule matches");
    }

    /** Takes {@code next}'s rules for connections accepted from now on (same listener, interfaces, mark). */
    public void update(InPathSettings next) {
        settings = next;
    }

    public InPathCounters counters() {
        return counters;
    }

    /** The bound listener's address, or null before {@link #start}. */
    public InetSocketAddress listenerAddress() {
        return listener == null ? null : (InetSocketAddress) listener.localAddress();
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
    }
}
