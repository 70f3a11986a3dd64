package io.wanopt.bench.vmmove;

import io.wanopt.protocols.disk.ByteRange;
import io.wanopt.protocols.disk.FileSource;
import io.wanopt.protocols.disk.FileUsageMap;
import io.wanopt.protocols.disk.UnsupportedFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What a VM disk file becomes through wanopt with {@code smartread.unused-blocks = zero}: the same
 * file with exactly the bytes its SmartRead map calls guest-free set to zero. The moves with SmartRead
 * are checked against this copy.
 */
final class ZeroedCopy {

    private static final int BLOCK = 1 << 20;

    private ZeroedCopy() {
    }

    /** Writes {@code target}: {@code source} with its guest-free bytes zeroed. Returns the map used. */
    static FileUsageMap write(Path source, Path target) throws IOException {
        FileUsageMap map;
        try (FileSource file = FileSource.open(source)) {
            map = FileUsageMap.read(file, source.getFileName().toString());
        } catch (UnsupportedFormatException e) {
            throw new IOException("SmartRead cannot map " + source + ": " + e.getMessage(), e);
        }
        byte[] block = new byte[BLOCK];
        try (InputStream in = Files.newInputStream(source); OutputStream out = Files.newOutputStream(target)) {
            long at = 0;
            for (int n = in.readNBytes(block, 0, BLOCK); n > 0; n = in.readNBytes(block, 0, BLOCK)) {
                for (ByteRange free : map.freeWithin(at, n)) {
                    Arrays.fill(block, (int) (free.offset() - at), (int) (free.end() - at), (byte) 0);
                }
                out.write(block, 0, n);
                at += n;
            }
        }
        return map;
    }
}
