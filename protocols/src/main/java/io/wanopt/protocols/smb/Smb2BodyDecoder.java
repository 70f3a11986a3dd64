package io.wanopt.protocols.smb;

import java.util.Map;
import java.util.Set;

/**
 * Picks the body decoder of an SMB2 message from its header: the followed commands' request and response
 * records, the ERROR form ([MS-SMB2] 2.2.2) of failed responses, {@link InterimResponse} for STATUS_PENDING,
 * and {@link NotUnderstood} for the rest.
 */
final class Smb2BodyDecoder {

    @FunctionalInterface
    private interface BodyReader {
        Smb2Body read(MessageReader message, SmbLimits limits);
    }

    private record Codec(BodyReader request, BodyReader response) {
    }

    private static final Map<Smb2Command, Codec> FOLLOWED = Map.of(
            Smb2Command.NEGOTIATE, new Codec(NegotiateRequest::read, NegotiateResponse::read),
            Smb2Command.SESSION_SETUP, new Codec((m, l) -> SessionSetupRequest.read(m),
                    (m, l) -> SessionSetupResponse.read(m)),
            Smb2Command.TREE_CONNECT, new Codec(TreeConnectRequest::read, (m, l) -> TreeConnectResponse.read(m)),
            Smb2Command.CREATE, new Codec(CreateRequest::read, CreateResponse::read),
            Smb2Command.READ, new Codec((m, l) -> ReadRequest.read(m), (m, l) -> ReadResponse.read(m)),
            Smb2Command.WRITE, new Codec((m, l) -> WriteRequest.read(m), (m, l) -> WriteResponse.read(m)),
            Smb2Command.CLOSE, new Codec((m, l) -> CloseRequest.read(m), (m, l) -> CloseResponse.read(m)),
            // Requests only, for their CtlCode: the responses carry nothing this package follows.
            Smb2Command.IOCTL, new Codec((m, l) -> IoctlRequest.read(m),
                    (m, l) -> new NotUnderstood(NotUnderstood.Reason.NOT_FOLLOWED, "IOCTL response")));

    /**
     * Commands whose successful response also has StructureSize 9, so that size alone does not mark the
     * ERROR form; for them only an error severity does (and, for SESSION_SETUP, not
     * STATUS_MORE_PROCESSING_REQUIRED, which carries the next authentication leg).
     */
    private static final Set<Smb2Command> RESPONSE_SIZE_NINE = Set.of(Smb2Command.SESSION_SETUP,
            Smb2Command.QUERY_DIRECTORY, Smb2Command.CHANGE_NOTIFY, Smb2Command.QUERY_INFO);

    private Smb2BodyDecoder() {
    }

    /** Whether {@code command}'s bodies are decoded (rather than reported as not understood). */
    static boolean follows(Smb2Command command) {
        return FOLLOWED.containsKey(command);
    }

    static Smb2Body decode(Smb2Header header, MessageReader message, SmbLimits limits) {
        if (header.isResponse()) {
            int structureSize = message.u16(Smb2Header.LENGTH, header.command() + " response StructureSize");
            if (structureSize == ErrorResponse.STRUCTURE_SIZE && header.isAsync()
                    && header.status().equals(NtStatus.PENDING)) {
                ErrorResponse.read(message);
                return new InterimResponse(header.asyncId());
            }
            if (structureSize == ErrorResponse.STRUCTURE_SIZE && isErrorForm(header)) {
                return ErrorResponse.read(message);
            }
        }
        Codec codec = FOLLOWED.get(header.command());
        String detail = header.command() + (header.isResponse() ? " response" : " request");
        if (codec == null) {
            return new NotUnderstood(header.command().isKnown() ? NotUnderstood.Reason.NOT_FOLLOWED
                    : NotUnderstood.Reason.UNKNOWN_COMMAND, detail);
        }
        return (header.isResponse() ? codec.response() : codec.request()).read(message, limits);
    }

    private static boolean isErrorForm(Smb2Header header) {
        NtStatus status = header.status();
        if (status.isSuccess()) {
            return false;
        }
        if (!RESPONSE_SIZE_NINE.contains(header.command())) {
            return true;
        }
        return status.isError() && !(header.command().equals(Smb2Command.SESSION_SETUP)
                && status.equals(NtStatus.MORE_PROCESSING_REQUIRED));
    }
}
