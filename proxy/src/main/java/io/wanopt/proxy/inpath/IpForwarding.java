package io.wanopt.proxy.inpath;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether this host routes IPv4 packets on, which an in-path appliance needs for what it does not intercept. */
public final class IpForwarding {

    private static final Path SYSCTL = Path.of("/proc/sys/net/ipv4/ip_forward");

    private IpForwarding() {
    }

    /** True when forwarding is on, or when it cannot be read (no warning without evidence). */
    public static boolean enabled() {
        try {
            return !Files.readString(SYSCTL).strip().equals("0");
        } catch (IOException e) {
            return true;
        }
    }
}
