package io.wanopt.protocols.smb;

/**
 * [MS-SMB2] 2.2.21 SMB2 WRITE Request. The data stays in the frame: {@code data} says where (its first
 * byte goes to file offset {@code offset}). StructureSize 49, then:
 *
 * <pre>
 *  66 DataOffset (2)   68 Length (4)   72 Offset (8)   80 FileId (16)   96 Channel (4)   100 RemainingBytes (4)
 * 104 WriteChannelInfoOffset (2)   106 WriteChannelInfoLength (2)   108 Flags (4)   112 Buffer (the data)
 * </pre>
 *
 * @param offset  file offset of the data's first byte (unsigned)
 * @param fileId  the open, or {@link FileId#RELATED} in a compounded chain
 * @param data    where the data lies in the frame (Length bytes at DataOffset from the header's first byte)
 * @param channel {@code SMB2_CHANNEL_NONE} (0) unless the data comes over RDMA
 * @param flags   {@code SMB2_WRITEFLAG_*} (write-through, unbuffered)
 */
public record WriteRequest(long offset, FileId fileId, FrameRange data, int channel, long remainingBytes, int flags)
        implements Smb2Body {

    public static final int STRUCTURE_SIZE = 49;
    private static final int BUFFER = 112;

    static WriteRequest read(MessageReader message) {
        message.expectStructure(STRUCTURE_SIZE, "WRITE request");
        return new WriteRequest(message.u64(72, "Offset"), FileId.read(message, 80, "FileId"),
                message.buffer("WRITE request data", 66, message.u16(66, "DataOffset"), message.u32(68, "Length"),
                        BUFFER),
                message.i32(96, "Channel"), message.u32(100, "RemainingBytes"), message.i32(108, "Flags"));
    }
}
