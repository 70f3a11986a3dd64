package io.wanopt.protocols.smb;

import java.time.Duration;
import java.time.Instant;

/**
 * A file's times, sizes and attributes as a CREATE response ([MS-SMB2] 2.2.14) or a CLOSE response with
 * SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB ([MS-SMB2] 2.2.16) reports them: the same 52 bytes at the same place
 * in both. Times are FILETIMEs ([MS-DTYP] 2.3.3: 100 ns since 1601-01-01 UTC); see {@link #instant(long)}.
 *
 * @param endOfFile the file size in bytes
 */
public record NetworkOpenInfo(long creationTime, long lastAccessTime, long lastWriteTime, long changeTime,
        long allocationSize, long endOfFile, int fileAttributes) {

    /** Message position of CreationTime in both responses. */
    static final int OFFSET = 72;

    private static final Instant FILETIME_EPOCH = Instant.parse("1601-01-01T00:00:00Z");

    static NetworkOpenInfo read(MessageReader message) {
        return new NetworkOpenInfo(
                message.u64(OFFSET, "CreationTime"),
                message.u64(OFFSET + 8, "LastAccessTime"),
                message.u64(OFFSET + 16, "LastWriteTime"),
                message.u64(OFFSET + 24, "ChangeTime"),
                message.u64(OFFSET + 32, "AllocationSize"),
                message.u64(OFFSET + 40, "EndofFile"),
                message.i32(OFFSET + 48, "FileAttributes"));
    }

    /** A FILETIME as an instant (the value is unsigned; the top bit is never set in practice). */
    public static Instant instant(long fileTime) {
        return FILETIME_EPOCH.plus(Duration.ofSeconds(Long.divideUnsigned(fileTime, 10_000_000),
                Long.remainderUnsigned(fileTime, 10_000_000) * 100));
    }
}
