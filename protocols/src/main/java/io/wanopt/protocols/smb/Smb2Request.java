package io.wanopt.protocols.smb;

/**
 * A message from client to server.
 *
 * @param file the open its FileId names (READ, WRITE, CLOSE), resolved through related compounding, or null
 */
public record Smb2Request(Smb2Header header, FrameRange range, Smb2Body body, OpenFile file) implements Smb2Message {
}
