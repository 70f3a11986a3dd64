package io.wanopt.proxy;

import java.util.Locale;
import java.util.Map;

/** LAN and WAN bytes and flows of an appliance per followed protocol: "nfs", "smb" and "generic" for the rest. */
public final class ProtocolTraffic {

    public static final String NFS = "nfs";
    public static final String SMB = "smb";
    public static final String GENERIC = "generic";

    private final Map<String, TrafficCounters> byProtocol = Map.of(NFS, new TrafficCounters(), SMB,
            new TrafficCounters(), GENERIC, new TrafficCounters());

    /** The counters of {@code protocol} (a constant, in any case; anything else counts as generic). */
    public TrafficCounters of(String protocol) {
        return byProtocol.getOrDefault(protocol.toLowerCase(Locale.ROOT), byProtocol.get(GENERIC));
    }
}
