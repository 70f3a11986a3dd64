package io.wanopt.protocols.smb;

/**
 * [MS-SMB2] 2.2.31 SMB2 IOCTL Request, as far as it says what the request does and to which open.
 * StructureSize 57, then:
 *
 * <pre>
 * 66 Reserved (2)   68 CtlCode (4)   72 FileId (16)   88 InputOffset (4)   92 InputCount (4)
 * 96 MaxInputResponse (4)   100 OutputOffset (4)   104 OutputCount (4)   108 MaxOutputResponse (4)
 * 112 Flags (4)   116 Reserved2 (4)
 * </pre>
 *
 * @param ctlCode the FSCTL or IOCTL code ([MS-FSCC] 2.3, [MS-SMB2] 2.2.31); unknown codes are values
 * @param fileId  the open it acts on (all ones for requests to no open, such as DFS referrals)
 * @param flags   {@link #FLAG_IS_FSCTL} for a file system control
 */
public record IoctlRequest(int ctlCode, FileId fileId, long flags) implements Smb2Body {

    public static final int STRUCTURE_SIZE = 57;
    public static final long FLAG_IS_FSCTL = 0x0000_0001L;

    static IoctlRequest read(MessageReader message) {
        message.expectStructure(STRUCTURE_SIZE, "IOCTL request");
        return new IoctlRequest((int) message.u32(68, "CtlCode"), FileId.read(message, 72, "FileId"),
                message.u32(112, "Flags"));
    }
}
