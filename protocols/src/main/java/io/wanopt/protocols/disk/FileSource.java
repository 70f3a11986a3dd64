package io.wanopt.protocols.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A local file read with positional {@link FileChannel} reads (safe from several threads). */
public final class FileSource implements RandomAccessSource {

    private final Path path;
    private final FileChannel channel;

    private FileSource(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /** Opens {@code path} read-only. */
    public static FileSource open(Path path) throws IOException {
        return new FileSource(path, FileChannel.open(path, StandardOpenOption.READ));
    }

    /** Opens extent files by name relative to {@code directory}, as a VMDK descriptor names them. */
    public static ExtentOpener opener(Path directory) {
        return name -> open(directory.resolve(name));
    }

    @Override
    public int read(long offset, byte[] dst, int dstOff, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        ByteBuffer buffer = ByteBuffer.wrap(dst, dstOff, len);
        int total = 0;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, offset + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total == 0 ? -1 : total;
    }

    @Override
    public long size() throws IOException {
        return channel.size();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "FileSource[" + path + ']';
    }
}
