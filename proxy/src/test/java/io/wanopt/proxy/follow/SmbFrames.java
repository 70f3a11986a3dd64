package io.wanopt.proxy.follow;

import io.wanopt.protocols.smb.FileId;
import io.wanopt.protocols.smb.FrameKind;
import io.wanopt.protocols.smb.NetworkOpenInfo;
import io.wanopt.protocols.smb.Smb2Command;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * SMB2 frames for follower tests ([MS-SMB2] 2.1, 2.2.1.2): TREE_CONNECT (2.2.9, 2.2.10), CREATE (2.2.13,
 * 2.2.14), CLOSE (2.2.15, 2.2.16), READ (2.2.19, 2.2.20) and WRITE (2.2.21, 2.2.22) in session 7, tree 3.
 * Requests take the next MessageId; a response answers the last request.
 */
final class SmbFrames {

    /** The file READs name unless told another: "persist1volatil1" on the wire. */
    static final FileId FILE_ID = new FileId(0x3174_7369_7372_6570L, 0x316c_6974_616c_6f76L);

    private static final int HEADER_LENGTH = 64;
    private static final int SESSION_ID = 7;
    private static final int TREE_ID = 3;
    private static final int STATUS_SUCCESS = 0;

    private long messageId;

    /** A TREE_CONNECT request for the share {@code path} ("\\server\share"). */
    byte[] treeConnectRequest(String path) {
        byte[] name = path.getBytes(StandardCharsets.UTF_16LE);
        ByteBuffer frame = request(Smb2Command.TREE_CONNECT, 8 + name.length);
        frame.putShort((short) 9).putShort((short) 0).putShort((short) (HEADER_LENGTH + 8))
                .putShort((short) name.length).put(name);
        return frame.array();
    }

    /** The TREE_CONNECT response: a disk share, tree 3. */
    byte[] treeConnectResponse() {
        ByteBuffer frame = response(Smb2Command.TREE_CONNECT, 16);
        frame.putShort((short) 16).put((byte) 1).put((byte) 0).putInt(0).putInt(0).putInt(0x001F_01FF);
        return frame.array();
    }

    /** A CREATE request opening the existing file {@code name} (relative to the share) to read it. */
    byte[] createRequest(String name) {
        byte[] utf16 = name.getBytes(StandardCharsets.UTF_16LE);
        ByteBuffer frame = request(Smb2Command.CREATE, 56 + utf16.length);
        frame.putShort((short) 57).put((byte) 0).put((byte) 0).putInt(2).putLong(0).putLong(0); // impersonation
        frame.putInt(0x0012_0089).putInt(0).putInt(1).putInt(1).putInt(0x40); // read, FILE_OPEN, not a directory
        frame.putShort((short) (HEADER_LENGTH + 56)).putShort((short) utf16.length).putInt(0).putInt(0).put(utf16);
        return frame.array();
    }

    /** The CREATE response: the file, opened, is {@code info} and has {@code fileId}. */
    byte[] createResponse(NetworkOpenInfo info, FileId fileId) {
        ByteBuffer frame = response(Smb2Command.CREATE, 88);
        frame.putShort((short) 89).put((byte) 0).put((byte) 0).putInt(1); // no oplock, FILE_OPENED
        frame.putLong(info.creationTime()).putLong(info.lastAccessTime()).putLong(info.lastWriteTime())
                .putLong(info.changeTime()).putLong(info.allocationSize()).putLong(info.endOfFile())
                .putInt(info.fileAttributes()).putInt(0);
        putFileId(frame, fileId).putInt(0).putInt(0);
        return frame.array();
    }

    /** A CLOSE request of {@code fileId}. */
    byte[] closeRequest(FileId fileId) {
        ByteBuffer frame = request(Smb2Command.CLOSE, 24);
        putFileId(frame.putShort((short) 24).putShort((short) 0).putInt(0), fileId);
        return frame.array();
    }

    /** The CLOSE response, without the file's attributes. */
    byte[] closeResponse() {
        ByteBuffer frame = response(Smb2Command.CLOSE, 60);
        frame.putShort((short) 60).putShort((short) 0).putInt(0).put(new byte[52]);
        return frame.array();
    }

    /** A READ request of {@link #FILE_ID} for {@code length} bytes at {@code offset}. */
    byte[] readRequest(long offset, int length) {
        return readRequest(FILE_ID, offset, length);
    }

    /** A READ request of {@code fileId} for {@code length} bytes at {@code offset}. */
    byte[] readRequest(FileId fileId, long offset, int length) {
        ByteBuffer frame = request(Smb2Command.READ, 49);
        frame.putShort((short) 49).put((byte) 0).put((byte) 0).putInt(length).putLong(offset);
        putFileId(frame, fileId).putInt(0).putInt(0).putInt(0).putShort((short) 0).putShort((short) 0).put((byte) 0);
        return frame.array();
    }

    /** The READ response carrying {@code data} right after its 16-byte body. */
    byte[] readResponse(byte[] data) {
        ByteBuffer frame = response(Smb2Command.READ, 16 + data.length);
        frame.putShort((short) 17).put((byte) (HEADER_LENGTH + 16)).put((byte) 0).putInt(data.length).putInt(0)
                .putInt(0).put(data);
        return frame.array();
    }

    /** A WRITE request of {@code data} to {@code fileId} at {@code offset}. */
    byte[] writeRequest(FileId fileId, long offset, byte[] data) {
        ByteBuffer frame = request(Smb2Command.WRITE, 48 + data.length);
        frame.putShort((short) 49).putShort((short) (HEADER_LENGTH + 48)).putInt(data.length).putLong(offset);
        putFileId(frame, fileId).putInt(0).putInt(0).putShort((short) 0).putShort((short) 0).putInt(0).put(data);
        return frame.array();
    }

    /** The WRITE response: {@code count} bytes written. */
    byte[] writeResponse(int count) {
        ByteBuffer frame = response(Smb2Command.WRITE, 16);
        frame.putShort((short) 17).putShort((short) 0).putInt(count).putInt(0).putShort((short) 0).putShort((short) 0);
        return frame.array();
    }

    private ByteBuffer request(Smb2Command command, int bodyLength) {
        ByteBuffer frame = frame(bodyLength);
        header(frame, command, ++messageId, false);
        return frame;
    }

    private ByteBuffer response(Smb2Command command, int bodyLength) {
        ByteBuffer frame = frame(bodyLength);
        header(frame, command, messageId, true);
        return frame;
    }

    /** A Direct TCP frame with room for a header and {@code bodyLength} body bytes. */
    private static ByteBuffer frame(int bodyLength) {
        int length = HEADER_LENGTH + bodyLength;
        ByteBuffer frame = ByteBuffer.allocate(4 + length).order(ByteOrder.LITTLE_ENDIAN);
        frame.put((byte) 0).put((byte) (length >>> 16)).put((byte) (length >>> 8)).put((byte) length);
        return frame;
    }

    private static void header(ByteBuffer frame, Smb2Command command, long messageId, boolean response) {
        frame.order(ByteOrder.BIG_ENDIAN).putInt(FrameKind.SMB2.protocolId()).order(ByteOrder.LITTLE_ENDIAN);
        frame.putShort((short) HEADER_LENGTH).putShort((short) 1).putInt(STATUS_SUCCESS)
                .putShort((short) command.code()).putShort((short) 1);
        frame.putInt(response ? 1 : 0).putInt(0).putLong(messageId).putInt(0).putInt(TREE_ID).putLong(SESSION_ID)
                .put(new byte[16]);
    }

    private static ByteBuffer putFileId(ByteBuffer frame, FileId fileId) {
        return frame.putLong(fileId.persistent()).putLong(fileId.volatileId());
    }
}
