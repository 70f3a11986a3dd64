package io.wanopt.protocols.nfs.v4;

import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.NfsTime;

/**
 * The attributes wanopt looks at in an RFC 7530 §5 {@code fattr4}: those that identify a file and
 * reveal that it changed. Each is null when the mask did not include it (or the walk stopped first).
 *
 * @param mask           {@code attrmask}: every attribute sent
 * @param type           1 {@code type} ({@code nfs_ftype4}: 1 regular, 2 directory, ...)
 * @param change         3 {@code change}: differs whenever data or metadata changed
 * @param size           4 {@code size}
 * @param fileHandle     19 {@code filehandle}
 * @param fileId         20 {@code fileid}
 * @param timeMetadata   52 {@code time_metadata} (ctime)
 * @param timeModify     53 {@code time_modify} (mtime)
 * @param setsTimeModify 54 {@code time_modify_set} was sent (SETATTR, OPEN with create)
 * @param complete       every attribute in the mask was walked; false when an attribute this decoder does not
 *                       know (number 56 and up) came before the end, so later ones were skipped unread
 */
public record Fattr4(Bitmap4 mask, Integer type, Long change, Long size, FileHandle fileHandle, Long fileId,
        NfsTime timeMetadata, NfsTime timeModify, boolean setsTimeModify, boolean complete) {

    public static final int TYPE = 1;
    public static final int CHANGE = 3;
    public static final int SIZE = 4;
    public static final int FILEHANDLE = 19;
    public static final int FILEID = 20;
    public static final int TIME_METADATA = 52;
    public static final int TIME_MODIFY = 53;
    public static final int TIME_MODIFY_SET = 54;
}
