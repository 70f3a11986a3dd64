package io.wanopt.protocols.smb;

/**
 * [MS-SMB2] 2.2.15 SMB2 CLOSE Request. StructureSize 24, then:
 *
 * <pre>
 * 66 Flags (2)   68 Reserved (4)   72 FileId (16)
 * </pre>
 *
 * @param flags {@link #FLAG_POSTQUERY_ATTRIB}: the response is to report the file's final attributes
 */
public record CloseRequest(int flags, FileId fileId) implements Smb2Body {

    public static final int STRUCTURE_SIZE = 24;
    public static final int FLAG_POSTQUERY_ATTRIB = 0x0001;

    static CloseRequest read(MessageReader message) {
        message.expectStructure(STRUCTURE_SIZE, "CLOSE request");
        return new CloseRequest(message.u16(66, "Flags"), FileId.read(message, 72, "FileId"));
    }
}
