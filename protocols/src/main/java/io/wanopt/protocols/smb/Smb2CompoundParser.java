package io.wanopt.protocols.smb;

import io.netty.buffer.ByteBuf;
import io.wanopt.protocols.MalformedInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits the SMB2 message of a frame into its compounded messages ([MS-SMB2] 3.2.4.1.4, 3.3.4.1.3) and
 * parses each: a message ends at its NextCommand (an offset from its own header, a multiple of 8, at least
 * a header long, inside the frame) or, when that is 0, at the end of the frame. Pure: no state.
 */
final class Smb2CompoundParser {

    /** A parsed message before the conversation matches it. */
    record Parsed(Smb2Header header, FrameRange range, Smb2Body body) {
    }

    private Smb2CompoundParser() {
    }

    static List<Parsed> parse(ByteBuf wire, SmbLimits limits) {
        List<Parsed> messages = new ArrayList<>(1);
        int frameLength = wire.readableBytes();
        int offset = SmbFrame.TRANSPORT_HEADER_LENGTH;
        while (true) {
            if (messages.size() == limits.maxCompoundMessages()) {
                throw MalformedInputException.outOfRange("compounded messages", messages.size() + 1L,
                        limits.maxCompoundMessages(), offset);
            }
            int remaining = frameLength - offset;
            Smb2Header header = Smb2Header.read(new MessageReader(wire, offset, remaining));
            long next = header.nextCommand();
            if (next != 0) {
                if ((next & 7) != 0 || next < Smb2Header.LENGTH) {
                    throw MalformedInputException.invalid("NextCommand", next, "0, or a multiple of 8 >= 64",
                            offset + 20);
                }
                if (next > remaining) {
                    throw MalformedInputException.outOfRange("NextCommand", next, remaining, offset + 20);
                }
            }
            int length = next == 0 ? remaining : (int) next;
            MessageReader message = new MessageReader(wire, offset, length);
            Smb2Body body;
            try {
                body = Smb2BodyDecoder.decode(header, message, limits);
            } catch (MalformedInputException e) {
                MalformedInputException named = new MalformedInputException("MessageId " + Long.toUnsignedString(
                        header.messageId()) + " (" + header.command() + (header.isResponse() ? " response" : " request")
                        + "): " + e.getMessage());
                named.initCause(e);
                throw named;
            }
            messages.add(new Parsed(header, new FrameRange(offset, length), body));
            if (next == 0) {
                return messages;
            }
            offset += length;
        }
    }
}
