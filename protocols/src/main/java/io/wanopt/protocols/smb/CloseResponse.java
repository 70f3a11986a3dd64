package io.wanopt.protocols.smb;

/**
 * [MS-SMB2] 2.2.16 SMB2 CLOSE Response. StructureSize 60, then:
 *
 * <pre>
 *  66 Flags (2)   68 Reserved (4)
 *  72 CreationTime (8)  80 LastAccessTime (8)  88 LastWriteTime (8)  96 ChangeTime (8)
 * 104 AllocationSize (8)  112 EndofFile (8)  120 FileAttributes (4)
 * </pre>
 *
 * @param flags {@link CloseRequest#FLAG_POSTQUERY_ATTRIB} when the attributes are valid
 * @param info  the file's final state when asked for (the flag is set), else null (the fields are zero)
 */
public record CloseResponse(int flags, NetworkOpenInfo info) implements Smb2Body {

    public static final int STRUCTURE_SIZE = 60;

    static CloseResponse read(MessageReader message) {
        message.expectStructure(STRUCTURE_SIZE, "CLOSE response");
        int flags = message.u16(66, "Flags");
        return new CloseResponse(flags,
                (flags & CloseRequest.FLAG_POSTQUERY_ATTRIB) != 0 ? NetworkOpenInfo.read(message) : null);
    }
}
