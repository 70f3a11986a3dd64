package io.wanopt.protocols.smb;

import io.wanopt.protocols.MalformedInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * The SMB 3.1.1 negotiate contexts of a NEGOTIATE request or response ([MS-SMB2] 2.2.3.1): every
 * context's type, and the algorithm lists of the three that decide what the proxy will see on the wire:
 * ENCRYPTION_CAPABILITIES (2.2.3.1.2; a response names the one cipher chosen, 0 for none),
 * COMPRESSION_CAPABILITIES (2.2.3.1.3) and SIGNING_CAPABILITIES (2.2.3.1.7). Each context is
 *
 * <pre>
 * ContextType (2)   DataLength (2)   Reserved (4)   Data (DataLength), then padding to 8 bytes
 * </pre>
 *
 * @param types                 ContextType of each context, in order
 * @param ciphers               ENCRYPTION_CAPABILITIES Ciphers ({@code AES_*})
 * @param compressionAlgorithms COMPRESSION_CAPABILITIES CompressionAlgorithms
 * @param signingAlgorithms     SIGNING_CAPABILITIES SigningAlgorithms ({@code HMAC_SHA256}, ...)
 */
public record NegotiateContexts(List<Integer> types, List<Integer> ciphers, List<Integer> compressionAlgorithms,
        List<Integer> signingAlgorithms) {

    public static final NegotiateContexts NONE = new NegotiateContexts(List.of(), List.of(), List.of(), List.of());

    public static final int PREAUTH_INTEGRITY_CAPABILITIES = 0x0001;
    public static final int ENCRYPTION_CAPABILITIES = 0x0002;
    public static final int COMPRESSION_CAPABILITIES = 0x0003;
    public static final int NETNAME_NEGOTIATE_CONTEXT_ID = 0x0005;
    public static final int TRANSPORT_CAPABILITIES = 0x0006;
    public static final int RDMA_TRANSFORM_CAPABILITIES = 0x0007;
    public static final int SIGNING_CAPABILITIES = 0x0008;

    public static final int AES_128_CCM = 0x0001;
    public static final int AES_128_GCM = 0x0002;
    public static final int AES_256_CCM = 0x0003;
    public static final int AES_256_GCM = 0x0004;

    public static final int HMAC_SHA256 = 0x0000;
    public static final int AES_CMAC = 0x0001;
    public static final int AES_GMAC = 0x0002;

    public static final int COMPRESSION_NONE = 0x0000;

    private static final int CONTEXT_HEADER_LENGTH = 8;

    public NegotiateContexts {
        types = List.copyOf(types);
        ciphers = List.copyOf(ciphers);
        compressionAlgorithms = List.copyOf(compressionAlgorithms);
        signingAlgorithms = List.copyOf(signingAlgorithms);
    }

    /** Whether an encryption cipher was offered (request) or chosen (response). */
    public boolean offersEncryption() {
        return ciphers.stream().anyMatch(cipher -> cipher != 0);
    }

    /** Whether a compression algorithm other than NONE was offered or chosen. */
    public boolean offersCompression() {
        return compressionAlgorithms.stream().anyMatch(algorithm -> algorithm != COMPRESSION_NONE);
    }

    /** Reads {@code count} contexts starting at message position {@code offset}. */
    static NegotiateContexts read(MessageReader message, long offset, int count, int minOffset, SmbLimits limits) {
        if (count == 0) {
            return NONE;
        }
        if (count > limits.maxListItems()) {
            throw MalformedInputException.outOfRange("NegotiateContextCount", count, limits.maxListItems(),
                    message.start());
        }
        if (offset < minOffset) {
            throw MalformedInputException.invalid("NegotiateContextOffset", offset, ">= " + minOffset, message.start());
        }
        List<Integer> types = new ArrayList<>(count);
        List<Integer> ciphers = new ArrayList<>();
        List<Integer> compression = new ArrayList<>();
        List<Integer> signing = new ArrayList<>();
        long position = offset;
        for (int i = 0; i < count; i++) {
            position = (position + 7) & ~7L;
            if (position + CONTEXT_HEADER_LENGTH > message.length()) {
                throw MalformedInputException.truncated("negotiate context", CONTEXT_HEADER_LENGTH,
                        Math.max(0, message.length() - position), message.start() + position);
            }
            int at = (int) position;
            int type = message.u16(at, "ContextType");
            int dataLength = message.u16(at + 2, "DataLength");
            int data = at + CONTEXT_HEADER_LENGTH;
            message.require(data, dataLength, "negotiate context data");
            switch (type) {
                case ENCRYPTION_CAPABILITIES -> readIds(message, data, dataLength, 0, "Ciphers", ciphers, limits);
                case COMPRESSION_CAPABILITIES -> readIds(message, data, dataLength, 8, "CompressionAlgorithms",
                        compression, limits);
                case SIGNING_CAPABILITIES -> readIds(message, data, dataLength, 0, "SigningAlgorithms", signing,
                        limits);
                default -> {
                    // carried on, not interpreted
                }
            }
            types.add(type);
            position = data + (long) dataLength;
        }
        return new NegotiateContexts(types, ciphers, compression, signing);
    }

    /** A 2-byte count at {@code data}, then {@code skip} bytes, then that many 2-byte ids, all inside the data. */
    private static void readIds(MessageReader message, int data, int dataLength, int skip, String what,
            List<Integer> into, SmbLimits limits) {
        if (dataLength < 2) {
            throw MalformedInputException.truncated(what + " count", 2, dataLength, message.start() + data);
        }
        int count = message.u16(data, what + " count");
        if (count > limits.maxListItems()) {
            throw MalformedInputException.outOfRange(what + " count", count, limits.maxListItems(),
                    message.start() + data);
        }
        long needed = 2L + skip + 2L * count;
        if (needed > dataLength) {
            throw MalformedInputException.truncated(what, needed, dataLength, message.start() + data);
        }
        for (int i = 0; i < count; i++) {
            into.add(message.u16(data + 2 + skip + 2 * i, what));
        }
    }
}
