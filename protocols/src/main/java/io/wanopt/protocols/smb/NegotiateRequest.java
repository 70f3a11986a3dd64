package io.wanopt.protocols.smb;

import io.wanopt.protocols.MalformedInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * [MS-SMB2] 2.2.3 SMB2 NEGOTIATE Request. StructureSize 36, then:
 *
 * <pre>
 *  66 DialectCount (2)            68 SecurityMode (2)           70 Reserved (2)
 *  72 Capabilities (4)            76 ClientGuid (16)
 *  92 NegotiateContextOffset (4) + NegotiateContextCount (2) + Reserved2 (2) when 3.1.1 is offered,
 *     else ClientStartTime (8)
 * 100 Dialects (2 * DialectCount), then padding and the NegotiateContextList
 * </pre>
 *
 * @param securityMode {@link SessionSetupRequest#SIGNING_ENABLED} / {@link SessionSetupRequest#SIGNING_REQUIRED}
 * @param capabilities {@code SMB2_GLOBAL_CAP_*} ({@link NegotiateResponse#CAP_ENCRYPTION}, ...)
 * @param dialects     the dialects offered, in order
 * @param contexts     the negotiate contexts (only when SMB 3.1.1 is offered), else {@link NegotiateContexts#NONE}
 */
public record NegotiateRequest(int securityMode, int capabilities, List<Smb2Dialect> dialects,
        NegotiateContexts contexts) implements Smb2Body {

    public static final int STRUCTURE_SIZE = 36;
    private static final int DIALECTS = 100;

    public NegotiateRequest {
        dialects = List.copyOf(dialects);
    }

    public boolean signingRequired() {
        return (securityMode & SessionSetupRequest.SIGNING_REQUIRED) != 0;
    }

    static NegotiateRequest read(MessageReader message, SmbLimits limits) {
        message.expectStructure(STRUCTURE_SIZE, "NEGOTIATE request");
        int count = message.u16(66, "DialectCount");
        if (count > limits.maxListItems()) {
            throw MalformedInputException.outOfRange("DialectCount", count, limits.maxListItems(), message.start() + 66);
        }
        message.require(DIALECTS, 2 * count, "Dialects");
        List<Smb2Dialect> dialects = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            dialects.add(Smb2Dialect.valueOf(message.u16(DIALECTS + 2 * i, "Dialects")));
        }
        NegotiateContexts contexts = NegotiateContexts.NONE;
        if (dialects.contains(Smb2Dialect.SMB_3_1_1)) {
            contexts = NegotiateContexts.read(message, message.u32(92, "NegotiateContextOffset"),
                    message.u16(96, "NegotiateContextCount"), DIALECTS + 2 * count, limits);
        }
        return new NegotiateRequest(message.u16(68, "SecurityMode"), message.i32(72, "Capabilities"), dialects,
                contexts);
    }
}
