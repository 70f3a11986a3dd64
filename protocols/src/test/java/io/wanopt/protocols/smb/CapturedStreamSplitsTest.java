package io.wanopt.protocols.smb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.wanopt.protocols.TrackedBuffers;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each direction of every real capture through {@link DirectTcpDecoder} and a {@link SmbConversation} in
 * chunks of many sizes; each split must give the same frames, byte for byte, decoded to the same messages.
 * One-byte chunks split every stream at every position; with paranoid leak detection each chunk costs
 * about 15 µs, so the larger sizes are a sample, except for the small, message-dense guest capture, which
 * gets every size up to 64.
 */
class CapturedStreamSplitsTest {

    private static final List<String> FILE_TRANSFERS = List.of("smb311-get-put.txt", "smb210-get-put.txt",
            "smb311-signed-get-put.txt", "smb311-encrypted-get-put.txt");
    private static final int[] SAMPLED_CHUNK_SIZES = {1, 7, 64, 997, 8191};

    @Test
    void fileTransfersGiveTheSameFramesAndMessagesInChunksOfEverySampledSize() {
        for (String name : FILE_TRANSFERS) {
            SmbCapture capture = SmbCapture.load(name);
            for (boolean fromClient : new boolean[] {true, false}) {
                byte[] stream = capture.stream(fromClient);
                List<String> reference = frames(stream, stream.length);
                for (int chunk : SAMPLED_CHUNK_SIZES) {
                    assertEquals(reference, frames(stream, chunk), description(name, fromClient, chunk));
                }
            }
        }
    }

    @Test
    void guestSessionGivesTheSameFramesAndMessagesInChunksOfEverySizeUpTo64() {
        SmbCapture capture = SmbCapture.load("smb311-guest-ls.txt");
        for (boolean fromClient : new boolean[] {true, false}) {
            byte[] stream = capture.stream(fromClient);
            List<String> reference = frames(stream, stream.length);
            assertEquals(15, reference.size());
            for (int chunk = 1; chunk <= 64; chunk++) {
                assertEquals(reference, frames(stream, chunk), description(capture.name(), fromClient, chunk));
            }
        }
    }

    private static String description(String name, boolean fromClient, int chunk) {
        return name + (fromClient ? " client" : " server") + " stream in chunks of " + chunk;
    }

    /** Each frame's stream offset, wire bytes (hex) and what a conversation decoded from it. */
    private static List<String> frames(byte[] stream, int chunk) {
        EmbeddedChannel channel = new EmbeddedChannel(new DirectTcpDecoder());
        SmbConversation conversation = new SmbConversation(SmbLimits.defaults());
        List<String> frames = new ArrayList<>();
        for (int offset = 0; offset < stream.length; offset += chunk) {
            channel.writeInbound(TrackedBuffers.of(stream, offset, Math.min(chunk, stream.length - offset)));
            for (SmbFrame frame = channel.readInbound(); frame != null; frame = channel.readInbound()) {
                try {
                    // one getBytes: hexDump would record a leak-detector access per byte
                    frames.add(frame.streamOffset() + " " + HexFormat.of().formatHex(ByteBufUtil.getBytes(frame.wire()))
                            + " " + conversation.decode(frame));
                } finally {
                    frame.release();
                }
            }
        }
        assertFalse(channel.finish());
        return frames;
    }
}
