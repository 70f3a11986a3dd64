package io.wanopt.protocols.smb;

/**
 * File data carried in an SMB2 message: the data of a READ response or a WRITE request, where it lies
 * in the frame and which file bytes it is. This is what the proxy cuts at file-block boundaries.
 *
 * @param file       the open, or null when its CREATE was not seen (or was evicted), or when a related
 *                   compounded WRITE follows a CREATE whose response has not come yet
 * @param fileId     the FileId the message used ({@link FileId#RELATED} when not resolved)
 * @param fileOffset file offset of the data's first byte (unsigned)
 * @param data       the data's place in the frame
 * @param written    true for WRITE data (client to server), false for READ data
 */
public record SmbFileData(OpenFile file, FileId fileId, long fileOffset, FrameRange data, boolean written) {

    /**
     * The file data in {@code message}, or null when it carries none. A READ response needs its request (for
     * the file offset): without one it gives null.
     */
    public static SmbFileData of(Smb2Message message) {
        if (message instanceof Smb2Request request && request.body() instanceof WriteRequest write) {
            return new SmbFileData(request.file(), resolved(request.file(), write.fileId()), write.offset(),
                    write.data(), true);
        }
        if (message instanceof Smb2Response response && response.body() instanceof ReadResponse read
                && response.request() != null && response.request().body() instanceof ReadRequest asked) {
            return new SmbFileData(response.file(), resolved(response.file(), asked.fileId()), asked.offset(),
                    read.data(), false);
        }
        return null;
    }

    private static FileId resolved(OpenFile file, FileId used) {
        return file != null ? file.fileId() : used;
    }
}
