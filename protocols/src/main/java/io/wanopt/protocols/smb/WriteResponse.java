package io.wanopt.protocols.smb;

/**
 * [MS-SMB2] 2.2.22 SMB2 WRITE Response. StructureSize 17, then:
 *
 * <pre>
 * 66 Reserved (2)   68 Count (4)   72 Remaining (4)   76 WriteChannelInfoOffset (2)   78 WriteChannelInfoLength (2)
 * </pre>
 *
 * @param count bytes written (unsigned)
 */
public record WriteResponse(long count, long remaining) implements Smb2Body {

    public static final int STRUCTURE_SIZE = 17;

    static WriteResponse read(MessageReader message) {
        message.expectStructure(STRUCTURE_SIZE, "WRITE response");
        return new WriteResponse(message.u32(68, "Count"), message.u32(72, "Remaining"));
    }
}
