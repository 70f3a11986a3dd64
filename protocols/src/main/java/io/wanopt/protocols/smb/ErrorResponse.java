package io.wanopt.protocols.smb;

/**
 * [MS-SMB2] 2.2.2 SMB2 ERROR Response: the body of any command's failed response (the status is in the
 * header). StructureSize 9, then:
 *
 * <pre>
 * 66 ErrorContextCount (1)   67 Reserved (1)   68 ByteCount (4)   72 ErrorData (variable)
 * </pre>
 *
 * @param errorContextCount SMB 3.1.1 error contexts in ErrorData (0 before 3.1.1)
 * @param errorData         where ErrorData lies in the frame (ByteCount bytes; the one pad byte sent when
 *                          ByteCount is 0 is not part of it)
 */
public record ErrorResponse(int errorContextCount, FrameRange errorData) implements Smb2Body {

    public static final int STRUCTURE_SIZE = 9;

    static ErrorResponse read(MessageReader message) {
        message.expectStructure(STRUCTURE_SIZE, "ERROR response");
        int contexts = message.u8(66, "ErrorContextCount");
        long byteCount = message.u32(68, "ByteCount");
        return new ErrorResponse(contexts, message.buffer("ErrorData", 68, 72, byteCount, 72));
    }
}
