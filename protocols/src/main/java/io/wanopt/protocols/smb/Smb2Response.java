package io.wanopt.protocols.smb;

/**
 * A message from server to client.
 *
 * @param request the request it answers (by MessageId), or null when none was pending (never seen, evicted,
 *                or an unsolicited oplock/lease break notification)
 * @param file    the open it concerns: the request's, or for a CREATE response the file it opened
 */
public record Smb2Response(Smb2Header header, FrameRange range, Smb2Body body, Smb2Request request, OpenFile file)
        implements Smb2Message {

    /** Whether this is an interim STATUS_PENDING response (the real one follows). */
    public boolean isInterim() {
        return body instanceof InterimResponse;
    }
}
