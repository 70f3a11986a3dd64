package io.wanopt.protocols.smb;

import io.netty.buffer.ByteBuf;

/**
 * What a Direct TCP frame carries, told by the protocol identifier in its first four bytes. Only
 * {@link #SMB2} frames are parsed; the others are carried on untouched and counted.
 */
public enum FrameKind {
    /** 0xFE 'SMB': one SMB2 message or a compounded chain ([MS-SMB2] 2.2.1). */
    SMB2(0xFE53_4D42),
    /** 0xFD 'SMB': an encrypted message behind an SMB2 TRANSFORM_HEADER ([MS-SMB2] 2.2.41). */
    ENCRYPTED(0xFD53_4D42),
    /** 0xFC 'SMB': a compressed message behind an SMB2 COMPRESSION_TRANSFORM_HEADER ([MS-SMB2] 2.2.42). */
    COMPRESSED(0xFC53_4D42),
    /** 0xFF 'SMB': SMB1 ([MS-SMB]/[MS-CIFS]), e.g. a multi-protocol NEGOTIATE. */
    SMB1(0xFF53_4D42),
    /** Anything else, including messages shorter than four bytes. */
    UNKNOWN(0);

    private final int protocolId;

    FrameKind(int protocolId) {
        this.protocolId = protocolId;
    }

    /** The protocol identifier as the four bytes read big-endian (0xFE 'S' 'M' 'B' is 0xFE534D42). */
    public int protocolId() {
        return protocolId;
    }

    /** The kind of the message of {@code length} bytes at buffer index {@code index}. */
    static FrameKind of(ByteBuf buf, int index, int length) {
        if (length < 4) {
            return UNKNOWN;
        }
        return switch (buf.getInt(index)) {
            case 0xFE53_4D42 -> SMB2;
            case 0xFD53_4D42 -> ENCRYPTED;
            case 0xFC53_4D42 -> COMPRESSED;
            case 0xFF53_4D42 -> SMB1;
            default -> UNKNOWN;
        };
    }
}
