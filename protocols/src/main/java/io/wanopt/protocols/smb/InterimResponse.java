package io.wanopt.protocols.smb;

/**
 * An interim response ([MS-SMB2] 3.3.4.2): an async response with STATUS_PENDING and an ERROR body that
 * says the request goes on and its real response, with the same MessageId, follows. The request stays
 * pending. Samba sends one for many large READs and WRITEs.
 *
 * @param asyncId the AsyncId the final response (and a CANCEL) will carry
 */
public record InterimResponse(long asyncId) implements Smb2Body {
}
