package io.wanopt.proxy.follow;

import io.wanopt.protocols.smb.FrameKind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** SMB2 READ frames for follower tests ([MS-SMB2] 2.1, 2.2.1.2, 2.2.19, 2.2.20): one file, session 7, tree 3. */
final class SmbFrames {

    private static final int HEADER_LENGTH = 64;
    private static final int READ = 8;
    private static final byte[] FILE_ID = "persist1volatil1".getBytes(StandardCharsets.US_ASCII);

    private long messageId;

    /** A READ request for {@code length} bytes at {@code offset}, with the next MessageId. */
    byte[] readRequest(long offset, int length) {
        ByteBuffer frame = frame(49);
        header(frame, ++messageId, false);
        frame.putShort((short) 49).put((byte) 0).put((byte) 0).putInt(length).putLong(offset).put(FILE_ID);
        frame.putInt(0).putInt(0).putInt(0).putShort((short) 0).putShort((short) 0).put((byte) 0);
        return frame.array();
    }

    /** The READ response to the last request, carrying {@code data} right after its 16-byte body. */
    byte[] readResponse(byte[] data) {
        ByteBuffer frame = frame(16 + data.length);
        header(frame, messageId, true);
        frame.putShort((short) 17).put((byte) (HEADER_LENGTH + 16)).put((byte) 0).putInt(data.length).putInt(0)
                .putInt(0).put(data);
        return frame.array();
    }

    /** A Direct TCP frame with room for a header and {@code bodyLength} body bytes. */
    private static ByteBuffer frame(int bodyLength) {
        int length = HEADER_LENGTH + bodyLength;
        ByteBuffer frame = ByteBuffer.allocate(4 + length).order(ByteOrder.LITTLE_ENDIAN);
        frame.put((byte) 0).put((byte) (length >>> 16)).put((byte) (length >>> 8)).put((byte) length);
        return frame;
    }

    private static void header(ByteBuffer frame, long messageId, boolean response) {
        frame.order(ByteOrder.BIG_ENDIAN).putInt(FrameKind.SMB2.protocolId()).order(ByteOrder.LITTLE_ENDIAN);
        frame.putShort((short) HEADER_LENGTH).putShort((short) 1).putInt(0).putShort((short) READ).putShort((short) 1);
        frame.putInt(response ? 1 : 0).putInt(0).putLong(messageId).putInt(0).putInt(3).putLong(7).put(new byte[16]);
    }
}
