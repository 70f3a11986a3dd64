package io.wanopt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wanopt.harness.FileDigest;
import io.wanopt.harness.HostTools;
import io.wanopt.harness.Sites;
import io.wanopt.harness.VmImages;
import io.wanopt.proxy.wan.LinkProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the tests against real file servers share: the link between the sites, the VM disk images
 * they move, the check that the servers and clients are installed, and WAN byte counting.
 */
final class RealServerSetup {

    /** A link a CI run crosses in seconds with tens of MB, slow and long enough to be a WAN. */
    static final LinkProfile LINK = LinkProfile.of(50_000_000, Duration.ofMillis(40));
    /** The mission's reference link, 10 Mbit/s and 140 ms: where round trips cost most. */
    static final LinkProfile REFERENCE_LINK = LinkProfile.of(10_000_000, Duration.ofMillis(140));
    static final Duration COPY_TIMEOUT = Duration.ofMinutes(3);
    /** The VM disk the tests pull and push: hosted sparse, the first version and its next one. */
    static final String FIRST_VERSION = "linux-v1-monolithicSparse.vmdk";
    static final String NEXT_VERSION = "linux-v2-monolithicSparse.vmdk";
    /** A repeated copy may cost at most this share of the file on the WAN (references, headers, TLS). */
    static final double REPEAT_WAN_SHARE = 0.05;

    private RealServerSetup() {
    }

    /** Skips the calling test class, naming what is missing, unless the servers and image tools can run. */
    static void assumeInstalled(List<String> serverTools) {
        List<String> needed = new ArrayList<>(serverTools);
        needed.addAll(VmImages.Variant.SMALL.tools());
        Optional<String> unavailable = HostTools.unavailableReason(needed);
        assumeTrue(unavailable.isEmpty(), () -> unavailable.orElseThrow());
    }

    /** The small image set, built once and cached (see tests/vm-images). */
    static VmImages images() throws IOException {
        Path repo = Path.of(System.getProperty("user.dir")).resolve("../..").toAbsolutePath().normalize();
        return VmImages.ensure(repo, VmImages.Variant.SMALL, Duration.ofMinutes(5));
    }

    interface Copy {
        void run() throws IOException;
    }

    /** Runs {@code copy} and returns the bytes it put on the sites' WAN, both ways. */
    static long wanBytes(Sites sites, Copy copy) throws IOException {
        long before = sites.wan().bytesForwarded();
        copy.run();
        return sites.wan().bytesForwarded() - before;
    }

    static void assertSameContent(Path expected, Path actual) throws IOException {
        assertEquals(Files.size(expected), Files.size(actual), actual + " size");
        assertEquals(FileDigest.sha256(expected), FileDigest.sha256(actual), actual + " SHA-256");
    }
}
