package io.wanopt.protocols.smb;

import java.util.ArrayList;
import java.util.List;

/**
 * The SMB2 messages of one frame: one, or several compounded with NextCommand, in wire order.
 *
 * @param messages every message, requests and responses as the conversation matched them
 */
public record Smb2Compound(List<Smb2Message> messages) implements FrameContent {

    public Smb2Compound {
        messages = List.copyOf(messages);
    }

    @Override
    public FrameKind kind() {
        return FrameKind.SMB2;
    }

    /** The READ and WRITE data of all messages, in wire order. */
    public List<SmbFileData> fileData() {
        List<SmbFileData> found = new ArrayList<>(1);
        for (Smb2Message message : messages) {
            SmbFileData data = SmbFileData.of(message);
            if (data != null) {
                found.add(data);
            }
        }
        return found;
    }
}
