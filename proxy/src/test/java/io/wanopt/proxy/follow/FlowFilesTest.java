package io.wanopt.proxy.follow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The paths a flow learns for its files, which SmartRead's per-path rules match. */
class FlowFilesTest {

    private final FlowFiles files = new FlowFiles();

    @Test
    void aPathIsTheNamesOfTheDirectoriesItWasFoundIn() {
        files.named("root", "/export");
        files.named("vms", "root", "vms");
        files.named("disk", "vms", "web-flat.vmdk");
        assertEquals("/export/vms/web-flat.vmdk", files.path("disk"));
        assertEquals("/export/vms", files.path("vms"));
    }

    @Test
    void withoutItsDirectoryAFileHasItsNameAlone() {
        files.named("disk", "unknown-dir", "web.vmdk");
        assertEquals("web.vmdk", files.path("disk"));
        assertNull(files.path("never-named"));
    }

    @Test
    void aLoopOfDirectoriesEnds() {
        files.named("file", "b", "file");
        files.named("b", "c", "b");
        files.named("c", "b", "c");
        assertEquals(65, files.path("file").split("/").length, "at most 64 directories up from the file");
        files.named("x", "y", "x");
        files.named("y", "x", "y");
        assertEquals("y/x", files.path("x"), "a walk that comes back to the file stops there");
    }
}
