package io.wanopt.proxy.follow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.wanopt.config.ProtocolSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whatever a follower makes of what the LAN side sends — well-formed, mutated, cut short or with
 * random bytes after, in any read sizes — the far side decodes exactly those bytes once the LAN side
 * has ended: parsing only decides where chunks are cut, never what crosses. Both followers (NFS and
 * SMB), with read-ahead off.
 */
class FollowerByteExactnessTest {

    private static final ProtocolSettings SETTINGS = new ProtocolSettings(32 * 1024, 1024, true, 1 << 20, 64,
            new ProtocolSettings.ReadAhead(false, 32 << 20, Duration.ofSeconds(5)), true, 1 << 20);
    private static final int ROUNDS = 60;

    @TempDir
    Path dir;
    private EncodingFixture fixture;
    private FarSide farSide;
    private final FollowCounters counters = new FollowCounters();

    @BeforeEach
    void start() throws IOException {
        fixture = new EncodingFixture(dir.resolve("sender"));
        farSide = new FarSide(dir.resolve("receiver"), fixture);
    }

    @AfterEach
    void stop() throws IOException {
        fixture.close();
        farSide.close();
    }

    @Test
    void nfsStreamsCrossByteExactWhateverTheirShape() throws IOException {
        Random random = new Random(41);
        byte[] data = new byte[100_000];
        random.nextBytes(data);
        List<byte[]> records = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            records.add(Nfs3Records.readCall(0x10 + i, i * 70_000L, 70_000));
            records.add(Nfs3Records.readReply(0x10 + i, Arrays.copyOfRange(data, i * 10_000, i * 10_000 + 70_000)));
        }
        assertByteExact(records, random, flow -> new NfsFollower(true, SETTINGS, ByteBufAllocator.DEFAULT, counters,
                fixture.codecCounters, fixture.encoder, new FileChunkIndex(64), fixture.smartReadMaps, flow, System::nanoTime));
    }

    @Test
    void smbStreamsCrossByteExactWhateverTheirShape() throws IOException {
        Random random = new Random(43);
        byte[] data = new byte[100_000];
        random.nextBytes(data);
        SmbFrames frames = new SmbFrames();
        List<byte[]> messages = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            messages.add(frames.readRequest(i * 40_000L, 60_000));
            messages.add(frames.readResponse(Arrays.copyOfRange(data, i * 6_000, i * 6_000 + 60_000)));
        }
        assertByteExact(messages, random, flow -> new SmbFollower(true, SETTINGS, ByteBufAllocator.DEFAULT, counters,
                fixture.codecCounters, fixture.encoder, new FileChunkIndex(64), fixture.smartReadMaps, flow));
    }

    /**
     * Sends the concatenated {@code messages} from the LAN, first as they are, then mutated (bytes
     * changed, lengths broken, random tails), each time in random read sizes through a new follower,
     * and checks that the batches decode to exactly the bytes sent.
     */
    private void assertByteExact(List<byte[]> messages, Random random, Function<FollowedFlow, Follower> followers)
            throws IOException {
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        messages.forEach(joined::writeBytes);
        byte[] stream = joined.toByteArray();
        for (int round = 0; round < ROUNDS; round++) {
            byte[] input = round == 0 ? stream : mutate(stream, random);
            RecordingFlow flow = new RecordingFlow(fixture.batches);
            Follower follower = followers.apply(flow);
            try {
                for (int at = 0; at < input.length; ) {
                    int piece = Math.min(input.length - at, 1 + random.nextInt(20_000));
                    ByteBuf bytes = ByteBufAllocator.DEFAULT.heapBuffer(piece).writeBytes(input, at, piece);
                    follower.fromLan(bytes);
                    bytes.release();
                    at += piece;
                }
                follower.lanInputEnded();
                fixture.encoder.flush(fixture.batches);
                assertArrayEquals(input, farSide.decode(fixture.batches), "round " + round);
            } finally {
                follower.close();
            }
        }
        assertTrue(counters.alignedBytes() > 0, "the well-formed stream was followed: " + counters);
    }

    /** Changes a few bytes (lengths, offsets, anything), and sometimes cuts the stream or adds random bytes. */
    private static byte[] mutate(byte[] stream, Random random) {
        byte[] mutated = stream.clone();
        for (int flips = 1 + random.nextInt(6); flips > 0; flips--) {
            mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
        }
        if (random.nextInt(4) == 0) {
            mutated = Arrays.copyOf(mutated, random.nextInt(mutated.length) + 1);
        }
        if (random.nextInt(4) == 0) {
            byte[] tail = new byte[random.nextInt(5000)];
            random.nextBytes(tail);
            byte[] longer = Arrays.copyOf(mutated, mutated.length + tail.length);
            System.arraycopy(tail, 0, longer, mutated.length, tail.length);
            mutated = longer;
        }
        return mutated;
    }
}
