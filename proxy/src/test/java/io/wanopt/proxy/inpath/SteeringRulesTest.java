package io.wanopt.proxy.inpath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wanopt.config.InPathSettings;
import io.wanopt.config.WanoptSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SteeringRulesTest {

    private static InPathSettings settings() throws Exception {
        return WanoptSettings.parse("""
                wanopt {
                  appliance-id = branch
                  tls.insecure-plaintext = true
                  peers = [ { id = dc1 }, { id = dc2 } ]
                  in-path {
                    enabled = true
                    lan-interfaces = [eth1, "eth2.100"]
                    listen-port = 7811
                    mark = 0x10
                    route-table = 99
                    nft-table = wanopt_test
                    rules = [ { destinations = ["10.20.0.0/16", "192.0.2.7"], ports = [445, "20000-20100"], peers = [dc1, dc2] },
                              { destinations = ["198.51.100.0/24"], ports = [2049], peers = [dc2] } ]
                  }
                }""", "test.conf").inPath();
    }

    @Test
    void eachRuleSteersOnlyNewConnectionsFromTheLanToTheListener() throws Exception {
        String table = new SteeringRules(settings()).nftTable();
        List<String> rules = table.lines().map(String::strip).filter(line -> !line.startsWith("#")).toList();
        assertEquals(List.of(
                "table ip wanopt_test {",
                "chain prerouting {",
                "type filter hook prerouting priority mangle; policy accept;",
                "tcp flags & (syn | ack) != syn socket transparent 1 meta mark set 0x10 accept",
                "iifname { \"eth1\", \"eth2.100\" } ip daddr { 10.20.0.0/16, 192.0.2.7/32 } tcp dport { 445, 20000-20100 }"
                        + " tcp flags & (fin | syn | rst | ack) == syn tproxy to :7811 meta mark set 0x10 accept",
                "iifname { \"eth1\", \"eth2.100\" } ip daddr { 198.51.100.0/24 } tcp dport { 2049 }"
                        + " tcp flags & (fin | syn | rst | ack) == syn tproxy to :7811 meta mark set 0x10 accept",
                "}",
                "}"), rules);
    }

    @Test
    void theScriptsInstallReplacingLeftoversAndRemoveOnlyWhatIsOurs() throws Exception {
        SteeringRules steering = new SteeringRules(settings());
        String install = steering.installScript();
        assertTrue(install.contains("while ip rule del fwmark 0x10 lookup 99 2>/dev/null; do :; done\nip rule add fwmark 0x10 lookup 99\n"), install);
        assertTrue(install.contains("ip route replace local 0.0.0.0/0 dev lo table 99\n"), install);
        assertTrue(install.contains("table ip wanopt_test {}\ndelete table ip wanopt_test\n" + steering.nftTable()), install);
        String remove = steering.removeScript();
        assertTrue(remove.contains("nft delete table ip wanopt_test"), remove);
        assertTrue(remove.contains("ip route flush table 99"), remove);
        assertTrue(!remove.contains("flush ruleset"), remove);
    }

    /** The kernel's nftables accepts the table (checked with nft -c, which changes nothing). */
    @Test
    void nftablesAcceptsTheTable() throws Exception {
        Path nft = Path.of("/usr/sbin/nft");
        assumeTrue(Files.isExecutable(nft) && "root".equals(System.getProperty("user.name")), "needs root and nftables");
        Process check = new ProcessBuilder(nft.toString(), "-c", "-f", "-").redirectErrorStream(true).start();
        check.getOutputStream().write(new SteeringRules(settings()).nftTable().getBytes(StandardCharsets.UTF_8));
        check.getOutputStream().close();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, check.exitValue(), output);
    }
}
