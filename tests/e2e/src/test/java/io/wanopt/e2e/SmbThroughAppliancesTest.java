package io.wanopt.e2e;

import static io.wanopt.e2e.RealServerSetup.COPY_TIMEOUT;
import static io.wanopt.e2e.RealServerSetup.FIRST_VERSION;
import static io.wanopt.e2e.RealServerSetup.NEXT_VERSION;
import static io.wanopt.e2e.RealServerSetup.REPEAT_WAN_SHARE;
import static io.wanopt.e2e.RealServerSetup.assertSameContent;
import static io.wanopt.e2e.RealServerSetup.wanBytes;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.harness.SambaServer;
import io.wanopt.harness.HostTools;
import io.wanopt.harness.Sites;
import io.wanopt.harness.SmbClient;
import io.wanopt.harness.VmImages;
import io.wanopt.proxy.follow.FollowCounters;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * smbclient at the branch reads and writes a VM disk on a real Samba server beside the datacenter,
 * through both appliances and an emulated WAN; every copy arrives byte-exact, and a repeated copy
 * crosses the WAN as references.
 */
class SmbThroughAppliancesTest {

    @TempDir
    static Path dir;
    private static VmImages images;
    private static SambaServer samba;
    private static Sites sites;

    @BeforeAll
    static void start() throws Exception {
        RealServerSetup.assumeInstalled(SambaServer.TOOLS);
        images = RealServerSetup.images();
        samba = SambaServer.start(dir.resolve("samba"), HostTools.freeLoopbackPort());
        Files.copy(images.file(FIRST_VERSION), samba.shareDirectory().resolve(FIRST_VERSION));
        sites = new Sites(dir.resolve("sites"), "").branch("branch", samba.address())
                .overWan(RealServerSetup.LINK).start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (sites != null) {
            sites.close();
        }
        if (samba != null) {
            samba.close();
        }
    }

    private static InetSocketAddress viaAppliances() {
        return sites.entry(0);
    }

    @Test
    void aVmDiskPulledTwiceArrivesIntactAndTheSecondTimeAsReferences() throws IOException {
        Path original = samba.shareDirectory().resolve(FIRST_VERSION);
        Path first = dir.resolve("pulled-1.vmdk");
        Path second = dir.resolve("pulled-2.vmdk");
        long firstWan = wanBytes(sites, () -> SmbClient.get(viaAppliances(), FIRST_VERSION, first, COPY_TIMEOUT));
        assertSameContent(original, first);
        long secondWan = wanBytes(sites, () -> SmbClient.get(viaAppliances(), FIRST_VERSION, second, COPY_TIMEOUT));
        assertSameContent(original, second);
        FollowCounters followed = sites.datacenter().followCounters();
        assertTrue(followed.smbFlows() > 0 && followed.alignedBytes() >= 2 * Files.size(original),
                "SMB followed and READ data cut at file offsets: " + followed);
        assertTrue(secondWan < REPEAT_WAN_SHARE * Files.size(original),
                "repeated pull put " + secondWan + " bytes on the WAN for a " + Files.size(original) + "-byte file"
                        + " (first pull: " + firstWan + ")");
    }

    @Test
    void aVmDiskPushedTwiceArrivesIntactAndTheSecondTimeAsReferences() throws IOException {
        Path local = images.file(NEXT_VERSION);
        long firstWan = wanBytes(sites, () -> SmbClient.put(viaAppliances(), local, "pushed-1.vmdk", COPY_TIMEOUT));
        assertSameContent(local, samba.shareDirectory().resolve("pushed-1.vmdk"));
        long secondWan = wanBytes(sites, () -> SmbClient.put(viaAppliances(), local, "pushed-2.vmdk", COPY_TIMEOUT));
        assertSameContent(local, samba.shareDirectory().resolve("pushed-2.vmdk"));
        FollowCounters followed = sites.branch(0).followCounters();
        assertTrue(followed.alignedBytes() >= 2 * Files.size(local), "WRITE data cut at file offsets: " + followed);
        assertTrue(secondWan < REPEAT_WAN_SHARE * Files.size(local),
                "repeated push put " + secondWan + " bytes on the WAN for a " + Files.size(local) + "-byte file"
                        + " (first push: " + firstWan + ")");
    }
}
