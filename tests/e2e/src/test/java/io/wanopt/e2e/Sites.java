package io.wanopt.e2e;

import io.wanopt.config.ConfigError;
import io.wanopt.config.WanoptSettings;
import io.wanopt.proxy.Appliance;
import io.wanopt.proxy.pki.Pki;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Test topology on loopback: a datacenter appliance that listens for tunnels, and branch appliances
 * that dial it, each with an explicit listener to a target server beside the datacenter. Keys and
 * certificates are made with the project's own PKI code; stores live under the test's directory
 * and survive {@link #restart} so warm-cache behaviour across restarts can be tested.
 */
final class Sites implements AutoCloseable {

    final Path dir;
    private final String extraConfig;
    private final List<String> branchIds = new ArrayList<>();
    private final List<Target> targets = new ArrayList<>();
    Appliance datacenter;
    /** The datacenter's tunnel port, kept across restarts so that the branches' config stays right. */
    private int datacenterPort;
    final List<Appliance> branches = new ArrayList<>();

    /** A server beside the datacenter that a branch listener leads to. */
    record Target(String branchId, InetSocketAddress address) {
    }

    Sites(Path dir, String extraConfig) throws IOException {
        this.dir = dir;
        this.extraConfig = extraConfig;
        Pki.createCa(dir.resolve("ca"), "wanopt test CA");
        Pki.issue(dir.resolve("ca"), dir.resolve("keys"), "dc");
    }

    /** Adds a branch whose single listener leads to {@code target}; call before {@link #start}. */
    Sites branch(String id, InetSocketAddress target) throws IOException {
        branchIds.add(id);
        targets.add(new Target(id, target));
        Pki.issue(dir.resolve("ca"), dir.resolve("keys"), id);
        return this;
    }

    /** Replaces the key and certificate of {@code id} with ones issued by a CA the others do not trust. */
    Sites withForeignCertificate(String id) throws IOException {
        Path foreign = dir.resolve("foreign-ca");
        Pki.createCa(foreign, "someone else's CA");
        Files.delete(dir.resolve("keys").resolve(id + ".key"));
        Files.delete(dir.resolve("keys").resolve(id + ".crt"));
        Pki.issue(foreign, dir.resolve("keys"), id);
        return this;
    }

    /** Starts the datacenter and the branches without waiting for their tunnels. */
    Sites startWithoutWaiting() throws Exception {
        startDatacenter();
        for (String id : branchIds) {
            branches.add(Appliance.start(branchSettings(id)));
        }
        return this;
    }

    Sites start() throws Exception {
        startWithoutWaiting();
        for (Appliance branch : branches) {
            if (!branch.tunnels().awaitUp("dc", Duration.ofSeconds(20))) {
                throw new IllegalStateException(branch.settings().applianceId() + " could not reach dc");
            }
        }
        return this;
    }

    Appliance branch(int index) {
        return branches.get(index);
    }

    /** The address a client at branch {@code index} connects to. */
    InetSocketAddress entry(int index) {
        return branches.get(index).listenerAddress(0);
    }

    private void startDatacenter() throws Exception {
        datacenter = Appliance.start(datacenterSettings());
        datacenterPort = datacenter.tunnelAddress().getPort();
    }

    /** Stops the datacenter appliance and starts it again on the same port and store; branches keep running. */
    void restartDatacenter() throws Exception {
        datacenter.close();
        startDatacenter();
    }

    /** Stops every appliance and starts them again on the same stores. */
    void restart() throws Exception {
        closeAppliances();
        start();
    }

    WanoptSettings datacenterSettings() throws IOException, ConfigError {
        StringBuilder peers = new StringBuilder();
        for (String id : branchIds) {
            peers.append("{ id = ").append(id).append(" }\n");
        }
        return settings("dc", "tunnel.listen = \"127.0.0.1:" + datacenterPort + "\"\npeers = [\n" + peers + "]\nlisteners = []\n");
    }

    WanoptSettings branchSettings(String id) throws IOException, ConfigError {
        Target target = targets.get(branchIds.indexOf(id));
        return settings(id, "peers = [ { id = dc, address = \"127.0.0.1:" + datacenter.tunnelAddress().getPort()
                + "\" } ]\nlisteners = [ { listen = \"127.0.0.1:0\", target = \"" + target.address().getHostString()
                + ':' + target.address().getPort() + "\", peer = dc } ]\n");
    }

    private WanoptSettings settings(String id, String topology) throws IOException, ConfigError {
        Path keys = dir.resolve("keys");
        String hocon = "wanopt {\n"
                + "appliance-id = " + id + "\n"
                + "tls { key = \"" + keys.resolve(id + ".key") + "\", certificate = \"" + keys.resolve(id + ".crt")
                + "\", trusted-ca = \"" + dir.resolve("ca").resolve("ca.crt") + "\" }\n"
                + "store { path = \"" + dir.resolve("store-" + id) + "\", disk-budget = 8GiB, memory-cache = 128MiB }\n"
                + topology
                + extraConfig + "\n}\n";
        Path file = dir.resolve(id + ".conf");
        Files.writeString(file, hocon);
        return WanoptSettings.load(file);
    }

    private void closeAppliances() throws IOException {
        for (Appliance branch : branches) {
            branch.close();
        }
        branches.clear();
        if (datacenter != null) {
            datacenter.close();
            datacenter = null;
        }
    }

    @Override
    public void close() throws IOException {
        closeAppliances();
    }
}
