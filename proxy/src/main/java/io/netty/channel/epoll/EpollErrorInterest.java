package io.netty.channel.epoll;

import io.netty.channel.Channel;
import java.io.IOException;

/**
 * Works around a bug of Netty's epoll transport (4.2.18, still in 4.2.20) that loses half-closed
 * connections: when a channel's interest set becomes empty — its input shut down after the peer's FIN,
 * no read asked for, nothing waiting to be written — Netty removes its descriptor from epoll but keeps
 * it marked as added, so the next write that has to wait for EPOLLOUT fails with epoll_ctl ENOENT and
 * the connection is reset. That is the normal life of a client that sends its request, half-closes and
 * then reads a long answer slowly. Keeping EPOLLERR in the set (epoll reports errors whether asked or
 * not, so nothing else changes) means the set is never empty.
 *
 * <p>It lives in Netty's package because the interest set is package-private there. Remove it when
 * Netty re-adds the descriptor ({@code EpollIoHandler.DefaultEpollIoRegistration.submit}).
 */
public final class EpollErrorInterest {

    private EpollErrorInterest() {
    }

    /**
     * Keeps {@code channel}'s interest set from ever being empty. Call on its event loop once it is
     * connected; channels of other transports are left alone.
     */
    public static void keep(Channel channel) {
        if (channel instanceof AbstractEpollChannel epoll && channel.isOpen()) {
            try {
                epoll.setFlag(Native.EPOLLERR);
            } catch (IOException e) {
                channel.pipeline().fireExceptionCaught(e);
            }
        }
    }
}
