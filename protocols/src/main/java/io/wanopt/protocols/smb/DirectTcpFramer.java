package io.wanopt.protocols.smb;

import io.netty.buffer.ByteBuf;
import io.wanopt.protocols.Framer;
import io.wanopt.protocols.MalformedInputException;

/**
 * Finds SMB frames in a port-445 TCP byte stream (Direct TCP transport, [MS-SMB2] 2.1), without a
 * pipeline: {@link #poll(ByteBuf)} returns the next whole frame or {@code null} while it is incomplete.
 *
 * <pre>
 *  +------+----------------------+---------------------------------+
 *  | 0x00 | length (24 bits, BE) |  SMB message (length bytes)     |   0xFE/0xFD/0xFC/0xFF 'SMB' ...
 *  +------+----------------------+---------------------------------+
 * </pre>
 *
 * The header is checked as soon as its 4 bytes are there, before any of the message is awaited: a first
 * byte other than zero (except an empty NetBIOS keep-alive, 0x85 with length 0, which some stacks still
 * send on port 445 and which is framed as an empty message of kind {@link FrameKind#UNKNOWN}) or a
 * length over {@code maxMessageLength} throws {@link MalformedInputException}
 * with the value, the limit and the stream offset of the header, and leaves the input alone. The stream
 * cannot be resynchronised after that: the framer must not be used again.
 *
 * <p>One framer per stream and direction; not thread-safe.
 */
public final class DirectTcpFramer implements Framer<SmbFrame> {

    /** RFC 1002 4.3.7 SESSION KEEP ALIVE: its type byte. */
    public static final int NETBIOS_KEEP_ALIVE = 0x85;
    /** The largest length the 3-byte field can express: 16 MiB - 1. */
    public static final int MAX_LENGTH_FIELD = 0xFF_FFFF;
    /**
     * The field's own maximum: an 8 MiB READ or WRITE (the Samba and Windows maximum) fits with room for
     * headers and compounding; nothing longer can be framed anyway.
     */
    public static final int DEFAULT_MAX_MESSAGE_LENGTH = MAX_LENGTH_FIELD;

    private final int maxMessageLength;
    private long streamOffset;

    /** A framer with {@link #DEFAULT_MAX_MESSAGE_LENGTH}. */
    public DirectTcpFramer() {
        this(DEFAULT_MAX_MESSAGE_LENGTH);
    }

    public DirectTcpFramer(int maxMessageLength) {
        if (maxMessageLength < 0 || maxMessageLength > MAX_LENGTH_FIELD) {
            throw new IllegalArgumentException("maxMessageLength (" + maxMessageLength + ") must be in 0-"
                    + MAX_LENGTH_FIELD);
        }
        this.maxMessageLength = maxMessageLength;
    }

    public int maxMessageLength() {
        return maxMessageLength;
    }

    /**
     * The next whole frame at {@code in}'s reader index, consuming its bytes, or {@code null} (nothing
     * consumed) until all of it is readable.
     *
     * @throws MalformedInputException when the transport header breaks the rules; {@code in} is left as it was
     */
    @Override
    public SmbFrame poll(ByteBuf in) {
        if (in.readableBytes() < SmbFrame.TRANSPORT_HEADER_LENGTH) {
            return null;
        }
        int start = in.readerIndex();
        int zero = in.getUnsignedByte(start);
        int length = in.getUnsignedMedium(start + 1);
        if (zero != 0 && !(zero == NETBIOS_KEEP_ALIVE && length == 0)) {
            throw MalformedInputException.invalid("Direct TCP header first byte", zero, "0", streamOffset);
        }
        if (length > maxMessageLength) {
            throw MalformedInputException.outOfRange("SMB message length", length, maxMessageLength, streamOffset);
        }
        if (in.readableBytes() - SmbFrame.TRANSPORT_HEADER_LENGTH < length) {
            return null;
        }
        SmbFrame frame = new SmbFrame(in.readRetainedSlice(SmbFrame.TRANSPORT_HEADER_LENGTH + length), streamOffset);
        streamOffset += SmbFrame.TRANSPORT_HEADER_LENGTH + length;
        return frame;
    }
}
