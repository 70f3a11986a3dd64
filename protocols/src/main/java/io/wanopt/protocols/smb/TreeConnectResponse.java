package io.wanopt.protocols.smb;

/**
 * [MS-SMB2] 2.2.10 SMB2 TREE_CONNECT Response; the TreeId is in its header. StructureSize 16, then:
 *
 * <pre>
 * 66 ShareType (1)   67 Reserved (1)   68 ShareFlags (4)   72 Capabilities (4)   76 MaximalAccess (4)
 * </pre>
 *
 * @param shareType    {@link #SHARE_TYPE_DISK}, {@link #SHARE_TYPE_PIPE} or {@link #SHARE_TYPE_PRINT}
 * @param shareFlags   {@code SMB2_SHAREFLAG_*}; {@link #SHAREFLAG_ENCRYPT_DATA} encrypts the tree's messages
 * @param capabilities {@code SMB2_SHARE_CAP_*}
 */
public record TreeConnectResponse(int shareType, int shareFlags, int capabilities, int maximalAccess)
        implements Smb2Body {

    public static final int STRUCTURE_SIZE = 16;
    public static final int SHARE_TYPE_DISK = 0x01;
    public static final int SHARE_TYPE_PIPE = 0x02;
    public static final int SHARE_TYPE_PRINT = 0x03;
    public static final int SHAREFLAG_DFS = 0x0000_0001;
    public static final int SHAREFLAG_ENCRYPT_DATA = 0x0000_8000;

    public boolean encryptData() {
        return (shareFlags & SHAREFLAG_ENCRYPT_DATA) != 0;
    }

    static TreeConnectResponse read(MessageReader message) {
        message.expectStructure(STRUCTURE_SIZE, "TREE_CONNECT response");
        return new TreeConnectResponse(message.u8(66, "ShareType"), message.i32(68, "ShareFlags"),
                message.i32(72, "Capabilities"), message.i32(76, "MaximalAccess"));
    }
}
