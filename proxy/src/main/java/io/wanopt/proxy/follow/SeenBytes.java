package io.wanopt.proxy.follow;

import io.wanopt.protocols.disk.ByteRange;
import io.wanopt.protocols.disk.RandomAccessSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bytes of a file that passed by (READ data), as a source the map parsers read: a read of bytes
 * not seen fails with {@link NotSeen}, saying where, so that the map is tried again once they pass.
 */
final class SeenBytes implements RandomAccessSource {

    /** The parsers asked for bytes that have not passed by (yet). */
    static final class NotSeen extends IOException {
        private static final long serialVersionUID = 1L;
        final long offset;

        NotSeen(long offset) {
            super("bytes at " + offset + " have not been read by the client");
            this.offset = offset;
        }
    }

    private final long size;
    private final TreeMap<Long, byte[]> pieces = new TreeMap<>();
    private long bytes;

    SeenBytes(long size) {
        this.size = size;
    }

    /** Keeps {@code data}, the file's bytes from {@code offset} (the caller's array, not copied), which were not seen. */
    void add(long offset, byte[] data) {
        pieces.put(offset, data);
        bytes += data.length;
    }

    /** The parts of {@code [offset, offset + length)} not seen, in order. */
    List<ByteRange> unseen(long offset, int length) {
        List<ByteRange> gaps = new ArrayList<>();
        long at = offset;
        long end = offset + length;
        Map.Entry<Long, byte[]> before = pieces.floorEntry(offset);
        if (before != null) {
            at = Math.max(at, before.getKey() + before.getValue().length);
        }
        for (Map.Entry<Long, byte[]> piece : pieces.subMap(offset, false, end, false).entrySet()) {
            if (piece.getKey() > at) {
                gaps.add(new ByteRange(at, piece.getKey() - at));
            }
            at = Math.max(at, piece.getKey() + piece.getValue().length);
        }
        if (at < end) {
            gaps.add(new ByteRange(at, end - at));
        }
        return gaps;
    }

    /** Whether the byte at {@code offset} passed by. */
    boolean has(long offset) {
        Map.Entry<Long, byte[]> piece = pieces.floorEntry(offset);
        return piece != null && offset < piece.getKey() + piece.getValue().length;
    }

    /** Bytes kept. */
    long bytes() {
        return bytes;
    }

    @Override
    public int read(long offset, byte[] dst, int dstOff, int len) throws IOException {
        if (offset >= size) {
            return -1;
        }
        int done = 0;
        int wanted = (int) Math.min(len, size - offset);
        while (done < wanted) {
            // Across adjacent pieces: a source reads short only at its end.
            long at = offset + done;
            Map.Entry<Long, byte[]> piece = pieces.floorEntry(at);
            if (piece == null || at >= piece.getKey() + piece.getValue().length) {
                throw new NotSeen(at);
            }
            int into = (int) (at - piece.getKey());
            int n = Math.min(wanted - done, piece.getValue().length - into);
            System.arraycopy(piece.getValue(), into, dst, dstOff + done, n);
            done += n;
        }
        return done;
    }

    @Override
    public long size() {
        return size;
    }
}
