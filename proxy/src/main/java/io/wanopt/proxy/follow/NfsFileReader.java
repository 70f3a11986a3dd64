package io.wanopt.proxy.follow;

import io.wanopt.protocols.disk.RandomAccessSource;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * A file on an NFS server read by the appliance itself, for a SmartRead map: blocks of the client's
 * read size, asked for through the flow (on its event loop) and waited for on the map's worker thread,
 * all before one deadline. The last few blocks are kept, since the map parsers read headers more than
 * once.
 */
final class NfsFileReader implements RandomAccessSource {

    /** Asks the flow for the block at an offset; the future gets its bytes (fewer at the file's end). */
    @FunctionalInterface
    interface BlockReads {
        void read(long offset, CompletableFuture<byte[]> block);
    }

    private static final int KEPT_BLOCKS = 8;

    private final long size;
    private final int blockSize;
    private final BlockReads reads;
    private final LongSupplier nanoTime;
    private final long deadline;
    private final Map<Long, byte[]> kept = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
            return size() > KEPT_BLOCKS;
        }
    };

    NfsFileReader(long size, int blockSize, BlockReads reads, LongSupplier nanoTime, long deadline) {
        this.size = size;
        this.blockSize = blockSize;
        this.reads = reads;
        this.nanoTime = nanoTime;
        this.deadline = deadline;
    }

    @Override
    public int read(long offset, byte[] dst, int dstOff, int len) throws IOException {
        if (offset >= size) {
            return -1;
        }
        long start = offset - offset % blockSize;
        byte[] block = block(start);
        int into = (int) (offset - start);
        int n = Math.min(len, block.length - into);
        if (n <= 0) {
            throw new IOException("the server returned " + block.length + " bytes at " + start + " of a file of "
                    + size + " bytes");
        }
        System.arraycopy(block, into, dst, dstOff, n);
        return n;
    }

    private byte[] block(long start) throws IOException {
        byte[] block = kept.get(start);
        if (block != null) {
            return block;
        }
        CompletableFuture<byte[]> reply = new CompletableFuture<>();
        reads.read(start, reply);
        try {
            block = reply.get(Math.max(0, deadline - nanoTime.getAsLong()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IOException("no reply to a READ at " + start + " within smartread.map-timeout");
        } catch (ExecutionException e) {
            throw new IOException("READ at " + start + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading at " + start);
        }
        kept.put(start, block);
        return block;
    }

    @Override
    public long size() {
        return size;
    }
}
