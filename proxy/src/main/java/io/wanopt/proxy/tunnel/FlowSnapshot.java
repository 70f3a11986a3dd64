package io.wanopt.proxy.tunnel;

import java.time.Duration;

/**
 * One open flow as {@code wanopt flows} shows it.
 *
 * @param peer     the peer whose tunnel carries it
 * @param client   the client's address, or "" when this side does not know it
 * @param server   the server's host:port
 * @param protocol the file protocol followed ("nfs", "smb") or "generic"
 * @param file     the file it moved data of most recently, or "" when none is known
 * @param vmdk     whether that file is a VMware disk
 * @param lanBytes LAN bytes both ways
 * @param wanBytes WAN bytes both ways
 * @param age      time since the flow opened
 */
public record FlowSnapshot(String peer, String client, String server, String protocol, String file, boolean vmdk,
        long lanBytes, long wanBytes, Duration age) {

    /** LAN bytes per WAN byte (1 when nothing crossed). */
    public double reduction() {
        return wanBytes == 0 ? 1.0 : (double) lanBytes / wanBytes;
    }
}
