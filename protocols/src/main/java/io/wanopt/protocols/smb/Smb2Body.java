package io.wanopt.protocols.smb;

/**
 * The part of an SMB2 message after its header, one record per message this package follows (each cites
 * its [MS-SMB2] section), {@link ErrorResponse} and {@link InterimResponse} for the error form every
 * command may answer with, and {@link NotUnderstood} for everything else.
 */
public sealed interface Smb2Body permits NegotiateRequest, NegotiateResponse, SessionSetupRequest,
        SessionSetupResponse, TreeConnectRequest, TreeConnectResponse, CreateRequest, CreateResponse, ReadRequest,
        ReadResponse, WriteRequest, WriteResponse, CloseRequest, CloseResponse, ErrorResponse, InterimResponse,
        IoctlRequest, NotUnderstood {
}
