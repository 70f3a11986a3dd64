package io.wanopt.protocols.smb;

/**
 * [MS-SMB2] 2.2.20 SMB2 READ Response. The data stays in the frame: {@code data} says where. Which file
 * and file offset it is comes from the request (see {@link SmbFileData}). StructureSize 17, then:
 *
 * <pre>
 * 66 DataOffset (1)   67 Reserved (1)   68 DataLength (4)   72 DataRemaining (4)   76 Flags/Reserved2 (4)
 * 80 Buffer (the data, at DataOffset from the header's first byte)
 * </pre>
 *
 * @param data          where the data lies in the frame (DataLength bytes)
 * @param dataRemaining bytes still to be read over RDMA (0 otherwise)
 * @param flags         SMB 3.1.1 {@code SMB2_READFLAG_RESPONSE_*}, else 0
 */
public record ReadResponse(FrameRange data, long dataRemaining, int flags) implements Smb2Body {

    public static final int STRUCTURE_SIZE = 17;
    private static final int BUFFER = 80;

    static ReadResponse read(MessageReader message) {
        message.expectStructure(STRUCTURE_SIZE, "READ response");
        return new ReadResponse(message.buffer("READ response data", 66, message.u8(66, "DataOffset"),
                message.u32(68, "DataLength"), BUFFER), message.u32(72, "DataRemaining"), message.i32(76, "Flags"));
    }
}
