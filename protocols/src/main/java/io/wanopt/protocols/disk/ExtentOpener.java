package io.wanopt.protocols.disk;

import java.io.IOException;

/** Opens a file a VMDK descriptor names (relative to the descriptor's directory) as a source. */
@FunctionalInterface
public interface ExtentOpener {

    /** The extent file {@code name}, opened for reading; the caller closes it. */
    RandomAccessSource open(String name) throws IOException;
}
