package io.wanopt.protocols.smb;

import java.util.List;

/**
 * [MS-SMB2] 2.2.13 SMB2 CREATE Request: open or create a file by name; the response gives its FileId.
 * StructureSize 57, then:
 *
 * <pre>
 *  66 SecurityFlags (1)    67 RequestedOplockLevel (1)   68 ImpersonationLevel (4)
 *  72 SmbCreateFlags (8)   80 Reserved (8)               88 DesiredAccess (4)
 *  92 FileAttributes (4)   96 ShareAccess (4)           100 CreateDisposition (4)   104 CreateOptions (4)
 * 108 NameOffset (2)      110 NameLength (2)            112 CreateContextsOffset (4) 116 CreateContextsLength (4)
 * 120 Buffer: the name (UTF-16LE, relative to the share, no leading backslash) and the create contexts
 * </pre>
 *
 * @param requestedOplockLevel {@code SMB2_OPLOCK_LEVEL_*} (0xFF: a lease, see the "RqLs" context)
 * @param createDisposition    {@code FILE_SUPERSEDE} (0) ... {@code FILE_OVERWRITE_IF} (5)
 * @param name                 the file name ("" for the share's root)
 * @param createContexts       the names of the create contexts, in order
 */
public record CreateRequest(int requestedOplockLevel, int desiredAccess, int fileAttributes, int shareAccess,
        int createDisposition, int createOptions, String name, List<String> createContexts) implements Smb2Body {

    public static final int STRUCTURE_SIZE = 57;
    public static final int OPLOCK_LEVEL_LEASE = 0xFF;

    private static final int BUFFER = 120;

    public CreateRequest {
        createContexts = List.copyOf(createContexts);
    }

    /** Whether the client asks for a lease (whose break the proxy must watch). */
    public boolean requestsLease() {
        return requestedOplockLevel == OPLOCK_LEVEL_LEASE || createContexts.contains(CreateContexts.LEASE);
    }

    static CreateRequest read(MessageReader message, SmbLimits limits) {
        message.expectStructure(STRUCTURE_SIZE, "CREATE request");
        FrameRange name = message.buffer("CREATE request Name", 108, message.u16(108, "NameOffset"),
                message.u16(110, "NameLength"), BUFFER);
        FrameRange contexts = message.buffer("CREATE request CreateContexts", 112,
                message.u32(112, "CreateContextsOffset"), message.u32(116, "CreateContextsLength"), BUFFER);
        return new CreateRequest(message.u8(67, "RequestedOplockLevel"), message.i32(88, "DesiredAccess"),
                message.i32(92, "FileAttributes"), message.i32(96, "ShareAccess"), message.i32(100, "CreateDisposition"),
                message.i32(104, "CreateOptions"), message.utf16("CREATE request Name", name, limits.maxNameLength()),
                CreateContexts.names(message, contexts, limits));
    }
}
