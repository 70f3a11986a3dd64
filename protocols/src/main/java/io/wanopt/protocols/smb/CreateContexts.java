package io.wanopt.protocols.smb;

import io.netty.buffer.ByteBufUtil;
import io.wanopt.protocols.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the names of a CREATE request's or response's create contexts ([MS-SMB2] 2.2.13.2): durable
 * handles ("DH2Q", "DHnQ"), leases ("RqLs"), maximal access ("MxAc"), ... Their data is not interpreted.
 * Each context, 8-byte aligned, is
 *
 * <pre>
 * Next (4)  NameOffset (2)  NameLength (2)  Reserved (2)  DataOffset (2)  DataLength (4)  Buffer
 * </pre>
 *
 * with offsets from the context's start; Next is 0 on the last.
 */
final class CreateContexts {

    /** [MS-SMB2] 2.2.13.2.8 SMB2_CREATE_REQUEST_LEASE(_V2) and its response. */
    static final String LEASE = "RqLs";

    private static final int CONTEXT_HEADER_LENGTH = 16;
    /** Names are 4-byte tags or 16-byte GUIDs. */
    private static final int MAX_NAME_LENGTH = 64;

    private CreateContexts() {
    }

    /** The names, in order, of the contexts in {@code area} (a range of the frame inside {@code message}). */
    static List<String> names(MessageReader message, FrameRange area, SmbLimits limits) {
        List<String> names = new ArrayList<>();
        int position = area.offset() - message.start();
        int end = area.end() - message.start();
        while (position < end) {
            if (names.size() == limits.maxListItems()) {
                throw MalformedInputException.outOfRange("create context count", names.size() + 1L,
                        limits.maxListItems(), message.start() + position);
            }
            if (end - position < CONTEXT_HEADER_LENGTH) {
                throw MalformedInputException.truncated("create context", CONTEXT_HEADER_LENGTH, end - position,
                        message.start() + position);
            }
            long next = message.u32(position, "create context Next");
            int nameOffset = message.u16(position + 4, "create context NameOffset");
            int nameLength = message.u16(position + 6, "create context NameLength");
            int contextEnd = next == 0 ? end : (int) Math.min(end, position + next);
            if (next != 0 && (next < CONTEXT_HEADER_LENGTH || (next & 7) != 0 || position + next > end)) {
                throw MalformedInputException.invalid("create context Next", next,
                        "0, or a multiple of 8 from 16 to " + (end - position), message.start() + position);
            }
            if (nameLength > MAX_NAME_LENGTH) {
                throw MalformedInputException.outOfRange("create context NameLength", nameLength, MAX_NAME_LENGTH,
                        message.start() + position + 6);
            }
            if (nameLength == 0 || nameOffset < CONTEXT_HEADER_LENGTH
                    || (long) position + nameOffset + nameLength > contextEnd) {
                throw MalformedInputException.invalid("create context name at NameOffset " + nameOffset
                        + ", NameLength", nameLength, "inside the context", message.start() + position);
            }
            names.add(name(message, new FrameRange(message.start() + position + nameOffset, nameLength)));
            if (next == 0) {
                break;
            }
            position += (int) next;
        }
        return List.copyOf(names);
    }

    private static String name(MessageReader message, FrameRange range) {
        String text = message.latin1(range);
        boolean printable = text.chars().allMatch(c -> c >= 0x20 && c < 0x7F);
        return printable ? text : ByteBufUtil.hexDump(text.getBytes(StandardCharsets.ISO_8859_1));
    }
}
