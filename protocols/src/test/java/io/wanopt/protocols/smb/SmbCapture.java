package io.wanopt.protocols.smb;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.wanopt.protocols.TrackedBuffers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A real smbclient ↔ Samba TCP connection from {@code src/test/resources/smb} (see the README there): the
 * chunks each side sent, in arrival order, replayed through one {@link DirectTcpDecoder} per direction and
 * one {@link SmbConversation}, as the proxy will.
 */
final class SmbCapture {

    /** One chunk as read from the socket; {@code fromClient} tells the direction. */
    record Chunk(boolean fromClient, byte[] bytes) {
    }

    /** One decoded frame, with a copy of its bytes (the frame itself is released). */
    record Decoded(boolean fromClient, FrameContent content, byte[] wire) {

        List<Smb2Message> messages() {
            return content instanceof Smb2Compound compound ? compound.messages() : List.of();
        }

        /** The bytes of {@code range} of this frame. */
        byte[] bytes(FrameRange range) {
            return java.util.Arrays.copyOfRange(wire, range.offset(), range.end());
        }
    }

    private final String name;
    private final List<Chunk> chunks;

    private SmbCapture(String name, List<Chunk> chunks) {
        this.name = name;
        this.chunks = chunks;
    }

    static SmbCapture load(String name) {
        try (InputStream in = SmbCapture.class.getResourceAsStream("/smb/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture /smb/" + name);
            }
            List<Chunk> chunks = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (!line.isBlank()) {
                    chunks.add(new Chunk(line.startsWith("C "), HexFormat.of().parseHex(line.substring(2).trim())));
                }
            }
            return new SmbCapture(name, chunks);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read fixture " + name, e);
        }
    }

    String name() {
        return name;
    }

    /** All bytes one side sent. */
    byte[] stream(boolean fromClient) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        chunks.stream().filter(c -> c.fromClient() == fromClient).forEach(c -> out.writeBytes(c.bytes()));
        return out.toByteArray();
    }

    /** Replays the connection through frame decoders and {@code conversation}; every frame must decode. */
    List<Decoded> replay(SmbConversation conversation) {
        EmbeddedChannel fromClient = new EmbeddedChannel(new DirectTcpDecoder());
        EmbeddedChannel fromServer = new EmbeddedChannel(new DirectTcpDecoder());
        List<Decoded> decoded = new ArrayList<>();
        for (Chunk chunk : chunks) {
            EmbeddedChannel channel = chunk.fromClient() ? fromClient : fromServer;
            channel.writeInbound(TrackedBuffers.of(chunk.bytes()));
            for (SmbFrame frame = channel.readInbound(); frame != null; frame = channel.readInbound()) {
                try {
                    decoded.add(new Decoded(chunk.fromClient(), conversation.decode(frame),
                            ByteBufUtil.getBytes(frame.wire())));
                } finally {
                    frame.release();
                }
            }
        }
        if (fromClient.finish() || fromServer.finish()) {
            throw new AssertionError(name + " left bytes that are not a whole frame");
        }
        return decoded;
    }
}
