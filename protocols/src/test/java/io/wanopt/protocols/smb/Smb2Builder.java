package io.wanopt.protocols.smb;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds SMB2 messages and Direct TCP frames by hand, for the cases real captures lack: compounded chains,
 * error and interim responses, malformed lengths. Bodies are byte arrays that follow the 64-byte header;
 * offsets inside them count from the header's first byte, as [MS-SMB2] does.
 */
final class Smb2Builder {

    private Smb2Builder() {
    }

    /** A little-endian byte writer. */
    static final class Le {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Le u8(int value) {
            out.write(value);
            return this;
        }

        Le u16(int value) {
            return u8(value).u8(value >>> 8);
        }

        Le u32(long value) {
            return u16((int) value).u16((int) (value >>> 16));
        }

        Le u64(long value) {
            return u32(value).u32(value >>> 32);
        }

        Le bytes(byte[] bytes) {
            out.writeBytes(bytes);
            return this;
        }

        Le zeros(int count) {
            return bytes(new byte[count]);
        }

        Le fileId(FileId id) {
            return u64(id.persistent()).u64(id.volatileId());
        }

        int size() {
            return out.size();
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }

    /** One SMB2 message: header fields and a body. */
    static final class Message {
        private final int command;
        private final long messageId;
        private final byte[] body;
        private int flags;
        private int status;
        private long sessionId = 0x1122_3344_5566_7788L;
        private int treeId = 5;
        private long asyncId;
        private Long nextCommand;

        Message(Smb2Command command, long messageId, boolean response, byte[] body) {
            this.command = command.code();
            this.messageId = messageId;
            this.body = body;
            this.flags = response ? Smb2Header.FLAGS_SERVER_TO_REDIR : 0;
        }

        Message status(NtStatus value) {
            status = value.code();
            return this;
        }

        Message flags(int extra) {
            flags |= extra;
            return this;
        }

        Message related() {
            return flags(Smb2Header.FLAGS_RELATED_OPERATIONS);
        }

        Message signed() {
            return flags(Smb2Header.FLAGS_SIGNED);
        }

        Message async(long id) {
            asyncId = id;
            return flags(Smb2Header.FLAGS_ASYNC_COMMAND);
        }

        Message session(long id) {
            sessionId = id;
            return this;
        }

        Message tree(int id) {
            treeId = id;
            return this;
        }

        /** Forces NextCommand (normally set by {@link #frame}). */
        Message nextCommand(long value) {
            nextCommand = value;
            return this;
        }

        byte[] bytes(long next) {
            Le le = new Le().u8(0xFE).u8('S').u8('M').u8('B').u16(64).u16(1).u32(status).u16(command).u16(1)
                    .u32(flags).u32(nextCommand != null ? nextCommand : next).u64(messageId);
            if ((flags & Smb2Header.FLAGS_ASYNC_COMMAND) != 0) {
                le.u64(asyncId);
            } else {
                le.u32(0).u32(treeId);
            }
            return le.u64(sessionId).zeros(16).bytes(body).toBytes();
        }
    }

    /** A Direct TCP frame of {@code messages}, compounded (each padded to 8 bytes) when more than one. */
    static byte[] frame(Message... messages) {
        Le chain = new Le();
        for (int i = 0; i < messages.length; i++) {
            byte[] alone = messages[i].bytes(0);
            boolean last = i == messages.length - 1;
            int padded = last ? alone.length : (alone.length + 7) & ~7;
            chain.bytes(messages[i].bytes(last ? 0 : padded)).zeros(padded - alone.length);
        }
        return transport(chain.toBytes());
    }

    /** The 4-byte Direct TCP header before {@code message}. */
    static byte[] transport(byte[] message) {
        byte[] frame = new byte[4 + message.length];
        frame[1] = (byte) (message.length >>> 16);
        frame[2] = (byte) (message.length >>> 8);
        frame[3] = (byte) message.length;
        System.arraycopy(message, 0, frame, 4, message.length);
        return frame;
    }

    static byte[] concat(byte[]... parts) {
        Le le = new Le();
        for (byte[] part : parts) {
            le.bytes(part);
        }
        return le.toBytes();
    }

    static Message request(Smb2Command command, long messageId, byte[] body) {
        return new Message(command, messageId, false, body);
    }

    static Message response(Smb2Command command, long messageId, byte[] body) {
        return new Message(command, messageId, true, body);
    }

    static byte[] utf16(String text) {
        return text.getBytes(StandardCharsets.UTF_16LE);
    }

    // --- bodies; offsets count from the header's first byte

    static byte[] negotiateRequest(int securityMode, int... dialects) {
        Le le = new Le().u16(36).u16(dialects.length).u16(securityMode).u16(0).u32(0).zeros(16).u64(0);
        for (int dialect : dialects) {
            le.u16(dialect);
        }
        return le.toBytes();
    }

    /** A NEGOTIATE response; for 3.1.1 with an ENCRYPTION_CAPABILITIES context naming {@code cipher}. */
    static byte[] negotiateResponse(int dialect, int securityMode, int capabilities, int cipher) {
        boolean smb311 = dialect == 0x0311;
        Le le = new Le().u16(65).u16(securityMode).u16(dialect).u16(smb311 ? 1 : 0).zeros(16).u32(capabilities)
                .u32(8 << 20).u32(8 << 20).u32(8 << 20).u64(0).u64(0).u16(128).u16(0).u32(smb311 ? 128 : 0);
        if (smb311) {
            le.u16(NegotiateContexts.ENCRYPTION_CAPABILITIES).u16(4).u32(0).u16(1).u16(cipher);
        }
        return le.toBytes();
    }

    static byte[] sessionSetupRequest(int securityMode) {
        return new Le().u16(25).u8(0).u8(securityMode).u32(0).u32(0).u16(88).u16(4).u64(0)
                .bytes("NTLM".getBytes(StandardCharsets.US_ASCII)).toBytes();
    }

    static byte[] sessionSetupResponse(int sessionFlags) {
        return new Le().u16(9).u16(sessionFlags).u16(72).u16(2).u8(0xA1).u8(0).toBytes();
    }

    static byte[] treeConnectRequest(String path) {
        byte[] name = utf16(path);
        return new Le().u16(9).u16(0).u16(72).u16(name.length).bytes(name).toBytes();
    }

    static byte[] treeConnectResponse(int shareFlags) {
        return new Le().u16(16).u8(TreeConnectResponse.SHARE_TYPE_DISK).u8(0).u32(shareFlags).u32(0).u32(0x1F01FF)
                .toBytes();
    }

    static byte[] createRequest(String name) {
        byte[] encoded = utf16(name);
        return new Le().u16(57).u8(0).u8(0).u32(2).u64(0).u64(0).u32(0x0012_0089).u32(0).u32(7).u32(1).u32(0x40)
                .u16(120).u16(encoded.length).u32(0).u32(0).bytes(encoded.length == 0 ? new byte[1] : encoded)
                .toBytes();
    }

    static byte[] createResponse(FileId fileId, long endOfFile) {
        return new Le().u16(89).u8(0).u8(0).u32(CreateResponse.FILE_OPENED).u64(1).u64(2).u64(3).u64(4)
                .u64(endOfFile + 4095 & ~4095L).u64(endOfFile).u32(0x80).u32(0).fileId(fileId).u32(0).u32(0).toBytes();
    }

    static byte[] readRequest(FileId fileId, long offset, long length) {
        return new Le().u16(49).u8(0x50).u8(0).u32(length).u64(offset).fileId(fileId).u32(1).u32(0).u32(0).u16(0)
                .u16(0).u8(0).toBytes();
    }

    static byte[] readResponse(byte[] data) {
        return new Le().u16(17).u8(80).u8(0).u32(data.length).u32(0).u32(0).bytes(data).toBytes();
    }

    static byte[] writeRequest(FileId fileId, long offset, byte[] data) {
        return new Le().u16(49).u16(112).u32(data.length).u64(offset).fileId(fileId).u32(0).u32(0).u16(0).u16(0)
                .u32(0).bytes(data).toBytes();
    }

    static byte[] writeResponse(long count) {
        return new Le().u16(17).u16(0).u32(count).u32(0).u16(0).u16(0).toBytes();
    }

    static byte[] closeRequest(FileId fileId, int flags) {
        return new Le().u16(24).u16(flags).u32(0).fileId(fileId).toBytes();
    }

    static byte[] closeResponse(int flags, long endOfFile) {
        Le le = new Le().u16(60).u16(flags).u32(0);
        return (flags & CloseRequest.FLAG_POSTQUERY_ATTRIB) != 0
                ? le.u64(1).u64(2).u64(3).u64(4).u64(endOfFile + 4095 & ~4095L).u64(endOfFile).u32(0x80).toBytes()
                : le.zeros(52).toBytes();
    }

    /** An ERROR response body ([MS-SMB2] 2.2.2) with no error data (and its one pad byte). */
    static byte[] errorResponse() {
        return new Le().u16(9).u8(0).u8(0).u32(0).u8(0).toBytes();
    }

    /** A body that only has a StructureSize, for commands this package does not follow. */
    static byte[] opaqueBody(int structureSize, int length) {
        byte[] body = Arrays.copyOf(new Le().u16(structureSize).toBytes(), length);
        return body;
    }
}
