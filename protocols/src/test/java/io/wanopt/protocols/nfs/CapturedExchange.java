package io.wanopt.protocols.nfs;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.wanopt.protocols.TrackedBuffers;
import io.wanopt.protocols.oncrpc.RpcRecord;
import io.wanopt.protocols.oncrpc.RpcRecordDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A real NFS/MOUNT TCP exchange from {@code src/test/resources/nfs} (see the README there): the chunks
 * each side sent, in arrival order, replayed through one {@link RpcRecordDecoder} per direction and one
 * {@link NfsConversation}, as the proxy will.
 */
final class CapturedExchange {

    /** One chunk as read from the socket; {@code fromClient} tells the direction. */
    record Chunk(boolean fromClient, byte[] bytes) {
    }

    /** One decoded record, with copies of its bytes (the record itself is released). */
    record Decoded(boolean fromClient, NfsMessage message, byte[] wire, byte[] payload, RecordLayout layout) {
    }

    /** What of the record is needed after it is released: fragments, and where each {@link FileData} lies on the wire. */
    record RecordLayout(int fragments, List<List<RpcRecord.WireRange>> dataOnWire) {
    }

    private final String name;
    private final List<Chunk> chunks;

    private CapturedExchange(String name, List<Chunk> chunks) {
        this.name = name;
        this.chunks = chunks;
    }

    static CapturedExchange load(String name) {
        try (InputStream in = CapturedExchange.class.getResourceAsStream("/nfs/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture /nfs/" + name);
            }
            List<Chunk> chunks = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                chunks.add(new Chunk(line.startsWith("C "), HexFormat.of().parseHex(line.substring(2).trim())));
            }
            return new CapturedExchange(name, chunks);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read fixture " + name, e);
        }
    }

    String name() {
        return name;
    }

    List<Chunk> chunks() {
        return chunks;
    }

    /** All bytes one side sent. */
    byte[] stream(boolean fromClient) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        chunks.stream().filter(c -> c.fromClient() == fromClient).forEach(c -> out.writeBytes(c.bytes()));
        return out.toByteArray();
    }

    /** Replays the exchange through record decoders and {@code conversation}; every record must decode. */
    List<Decoded> replay(NfsConversation conversation) {
        EmbeddedChannel fromClient = new EmbeddedChannel(new RpcRecordDecoder());
        EmbeddedChannel fromServer = new EmbeddedChannel(new RpcRecordDecoder());
        List<Decoded> decoded = new ArrayList<>();
        for (Chunk chunk : chunks) {
            EmbeddedChannel channel = chunk.fromClient() ? fromClient : fromServer;
            channel.writeInbound(TrackedBuffers.of(chunk.bytes()));
            for (RpcRecord record = channel.readInbound(); record != null; record = channel.readInbound()) {
                try {
                    NfsMessage message = conversation.decode(record.payload());
                    List<List<RpcRecord.WireRange>> dataOnWire = new ArrayList<>();
                    for (FileData data : FileData.of(message)) {
                        dataOnWire.add(record.wireRanges(data.data()));
                    }
                    decoded.add(new Decoded(chunk.fromClient(), message, ByteBufUtil.getBytes(record.wire()),
                            ByteBufUtil.getBytes(record.payload()), new RecordLayout(record.fragmentCount(), dataOnWire)));
                } finally {
                    record.release();
                }
            }
        }
        if (fromClient.finish() || fromServer.finish()) {
            throw new AssertionError(name + " left bytes that are not a whole record");
        }
        return decoded;
    }
}
