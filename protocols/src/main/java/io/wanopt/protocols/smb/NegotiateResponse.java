package io.wanopt.protocols.smb;

/**
 * [MS-SMB2] 2.2.4 SMB2 NEGOTIATE Response: the dialect chosen and what the connection may use. StructureSize
 * 65, then:
 *
 * <pre>
 *  66 SecurityMode (2)        68 DialectRevision (2)     70 NegotiateContextCount (2) (3.1.1) / Reserved
 *  72 ServerGuid (16)         88 Capabilities (4)        92 MaxTransactSize (4)
 *  96 MaxReadSize (4)        100 MaxWriteSize (4)       104 SystemTime (8)    112 ServerStartTime (8)
 * 120 SecurityBufferOffset (2)  122 SecurityBufferLength (2)  124 NegotiateContextOffset (4) (3.1.1) / Reserved2
 * 128 Buffer (the GSS token), then padding and the NegotiateContextList
 * </pre>
 *
 * @param securityMode   {@link SessionSetupRequest#SIGNING_ENABLED} / {@link SessionSetupRequest#SIGNING_REQUIRED}
 * @param dialect        DialectRevision
 * @param capabilities   {@code CAP_*}
 * @param securityBuffer where the GSS token lies in the frame
 * @param contexts       the negotiate contexts when the dialect is 3.1.1, else {@link NegotiateContexts#NONE}
 */
public record NegotiateResponse(int securityMode, Smb2Dialect dialect, int capabilities, long maxTransactSize,
        long maxReadSize, long maxWriteSize, FrameRange securityBuffer, NegotiateContexts contexts)
        implements Smb2Body {

    public static final int STRUCTURE_SIZE = 65;

    public static final int CAP_DFS = 0x01;
    public static final int CAP_LEASING = 0x02;
    public static final int CAP_LARGE_MTU = 0x04;
    public static final int CAP_MULTI_CHANNEL = 0x08;
    public static final int CAP_PERSISTENT_HANDLES = 0x10;
    public static final int CAP_DIRECTORY_LEASING = 0x20;
    /** Encryption in SMB 3.0 and 3.0.2; 3.1.1 uses the ENCRYPTION_CAPABILITIES context instead. */
    public static final int CAP_ENCRYPTION = 0x40;
    public static final int CAP_NOTIFICATIONS = 0x80;

    private static final int BUFFER = 128;

    /** The server requires every message of authenticated sessions to be signed. */
    public boolean signingRequired() {
        return (securityMode & SessionSetupRequest.SIGNING_REQUIRED) != 0;
    }

    /** Whether sessions of this connection can be encrypted (and transform headers may appear). */
    public boolean supportsEncryption() {
        if (dialect.equals(Smb2Dialect.SMB_3_1_1)) {
            return contexts.offersEncryption();
        }
        return dialect.isSmb3() && (capabilities & CAP_ENCRYPTION) != 0;
    }

    /** Whether compression transform headers may appear (SMB 3.1.1 with an algorithm chosen). */
    public boolean supportsCompression() {
        return contexts.offersCompression();
    }

    static NegotiateResponse read(MessageReader message, SmbLimits limits) {
        message.expectStructure(STRUCTURE_SIZE, "NEGOTIATE response");
        Smb2Dialect dialect = Smb2Dialect.valueOf(message.u16(68, "DialectRevision"));
        FrameRange securityBuffer = message.buffer("NEGOTIATE response SecurityBuffer", 120,
                message.u16(120, "SecurityBufferOffset"), message.u16(122, "SecurityBufferLength"), BUFFER);
        NegotiateContexts contexts = NegotiateContexts.NONE;
        if (dialect.equals(Smb2Dialect.SMB_3_1_1)) {
            int afterToken = securityBuffer.length() == 0 ? BUFFER : securityBuffer.end() - message.start();
            contexts = NegotiateContexts.read(message, message.u32(124, "NegotiateContextOffset"),
                    message.u16(70, "NegotiateContextCount"), afterToken, limits);
        }
        return new NegotiateResponse(message.u16(66, "SecurityMode"), dialect, message.i32(88, "Capabilities"),
                message.u32(92, "MaxTransactSize"), message.u32(96, "MaxReadSize"), message.u32(100, "MaxWriteSize"),
                securityBuffer, contexts);
    }
}
