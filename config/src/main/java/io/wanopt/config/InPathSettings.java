package io.wanopt.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

/**
 * {@code wanopt.in-path}: transparent interception of TCP connections routed through this appliance
 * (nftables TPROXY to an IP_TRANSPARENT listener), and what the appliance installs for it.
 *
 * @param enabled             whether connections are intercepted
 * @param lanInterfaces       interfaces on which the connections to intercept arrive
 * @param listenPort          port of the transparent listener TPROXY steers them to
 * @param rules               which connections go through which peers, first match wins
 * @param serverSource        the source address of this appliance's connections to servers
 * @param manageRules         whether the appliance installs its nftables table, rule and route itself
 * @param mark                firewall mark of steered packets
 * @param routeTable          routing table that delivers marked packets locally
 * @param nftTable            name of the appliance's own nftables table (family ip)
 */
public record InPathSettings(boolean enabled, List<String> lanInterfaces, int listenPort, List<Rule> rules,
        ServerSource serverSource, boolean manageRules, int mark, int routeTable, String nftTable) {

    public InPathSettings {
        lanInterfaces = List.copyOf(lanInterfaces);
        rules = List.copyOf(rules);
    }

    /** The address this appliance's connections to servers come from. */
    public enum ServerSource {
        /** This appliance's own address on the route to the server. */
        APPLIANCE,
        /** The client's address (IP_TRANSPARENT): the server sees the client; needs the route back through here. */
        CLIENT
    }

    /**
     * Connections to one of {@code destinations} on one of {@code ports} are carried through the
     * first of {@code peers} that is up.
     */
    public record Rule(List<Subnet> destinations, List<PortRange> ports, List<String> peers) {

        public Rule {
            destinations = List.copyOf(destinations);
            ports = List.copyOf(ports);
            peers = List.copyOf(peers);
        }

        /** Whether a connection to {@code address:port} falls under this rule. */
        public boolean matches(InetAddress address, int port) {
            return destinations.stream().anyMatch(subnet -> subnet.contains(address))
                    && ports.stream().anyMatch(range -> range.contains(port));
        }
    }

    /** An IPv4 subnet such as 10.20.0.0/16 (a single address is a /32). */
    public record Subnet(int network, int prefixLength) {

        public Subnet {
            if (prefixLength < 0 || prefixLength > 32) {
                throw new IllegalArgumentException("prefix length " + prefixLength + " is outside 0..32");
            }
            network &= mask(prefixLength);
        }

        public boolean contains(InetAddress address) {
            return address instanceof Inet4Address
                    && (toInt(address.getAddress()) & mask(prefixLength)) == network;
        }

        /** As nftables writes it: {@code 10.20.0.0/16}. */
        @Override
        public String toString() {
            return (network >>> 24) + "." + (network >>> 16 & 0xff) + "." + (network >>> 8 & 0xff) + "."
                    + (network & 0xff) + "/" + prefixLength;
        }

        private static int mask(int prefixLength) {
            return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
        }

        static int toInt(byte[] address) {
            return (address[0] & 0xff) << 24 | (address[1] & 0xff) << 16 | (address[2] & 0xff) << 8 | address[3] & 0xff;
        }
    }

    /** TCP ports {@code first..last}. */
    public record PortRange(int first, int last) {

        public boolean contains(int port) {
            return port >= first && port <= last;
        }

        /** As nftables writes it: {@code 445} or {@code 8000-8080}. */
        @Override
        public String toString() {
            return first == last ? Integer.toString(first) : first + "-" + last;
        }
    }
}
