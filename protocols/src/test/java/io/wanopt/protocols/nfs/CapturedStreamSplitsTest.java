package io.wanopt.protocols.nfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.wanopt.protocols.TrackedBuffers;
import io.wanopt.protocols.oncrpc.RpcRecord;
import io.wanopt.protocols.oncrpc.RpcRecordDecoder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each direction of real captures through {@link RpcRecordDecoder} in chunks of every size 1..n (the
 * 10 KB READ stream in chunks of 1..32 and then every 127th size: with paranoid leak detection every size
 * of it takes minutes).
 */
class CapturedStreamSplitsTest {

    @Test
    void everyChunkSizeGivesTheSameRecords() {
        for (String name : List.of("v3-get-mount.txt", "v4-vmdk-nfs.txt", "v4-put-nfs.txt")) {
            CapturedExchange exchange = CapturedExchange.load(name);
            for (boolean fromClient : new boolean[] {true, false}) {
                assertSameRecordsInChunks(name, fromClient, exchange.stream(fromClient), 1);
            }
        }
    }

    @Test
    void manyChunkSizesOfAReadReplyStreamGiveTheSameRecords() {
        byte[] stream = CapturedExchange.load("v3-get-nfs.txt").stream(false);
        assertSameRecordsInChunks("v3-get-nfs.txt", false, stream, 127);
    }

    /** Chunk sizes 1..32, then every {@code step}th size up to the stream length. */
    private static void assertSameRecordsInChunks(String name, boolean fromClient, byte[] stream, int step) {
        List<String> reference = records(stream, stream.length);
        assertFalse(reference.isEmpty());
        for (int chunk = 1; chunk < stream.length; chunk += chunk < 32 ? 1 : step) {
            assertEquals(reference, records(stream, chunk), name + (fromClient ? " client" : " server")
                    + " stream in chunks of " + chunk);
        }
    }

    /** The wire bytes (hex) of each record, after checking the payload is the wire minus fragment headers. */
    private static List<String> records(byte[] stream, int chunk) {
        EmbeddedChannel channel = new EmbeddedChannel(new RpcRecordDecoder());
        List<String> records = new ArrayList<>();
        for (int offset = 0; offset < stream.length; offset += chunk) {
            channel.writeInbound(TrackedBuffers.of(stream, offset, Math.min(chunk, stream.length - offset)));
            for (RpcRecord record = channel.readInbound(); record != null; record = channel.readInbound()) {
                try {
                    String wire = ByteBufUtil.hexDump(record.wire());
                    assertEquals(wire.substring(8), ByteBufUtil.hexDump(record.payload()));
                    records.add(wire);
                } finally {
                    record.release();
                }
            }
        }
        assertFalse(channel.finish());
        return records;
    }
}
