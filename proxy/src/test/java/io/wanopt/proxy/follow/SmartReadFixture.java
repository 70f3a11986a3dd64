package io.wanopt.proxy.follow;

import io.wanopt.config.SmartReadSettings;
import io.wanopt.protocols.disk.UnsupportedFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What SmartRead follower tests share: the VM disk a client reads ({@link Ext4FlatExtent}), the encoder of
 * the appliance next to the storage, the far side that decodes what it sent, and the SmartRead maps made
 * for a test; all closed together.
 */
final class SmartReadFixture implements AutoCloseable {

    final Ext4FlatExtent extent;
    final EncodingFixture sender;
    final FarSide farSide;
    private final List<SmartReadMaps> maps = new ArrayList<>();

    /** Makes the disk {@code dir/diskName} (skipped without mkfs.ext4) and both appliances' stores in {@code dir}. */
    SmartReadFixture(Path dir, String diskName) throws IOException, InterruptedException, UnsupportedFormatException {
        extent = Ext4FlatExtent.make(dir, diskName);
        sender = new EncodingFixture(dir.resolve("sender"));
        farSide = new FarSide(dir.resolve("receiver"), sender);
    }

    /** SmartRead maps with {@code settings}, counted in {@code counters}. */
    SmartReadMaps maps(SmartReadSettings settings, FollowCounters counters) {
        SmartReadMaps made = new SmartReadMaps(settings, counters);
        maps.add(made);
        return made;
    }

    @Override
    public void close() throws IOException {
        maps.forEach(SmartReadMaps::close);
        sender.close();
        farSide.close();
    }
}
