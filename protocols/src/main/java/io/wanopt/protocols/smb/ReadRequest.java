package io.wanopt.protocols.smb;

/**
 * [MS-SMB2] 2.2.19 SMB2 READ Request. StructureSize 49, then:
 *
 * <pre>
 *  66 Padding (1)   67 Flags (1)   68 Length (4)   72 Offset (8)   80 FileId (16)
 *  96 MinimumCount (4)   100 Channel (4)   104 RemainingBytes (4)
 * 108 ReadChannelInfoOffset (2)   110 ReadChannelInfoLength (2)   112 Buffer (at least one byte, often omitted)
 * </pre>
 *
 * @param padding the DataOffset the client asks the response to use (0x50 is the usual value)
 * @param flags   {@code SMB2_READFLAG_*} (3.0.2 unbuffered, 3.1.1 request compressed)
 * @param length  bytes asked for (unsigned)
 * @param offset  file offset (unsigned)
 * @param fileId  the open, or {@link FileId#RELATED} in a compounded chain
 * @param channel {@code SMB2_CHANNEL_NONE} (0) unless the data is to go over RDMA
 */
public record ReadRequest(int padding, int flags, long length, long offset, FileId fileId, long minimumCount,
        int channel, long remainingBytes) implements Smb2Body {

    public static final int STRUCTURE_SIZE = 49;

    static ReadRequest read(MessageReader message) {
        message.expectStructure(STRUCTURE_SIZE, "READ request");
        return new ReadRequest(message.u8(66, "Padding"), message.u8(67, "Flags"), message.u32(68, "Length"),
                message.u64(72, "Offset"), FileId.read(message, 80, "FileId"), message.u32(96, "MinimumCount"),
                message.i32(100, "Channel"), message.u32(104, "RemainingBytes"));
    }
}
