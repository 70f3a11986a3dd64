package io.wanopt.protocols.smb;

/**
 * [MS-SMB2] 2.2.9 SMB2 TREE_CONNECT Request: connect to a share. StructureSize 9, then:
 *
 * <pre>
 * 66 Flags/Reserved (2)   68 PathOffset (2)   70 PathLength (2)   72 Buffer (UTF-16LE "\\server\share")
 * </pre>
 *
 * With {@link #FLAG_EXTENSION_PRESENT} (SMB 3.1.1, 2.2.9.1) the buffer starts with a request extension
 * that carries the path and tree connect contexts; that form is not followed and {@code path} is null.
 *
 * @param flags SMB 3.1.1 Flags ({@code FLAG_*}), else 0
 * @param path  the share path, or null with an extension
 */
public record TreeConnectRequest(int flags, String path) implements Smb2Body {

    public static final int STRUCTURE_SIZE = 9;
    public static final int FLAG_CLUSTER_RECONNECT = 0x0001;
    public static final int FLAG_REDIRECT_TO_OWNER = 0x0002;
    public static final int FLAG_EXTENSION_PRESENT = 0x0004;

    private static final int BUFFER = 72;

    static TreeConnectRequest read(MessageReader message, SmbLimits limits) {
        message.expectStructure(STRUCTURE_SIZE, "TREE_CONNECT request");
        int flags = message.u16(66, "Flags");
        FrameRange path = message.buffer("TREE_CONNECT request Path", 68, message.u16(68, "PathOffset"),
                message.u16(70, "PathLength"), BUFFER);
        if ((flags & FLAG_EXTENSION_PRESENT) != 0) {
            return new TreeConnectRequest(flags, null);
        }
        return new TreeConnectRequest(flags, message.utf16("TREE_CONNECT request Path", path, limits.maxNameLength()));
    }
}
