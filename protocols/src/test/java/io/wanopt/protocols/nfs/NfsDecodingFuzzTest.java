package io.wanopt.protocols.nfs;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.TrackedBuffers;
import io.wanopt.protocols.oncrpc.RpcRecord;
import io.wanopt.protocols.oncrpc.RpcRecordDecoder;
import io.wanopt.protocols.oncrpc.RpcRecordFramer;
import io.wanopt.protocols.oncrpc.XdrWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Mutated real and builder-made messages (truncations, huge and negative lengths, flipped and random
 * bytes; fixed seed) through the record decoder and the NFS decoders: the only exception allowed is
 * {@link MalformedInputException}, nothing hangs, and (with paranoid leak detection) nothing leaks.
 */
class NfsDecodingFuzzTest {

    private static final long SEED = 0x5EED_F00DL;
    private static final int[] HOSTILE_WORDS = {0xFFFF_FFFF, 0x7FFF_FFFF, 0x8000_0000, 0x8000_0001, 0x0100_0000, 0x7FFF_FFFC,
        0x0000_FFFF, 0x4000_0000};

    /** A call and the reply that answers it (payloads, without record marking). */
    private record Exchange(byte[] call, byte[] reply) {
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void mutatedMessagesThrowOnlyMalformedInput() {
        List<Exchange> corpus = corpus();
        Random random = new Random(SEED);
        int decoded = 0;
        int rejected = 0;
        for (int i = 0; i < 6000; i++) {
            Exchange base = corpus.get(random.nextInt(corpus.size()));
            boolean mutateReply = random.nextBoolean();
            byte[] mutated = mutate(mutateReply ? base.reply() : base.call(), random);
            NfsConversation conversation = new NfsConversation(NfsLimits.defaults(), 8);
            try {
                if (mutateReply) {
                    Conversations.decode(conversation, base.call());
                }
                Conversations.decode(conversation, mutated);
                decoded++;
            } catch (MalformedInputException e) {
                rejected++;
            } catch (RuntimeException | Error e) {
                fail("case " + i + " (" + (mutateReply ? "reply" : "call") + ") threw " + e + " on "
                        + ByteBufUtil.hexDump(mutated), e);
            }
        }
        // both outcomes must occur, or the mutations are too weak or too strong to mean anything
        assertTrue(decoded > 500 && rejected > 500, "decoded " + decoded + ", rejected " + rejected);
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void randomBytesThrowOnlyMalformedInput() {
        Random random = new Random(SEED + 1);
        for (int i = 0; i < 3000; i++) {
            byte[] bytes = new byte[random.nextInt(200)];
            random.nextBytes(bytes);
            if (bytes.length >= 8 && random.nextBoolean()) {
                bytes[4] = bytes[5] = bytes[6] = 0; // msg_type CALL or REPLY, to get past the first check
                bytes[7] = (byte) random.nextInt(2);
            }
            try {
                Conversations.decode(new NfsConversation(NfsLimits.defaults(), 4), bytes);
            } catch (MalformedInputException e) {
                // expected for most
            } catch (RuntimeException | Error e) {
                fail("case " + i + " threw " + e + " on " + ByteBufUtil.hexDump(bytes), e);
            }
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void mutatedRecordStreamsThrowOnlyMalformedInputAndLoseNoByte() {
        List<Exchange> corpus = corpus();
        Random random = new Random(SEED + 2);
        for (int i = 0; i < 2000; i++) {
            Exchange base = corpus.get(random.nextInt(corpus.size()));
            byte[] stream = mutate(XdrWriter.concat(XdrWriter.record(base.call()), XdrWriter.recordInFragments(base.reply(),
                    split(base.reply().length, random))), random);
            EmbeddedChannel channel = new EmbeddedChannel(new RpcRecordDecoder(new RpcRecordFramer(4096, 16_384, 8)));
            int chunk = 1 + random.nextInt(64);
            long emitted = 0;
            for (int offset = 0; offset < stream.length; offset += chunk) {
                try {
                    channel.writeInbound(TrackedBuffers.of(stream, offset, Math.min(chunk, stream.length - offset)));
                } catch (MalformedInputException e) {
                    // the decoder passes the rest through; keep writing
                } catch (RuntimeException | Error e) {
                    channel.finishAndReleaseAll();
                    fail("case " + i + " threw " + e + " on " + ByteBufUtil.hexDump(stream), e);
                }
                emitted += drain(channel);
            }
            channel.finish();
            emitted += drain(channel);
            if (emitted != stream.length) {
                fail("case " + i + ": " + emitted + " of " + stream.length + " bytes came out");
            }
        }
    }

    /** Releases what the channel emitted; returns how many wire bytes that was. */
    private static long drain(EmbeddedChannel channel) {
        long bytes = 0;
        for (Object message = channel.readInbound(); message != null; message = channel.readInbound()) {
            bytes += message instanceof RpcRecord record ? record.wire().readableBytes()
                    : ((ByteBuf) message).readableBytes();
            ReferenceCountUtil.release(message);
        }
        return bytes;
    }

    private static int[] split(int length, Random random) {
        List<Integer> parts = new ArrayList<>();
        int left = length;
        while (left > 0) {
            int part = Math.min(left, random.nextInt(length + 1));
            parts.add(part);
            left -= part;
        }
        if (parts.isEmpty()) {
            parts.add(0);
        }
        return parts.stream().mapToInt(Integer::intValue).toArray();
    }

    private static byte[] mutate(byte[] input, Random random) {
        byte[] bytes = input.clone();
        switch (random.nextInt(5)) {
            case 0 -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
            case 1, 2 -> {
                // lengths and counts are 4-byte aligned words: make one hostile
                int word = random.nextInt(Math.max(1, bytes.length / 4)) * 4;
                int value = HOSTILE_WORDS[random.nextInt(HOSTILE_WORDS.length)];
                for (int b = 0; b < 4 && word + b < bytes.length; b++) {
                    bytes[word + b] = (byte) (value >>> (24 - 8 * b));
                }
            }
            case 3 -> {
                for (int flips = 1 + random.nextInt(4); flips > 0 && bytes.length > 0; flips--) {
                    bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            default -> {
                int at = random.nextInt(bytes.length + 1);
                byte[] inserted = new byte[1 + random.nextInt(12)];
                random.nextBytes(inserted);
                bytes = XdrWriter.concat(Arrays.copyOf(bytes, at), inserted, Arrays.copyOfRange(bytes, at, bytes.length));
            }
        }
        return bytes;
    }

    /** Every exchange of the captures plus builder-made NFSv4.1 and COMPOUND messages the captures lack. */
    private static List<Exchange> corpus() {
        List<Exchange> corpus = new ArrayList<>();
        for (String name : List.of("v3-get-mount.txt", "v3-get-nfs.txt", "v3-put-nfs.txt", "v3-ls-nfs.txt",
                "v4-get-nfs.txt", "v4-vmdk-nfs.txt", "v4-put-nfs.txt")) {
            List<CapturedExchange.Decoded> decoded = CapturedExchange.load(name).replay(Conversations.create());
            for (int i = 0; i + 1 < decoded.size(); i += 2) {
                corpus.add(new Exchange(shorten(decoded.get(i).payload()), shorten(decoded.get(i + 1).payload())));
            }
        }
        byte[] fh = new byte[16];
        corpus.add(new Exchange(new XdrWriter().call(1, XdrWriter.NFS, 4, 1).string("").u32(1).u32(3)
                .i32(53).u64(1).u64(2).u32(1).u32(0).u32(0).bool(true)
                .i32(22).opaque(fh)
                .i32(38).u32(0).fixed(new byte[12]).u64(4096).u32(2).opaque(new byte[40])
                .i32(34).u32(0).fixed(new byte[12]).u32(2).u32(1 << 4 | 1 << 12).u32(1 << 22)
                .opaque(new XdrWriter().u64(0).u32(1).u32(0).u32(0).u32(0).string("EVERYONE@").u32(1).u64(5).u32(6).toBytes())
                .toBytes(),
                new XdrWriter().reply(1).u32(0).string("").u32(4)
                        .i32(53).u32(0).u64(1).u64(2).u32(1).u32(0).u32(9).u32(9).u32(0)
                        .i32(22).u32(0)
                        .i32(38).u32(0).u32(40).u32(2).u64(7)
                        .i32(34).u32(0).u32(1).u32(1 << 4).toBytes()));
        corpus.add(new Exchange(new XdrWriter().call(2, XdrWriter.NFS, 4, 1).string("open").u32(1).u32(3)
                .i32(22).opaque(fh)
                .i32(18).u32(0).u32(3).u32(0).u64(1).opaque(new byte[4]).u32(1).u32(3).u64(0).u32(1).u32(1 << 4).opaque(new byte[8])
                .u32(0).string("disk-flat.vmdk")
                .i32(10).toBytes(),
                new XdrWriter().reply(2).u32(0).string("open").u32(3)
                        .i32(22).u32(0)
                        .i32(18).u32(0).u32(1).fixed(new byte[12]).bool(true).u64(1).u64(2).u32(4).u32(1).u32(1 << 4)
                        .u32(1).u32(0).fixed(new byte[12]).bool(false).u32(0).u32(0).u32(0).string("OWNER@")
                        .i32(10).u32(0).opaque(fh).toBytes()));
        return corpus;
    }

    /** Caps payloads at 2 KiB (READ/WRITE data beyond that adds nothing to the mutations). */
    private static byte[] shorten(byte[] payload) {
        return payload.length <= 2048 ? payload : Arrays.copyOf(payload, 2048);
    }
}
