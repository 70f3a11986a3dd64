package io.wanopt.protocols.smb;

/**
 * [MS-SMB2] 2.2.14.1 SMB2_FILEID: the handle a CREATE response gives for an open, 16 bytes
 * (Persistent, Volatile). All ones in a related compounded request means "the file of the previous
 * operation" ({@link #RELATED}, [MS-SMB2] 3.2.4.1.4).
 */
public record FileId(long persistent, long volatileId) {

    public static final FileId RELATED = new FileId(-1L, -1L);

    static FileId read(MessageReader message, int at, String what) {
        return new FileId(message.u64(at, what + ".Persistent"), message.u64(at + 8, what + ".Volatile"));
    }

    /** Whether this is the related-operations placeholder. */
    public boolean isRelated() {
        return equals(RELATED);
    }

    @Override
    public String toString() {
        return String.format("FileId(%016x:%016x)", persistent, volatileId);
    }
}
