package io.wanopt.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tool lookup and the skip reason tests print when a host lacks the servers. */
class HostToolsTest {

    @Test
    void missingNamesOnlyTheAbsentCommands() {
        assertEquals(List.of("wanopt-no-such-tool"), HostTools.missing("sh", "wanopt-no-such-tool"));
    }

    @Test
    void theSkipReasonNamesTheMissingToolsAndHowToGetThem() {
        String reason = HostTools.unavailableReason(List.of("sh", "wanopt-no-such-tool", "wanopt-other-tool")).orElseThrow();
        assertTrue(reason.startsWith("missing wanopt-no-such-tool, wanopt-other-tool"), reason);
        assertTrue(reason.endsWith("(./wanopt test installs them as root)"), reason);
    }

    @Test
    void executableResolvesToAnAbsolutePathOrSaysWhatIsMissing() throws Exception {
        assertTrue(HostTools.executable("sh").startsWith("/"));
        String message = assertThrows(IOException.class, () -> HostTools.executable("wanopt-no-such-tool")).getMessage();
        assertTrue(message.contains("wanopt-no-such-tool"), message);
    }
}
