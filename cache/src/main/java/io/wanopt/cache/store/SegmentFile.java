package io.wanopt.cache.store;

import io.wanopt.cache.ChunkId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The on-disk format of a segment: {@code NNNNNNNN.seg}, an append-only sequence of records, each
 * a 40-byte header (4-byte magic, 32-byte chunk id, 4-byte big-endian length) followed by the bytes.
 */
final class SegmentFile {

    /** Marks the start of a record ("WCHK"); a torn or foreign tail does not start with it. */
    static final int MAGIC = 0x5743_484B;
    static final int HEADER_LENGTH = 4 + ChunkId.LENGTH + 4;

    private static final Pattern NAME = Pattern.compile("(\\d{8})\\.seg");

    /** A record found by {@link #scan}: its chunk's id, where the bytes start and how many. */
    record Record(ChunkId id, long dataOffset, int length) {
    }

    /** The records of a segment up to the first invalid one, and where the valid part ends. */
    record Scan(List<Record> records, long validLength) {
    }

    private SegmentFile() {
    }

    static Path path(Path directory, int number) {
        return directory.resolve(String.format("%08d.seg", number));
    }

    /** The number of a segment file, or empty when {@code file} is not named like one. */
    static OptionalInt number(Path file) {
        Matcher matcher = NAME.matcher(file.getFileName().toString());
        return matcher.matches() ? OptionalInt.of(Integer.parseInt(matcher.group(1))) : OptionalInt.empty();
    }

    /**
     * Reads the record headers of {@code size} bytes of {@code channel}. Stops at the first record
     * that is not whole (a torn append) or does not start with the magic.
     */
    static Scan scan(FileChannel channel, long size) throws IOException {
        List<Record> records = new ArrayList<>();
        ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH);
        long position = 0;
        while (size - position >= HEADER_LENGTH) {
            header.clear();
            if (!readFully(channel, header, position)) {
                break;
            }
            header.flip();
            if (header.getInt() != MAGIC) {
                break;
            }
            byte[] digest = new byte[ChunkId.LENGTH];
            header.get(digest);
            int length = header.getInt();
            long dataOffset = position + HEADER_LENGTH;
            if (length < 0 || length > size - dataOffset) {
                break;
            }
            records.add(new Record(ChunkId.wrap(digest), dataOffset, length));
            position = dataOffset + length;
        }
        return new Scan(records, position);
    }

    /** Fills {@code buffer} from {@code position}; false when the file ends first. */
    static boolean readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, at);
            if (read < 0) {
                return false;
            }
            at += read;
        }
        return true;
    }
}
