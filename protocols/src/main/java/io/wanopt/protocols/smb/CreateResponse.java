package io.wanopt.protocols.smb;

import java.util.List;

/**
 * [MS-SMB2] 2.2.14 SMB2 CREATE Response: the FileId of the new open and the file's state. StructureSize
 * 89, then:
 *
 * <pre>
 *  66 OplockLevel (1)   67 Flags (1)   68 CreateAction (4)
 *  72 CreationTime (8)  80 LastAccessTime (8)  88 LastWriteTime (8)  96 ChangeTime (8)
 * 104 AllocationSize (8)  112 EndofFile (8)  120 FileAttributes (4)  124 Reserved2 (4)
 * 128 FileId (16)  144 CreateContextsOffset (4)  148 CreateContextsLength (4)  152 Buffer (create contexts)
 * </pre>
 *
 * @param createAction   {@code FILE_SUPERSEDED} (0), {@code FILE_OPENED} (1), {@code FILE_CREATED} (2),
 *                       {@code FILE_OVERWRITTEN} (3)
 * @param info           times, sizes and attributes
 * @param createContexts the names of the response's create contexts, in order
 */
public record CreateResponse(int oplockLevel, int flags, int createAction, NetworkOpenInfo info, FileId fileId,
        List<String> createContexts) implements Smb2Body {

    public static final int STRUCTURE_SIZE = 89;
    public static final int FILE_SUPERSEDED = 0;
    public static final int FILE_OPENED = 1;
    public static final int FILE_CREATED = 2;
    public static final int FILE_OVERWRITTEN = 3;

    private static final int BUFFER = 152;

    public CreateResponse {
        createContexts = List.copyOf(createContexts);
    }

    static CreateResponse read(MessageReader message, SmbLimits limits) {
        message.expectStructure(STRUCTURE_SIZE, "CREATE response");
        FrameRange contexts = message.buffer("CREATE response CreateContexts", 144,
                message.u32(144, "CreateContextsOffset"), message.u32(148, "CreateContextsLength"), BUFFER);
        return new CreateResponse(message.u8(66, "OplockLevel"), message.u8(67, "Flags"),
                message.i32(68, "CreateAction"), NetworkOpenInfo.read(message), FileId.read(message, 128, "FileId"),
                CreateContexts.names(message, contexts, limits));
    }
}
