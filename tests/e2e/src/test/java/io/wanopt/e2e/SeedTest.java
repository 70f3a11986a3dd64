package io.wanopt.e2e;

import static io.wanopt.e2e.RealServerSetup.COPY_TIMEOUT;
import static io.wanopt.e2e.RealServerSetup.wanBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.harness.HostTools;
import io.wanopt.harness.SambaServer;
import io.wanopt.harness.Sites;
import io.wanopt.harness.SmbClient;
import io.wanopt.proxy.admin.Seeder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wanopt seed}: the branch learns an older version of a disk that is already at the branch;
 * the first move of the new version from the datacenter's file server then sends references for the
 * blocks the two share. Side by side, a file of the same size that nothing seeded crosses whole.
 */
class SeedTest {

    private static final int BLOCK = 32 << 10;
    private static final int SIZE = 8 << 20;
    /** One block in ten differs between the seeded version and the moved one. */
    private static final int CHANGED_EVERY = 10;

    @TempDir
    Path dir;

    @Test
    void theFirstMoveOfASimilarFileAfterASeedIsWarm() throws Exception {
        RealServerSetup.assumeInstalled(SambaServer.TOOLS);
        byte[] older = new byte[SIZE];
        new Random(5).nextBytes(older);
        byte[] newer = older.clone();
        Random changes = new Random(6);
        for (int block = 0; block < SIZE / BLOCK; block += CHANGED_EVERY) {
            byte[] changed = new byte[BLOCK];
            changes.nextBytes(changed);
            System.arraycopy(changed, 0, newer, block * BLOCK, BLOCK);
        }
        byte[] unrelated = new byte[SIZE];
        new Random(7).nextBytes(unrelated);
        Path atBranch = dir.resolve("branch-files").resolve("disk-v1.vmdk");
        Files.createDirectories(atBranch.getParent());
        Files.write(atBranch, older);

        try (SambaServer samba = SambaServer.start(dir.resolve("samba"), HostTools.freeLoopbackPort())) {
            Files.write(samba.shareDirectory().resolve("disk-v2.vmdk"), newer);
            Files.write(samba.shareDirectory().resolve("other.vmdk"), unrelated);
            try (Sites sites = new Sites(dir.resolve("sites"), "").branch("branch", samba.address())
                    .overWan(RealServerSetup.LINK).start();
                    Seeder seeder = new Seeder(sites.branch(0).store(), sites.branch(0).tunnels(), BLOCK)) {
                Path coldCopy = dir.resolve("other.vmdk");
                long cold = wanBytes(sites, () -> SmbClient.get(sites.entry(0), "other.vmdk", coldCopy, COPY_TIMEOUT));
                RealServerSetup.assertSameContent(samba.shareDirectory().resolve("other.vmdk"), coldCopy);

                seeder.start(atBranch.getParent());
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (seeder.progress().state() == Seeder.State.RUNNING && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                Seeder.Progress seeded = seeder.progress();
                assertEquals(Seeder.State.DONE, seeded.state(), seeded.toString());
                assertEquals(SIZE / BLOCK, seeded.chunksNew() + seeded.chunksKnown(), seeded.toString());
                assertEquals(1, seeded.peersTold(), "the datacenter was told");

                Path warmCopy = dir.resolve("disk-v2.vmdk");
                long warm = wanBytes(sites, () -> SmbClient.get(sites.entry(0), "disk-v2.vmdk", warmCopy, COPY_TIMEOUT));
                RealServerSetup.assertSameContent(samba.shareDirectory().resolve("disk-v2.vmdk"), warmCopy);
                System.getLogger(SeedTest.class.getName()).log(System.Logger.Level.INFO,
                        "{0} bytes: unseeded file {1} bytes on the WAN, first move after the seed {2}", SIZE, cold, warm);
                assertTrue(cold > SIZE * 9L / 10, "an unseeded file of random bytes crosses whole: " + cold);
                // A tenth of the blocks are new; the rest cross as references.
                assertTrue(sites.branch(0).protocolTraffic().of("smb").lanOut() >= 2L * SIZE,
                        "both copies counted as SMB at the branch");
                assertTrue(warm < SIZE / 4, "the first move after the seed put " + warm + " bytes on the WAN (cold: "
                        + cold + ")");
            }
        }
    }
}
