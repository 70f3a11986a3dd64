package io.wanopt.harness;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.wanopt.config.ConfigError;
import io.wanopt.config.WanoptSettings;
import io.wanopt.proxy.Appliance;
import io.wanopt.proxy.pki.Pki;
import io.wanopt.proxy.wan.LinkProfile;
import io.wanopt.proxy.wan.WanEmulator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Appliances wired to each other on loopback: a datacenter appliance that listens for tunnels, and
 * branch appliances that dial it, each with explicit listeners to target servers beside the
 * datacenter. With {@link #overWan} the tunnels cross an emulated WAN link, as between two sites.
 * Keys and certificates are made with the project's own PKI code; stores live under the given
 * directory and survive {@link #restart} so warm-cache behaviour across restarts can be tested.
 */
public final class Sites implements AutoCloseable {

    private final Path dir;
    private final String extraConfig;
    private final List<String> branchIds = new ArrayList<>();
    private final List<List<InetSocketAddress>> targets = new ArrayList<>();
    private final List<Appliance> branches = new ArrayList<>();
    private Appliance datacenter;
    /** The datacenter's tunnel port, kept across restarts so that the branches' config stays right. */
    private int datacenterPort;
    private LinkProfile wanProfile;
    private EventLoopGroup wanGroup;
    private WanEmulator wan;
    private InetSocketAddress wanEntry;

    /** Sites whose appliances all get {@code extraConfig} (HOCON inside {@code wanopt { }}). */
    public Sites(Path dir, String extraConfig) throws IOException {
        this.dir = dir;
        this.extraConfig = extraConfig;
        Pki.createCa(dir.resolve("ca"), "wanopt test CA");
        Pki.issue(dir.resolve("ca"), dir.resolve("keys"), "dc");
    }

    /** Adds a branch with one listener per target, in order; call before {@link #start}. */
    public Sites branch(String id, InetSocketAddress... listenerTargets) throws IOException {
        branchIds.add(id);
        targets.add(List.of(listenerTargets));
        Pki.issue(dir.resolve("ca"), dir.resolve("keys"), id);
        return this;
    }

    /** Makes the tunnels cross an emulated WAN link of {@code profile}; call before {@link #start}. */
    public Sites overWan(LinkProfile profile) {
        this.wanProfile = profile;
        return this;
    }

    /** Replaces the key and certificate of {@code id} with ones issued by a CA the others do not trust. */
    public Sites withForeignCertificate(String id) throws IOException {
        Path foreign = dir.resolve("foreign-ca");
        Pki.createCa(foreign, "someone else's CA");
        Files.delete(dir.resolve("keys").resolve(id + ".key"));
        Files.delete(dir.resolve("keys").resolve(id + ".crt"));
        Pki.issue(foreign, dir.resolve("keys"), id);
        return this;
    }

    /** Starts the datacenter and the branches without waiting for their tunnels. */
    public Sites startWithoutWaiting() throws Exception {
        startDatacenter();
        if (wanProfile != null && wan == null) {
            wanGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            wan = new WanEmulator(wanGroup, wanProfile);
            wanEntry = wan.relay(new InetSocketAddress("127.0.0.1", 0), datacenter.tunnelAddress());
        }
        for (String id : branchIds) {
            branches.add(Appliance.start(branchSettings(id)));
        }
        return this;
    }

    public Sites start() throws Exception {
        startWithoutWaiting();
        for (Appliance branch : branches) {
            if (!branch.tunnels().awaitUp("dc", Duration.ofSeconds(20))) {
                throw new IllegalStateException(branch.settings().applianceId() + " could not reach dc");
            }
        }
        return this;
    }

    public Path dir() {
        return dir;
    }

    public Appliance datacenter() {
        return datacenter;
    }

    public Appliance branch(int index) {
        return branches.get(index);
    }

    /** The emulated WAN between the sites; null unless {@link #overWan} was called. */
    public WanEmulator wan() {
        return wan;
    }

    /** The address a client at branch {@code index} connects to for its first target. */
    public InetSocketAddress entry(int index) {
        return entry(index, 0);
    }

    /** The address a client at branch {@code index} connects to for target {@code listener}. */
    public InetSocketAddress entry(int index, int listener) {
        return branches.get(index).listenerAddress(listener);
    }

    private void startDatacenter() throws Exception {
        datacenter = Appliance.start(datacenterSettings());
        datacenterPort = datacenter.tunnelAddress().getPort();
    }

    /** Stops the datacenter appliance and starts it again on the same port and store; branches keep running. */
    public void restartDatacenter() throws Exception {
        datacenter.close();
        startDatacenter();
    }

    /** Stops the datacenter appliance for good: its tunnels and LAN connections go with it. */
    public void stopDatacenter() throws IOException {
        datacenter.close();
        datacenter = null;
    }

    /** Stops every appliance and starts them again on the same stores. */
    public void restart() throws Exception {
        closeAppliances();
        start();
    }

    public WanoptSettings datacenterSettings() throws IOException, ConfigError {
        StringBuilder peers = new StringBuilder();
        for (String id : branchIds) {
            peers.append("{ id = ").append(id).append(linkRate()).append(" }\n");
        }
        return settings("dc", "tunnel.listen = \"127.0.0.1:" + datacenterPort + "\"\npeers = [\n" + peers + "]\nlisteners = []\n");
    }

    public WanoptSettings branchSettings(String id) throws IOException, ConfigError {
        InetSocketAddress tunnel = wanEntry != null ? wanEntry : datacenter.tunnelAddress();
        StringBuilder listeners = new StringBuilder();
        for (InetSocketAddress target : targets.get(branchIds.indexOf(id))) {
            listeners.append("{ listen = \"127.0.0.1:0\", target = \"").append(target.getHostString()).append(':')
                    .append(target.getPort()).append("\", peer = dc }\n");
        }
        return settings(id, "peers = [ { id = dc, address = \"127.0.0.1:" + tunnel.getPort() + "\"" + linkRate()
                + " } ]\nlisteners = [\n" + listeners + "]\n");
    }

    /** The peer's link rate when the tunnels cross an emulated WAN, so the appliances pick their compression for it. */
    private String linkRate() {
        return wanProfile == null ? "" : ", link-rate = " + wanProfile.rateBitsPerSecond() + "bit";
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
        if (wan != null) {
            wan.close();
            wanGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
