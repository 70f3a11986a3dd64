package io.wanopt.protocols.smb;

import static io.wanopt.protocols.smb.Smb2Builder.frame;
import static io.wanopt.protocols.smb.Smb2Builder.request;
import static io.wanopt.protocols.smb.Smb2Builder.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.TrackedBuffers;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Mutated real and builder-made frames (truncations, huge and negative lengths and offsets, flipped,
 * inserted and random bytes; fixed seeds) through the framer, the decoder and a conversation: the only
 * exception allowed is {@link MalformedInputException}, nothing hangs, no byte is lost, hostile lengths cost
 * no memory, and (with paranoid leak detection) nothing leaks.
 */
class SmbDecodingFuzzTest {

    private static final long SEED = 0x5EED_5B2L;
    /** Little-endian values that break lengths, offsets and counts: all ones, sign bits, just past a limit. */
    private static final long[] HOSTILE = {0xFFFF_FFFF_FFFF_FFFFL, 0xFFFF_FFFFL, 0x8000_0000L, 0x7FFF_FFFFL, 0x00FF_FFFFL,
        0x0100_0000L, 0x0001_0000L, 0xFFFFL, 0x8000L, 0x7FFFL, 0x00FFL, 0x0101L, 0x41L, 0x7L, 0x1L, 0L};
    private static final int[] WIDTHS = {1, 2, 4, 8};

    /** A request frame (or null) and a frame answering it (or a lone frame). */
    private record Exchange(byte[] request, byte[] response) {
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void mutatedFramesThrowOnlyMalformedInput() {
        List<Exchange> corpus = corpus();
        Random random = new Random(SEED);
        int decoded = 0;
        int rejected = 0;
        for (int i = 0; i < 6000; i++) {
            Exchange base = corpus.get(random.nextInt(corpus.size()));
            boolean mutateResponse = base.request() == null || random.nextBoolean();
            byte[] mutated = mutate(mutateResponse ? base.response() : base.request(), random);
            SmbConversation conversation = new SmbConversation(new SmbLimits(16, 8, 8, 4, 4, 512, 16));
            try {
                if (base.request() != null) {
                    decodeAll(conversation, mutateResponse ? base.request() : mutated);
                }
                decodeAll(conversation, mutateResponse ? mutated : base.response());
                decoded++;
            } catch (MalformedInputException e) {
                rejected++;
            } catch (RuntimeException | Error e) {
                fail("case " + i + " threw " + e + " on " + HexFormat.of().formatHex(mutated), e);
            }
        }
        // both outcomes must occur, or the mutations are too weak or too strong to mean anything
        assertTrue(decoded > 1000 && rejected > 1000, "decoded " + decoded + ", rejected " + rejected);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void randomMessagesBehindAValidHeaderThrowOnlyMalformedInput() {
        Random random = new Random(SEED + 1);
        int decoded = 0;
        for (int i = 0; i < 4000; i++) {
            byte[] message = new byte[66 + random.nextInt(200)];
            random.nextBytes(message);
            Smb2Builder.Le header = new Smb2Builder.Le().u8(0xFE).u8('S').u8('M').u8('B').u16(64).u16(1)
                    .u32(random.nextBoolean() ? 0 : random.nextInt()).u16(random.nextInt(0x15)).u16(1)
                    .u32(random.nextInt(16)).u32(random.nextInt(4) == 0 ? 8L * random.nextInt(40) : 0);
            System.arraycopy(header.toBytes(), 0, message, 0, header.size());
            if (random.nextBoolean()) {
                message[64] = (byte) random.nextInt(100); // a plausible StructureSize
                message[65] = 0;
            }
            try {
                decodeAll(new SmbConversation(SmbLimits.defaults()), Smb2Builder.transport(message));
                decoded++;
            } catch (MalformedInputException e) {
                // expected for most
            } catch (RuntimeException | Error e) {
                fail("case " + i + " threw " + e + " on " + HexFormat.of().formatHex(message), e);
            }
        }
        assertTrue(decoded > 100, "decoded " + decoded);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void mutatedStreamsThrowOnlyMalformedInputAndLoseNoByte() {
        List<Exchange> corpus = corpus();
        Random random = new Random(SEED + 2);
        for (int i = 0; i < 1500; i++) {
            Exchange base = corpus.get(random.nextInt(corpus.size()));
            byte[] clean = base.request() != null ? Smb2Builder.concat(base.request(), base.response()) : base.response();
            byte[] stream = mutate(clean, random);
            EmbeddedChannel channel = new EmbeddedChannel(new DirectTcpDecoder(new DirectTcpFramer(32_768)));
            SmbConversation conversation = new SmbConversation(SmbLimits.defaults());
            int chunk = 1 + random.nextInt(4096);
            long emitted = 0;
            for (int offset = 0; offset < stream.length; offset += chunk) {
                try {
                    channel.writeInbound(TrackedBuffers.of(stream, offset, Math.min(chunk, stream.length - offset)));
                } catch (MalformedInputException e) {
                    // the decoder passes the rest through; keep writing
                } catch (RuntimeException | Error e) {
                    channel.finishAndReleaseAll();
                    fail("case " + i + " threw " + e + " on " + HexFormat.of().formatHex(stream), e);
                }
                emitted += drain(channel, conversation, i);
            }
            channel.finish();
            emitted += drain(channel, conversation, i);
            assertEquals(stream.length, emitted, "case " + i + ": bytes out");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void hostileLengthsCostNoMemory() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<Exchange> corpus = corpus();
        Random random = new Random(SEED + 3);
        long most = 0;
        for (int i = 0; i < 3000; i++) {
            Exchange base = corpus.get(random.nextInt(corpus.size()));
            byte[] mutated = Smb2Builder.transport(hostile(Arrays.copyOfRange(base.response(), 4, base.response().length),
                    random));
            // an untracked buffer: the leak detector's own records would be counted otherwise
            ByteBuf in = Unpooled.wrappedBuffer(mutated);
            SmbFrame frame = new DirectTcpFramer().poll(in);
            long before = threads.getCurrentThreadAllocatedBytes();
            try {
                new SmbConversation(SmbLimits.defaults()).decode(frame);
            } catch (MalformedInputException e) {
                // expected for many
            } finally {
                frame.release();
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (i >= 500) { // after warm-up (class loading, JIT)
                most = Math.max(most, allocated);
            }
        }
        // names and lists are capped (4 KiB, 64 items); a length promising megabytes must cost none of them
        assertTrue(most < 256 * 1024, "most allocated by one decode: " + most + " bytes");

        EmbeddedChannel channel = new EmbeddedChannel(new DirectTcpDecoder());
        long before = threads.getCurrentThreadAllocatedBytes();
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}, new byte[1000]));
        long waiting = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(waiting < 1024 * 1024, "a 16 MiB frame header with 1000 bytes behind it cost " + waiting + " bytes");
        assertTrue(channel.finishAndReleaseAll());
    }

    /** Decodes every frame of {@code bytes} (one or more whole frames) through a framer and the conversation. */
    private static void decodeAll(SmbConversation conversation, byte[] bytes) {
        ByteBuf in = TrackedBuffers.of(bytes);
        try {
            DirectTcpFramer framer = new DirectTcpFramer();
            for (SmbFrame frame = framer.poll(in); frame != null; frame = framer.poll(in)) {
                try {
                    conversation.decode(frame);
                } finally {
                    frame.release();
                }
            }
        } finally {
            in.release();
        }
    }

    /** Decodes and releases what the channel emitted; returns how many wire bytes that was. */
    private static long drain(EmbeddedChannel channel, SmbConversation conversation, int testCase) {
        long bytes = 0;
        for (Object message = channel.readInbound(); message != null; message = channel.readInbound()) {
            try {
                if (message instanceof SmbFrame frame) {
                    bytes += frame.wire().readableBytes();
                    conversation.decode(frame);
                } else {
                    bytes += ((ByteBuf) message).readableBytes();
                }
            } catch (MalformedInputException e) {
                // the proxy forwards such a frame unchanged
            } catch (RuntimeException | Error e) {
                fail("case " + testCase + " threw " + e, e);
            } finally {
                ReferenceCountUtil.release(message);
            }
        }
        return bytes;
    }

    /**
     * One mutation; the transport header is mostly fixed up afterwards so the SMB parsers, not the framer,
     * meet the damage.
     */
    private static byte[] mutate(byte[] frame, Random random) {
        byte[] message = Arrays.copyOfRange(frame, 4, frame.length);
        switch (random.nextInt(5)) {
            case 0 -> message = Arrays.copyOf(message, random.nextInt(message.length + 1));
            case 1, 2 -> message = hostile(message, random);
            case 3 -> {
                for (int flips = 1 + random.nextInt(4); flips > 0 && message.length > 0; flips--) {
                    message[position(message, random)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            default -> {
                int at = position(message, random);
                byte[] inserted = new byte[1 + random.nextInt(12)];
                random.nextBytes(inserted);
                message = Smb2Builder.concat(Arrays.copyOf(message, at), inserted, Arrays.copyOfRange(message, at,
                        message.length));
            }
        }
        if (random.nextInt(10) == 0) {
            byte[] broken = Smb2Builder.transport(message);
            broken[1 + random.nextInt(3)] ^= (byte) (1 << random.nextInt(8));
            return broken;
        }
        return Smb2Builder.transport(message);
    }

    /** A hostile little-endian value of 1, 2, 4 or 8 bytes at a random place, mostly among the fixed fields. */
    private static byte[] hostile(byte[] message, Random random) {
        byte[] bytes = message.clone();
        int width = WIDTHS[random.nextInt(WIDTHS.length)];
        long value = HOSTILE[random.nextInt(HOSTILE.length)];
        int at = position(bytes, random);
        for (int b = 0; b < width && at + b < bytes.length; b++) {
            bytes[at + b] = (byte) (value >>> (8 * b));
        }
        return bytes;
    }

    /** Mostly within the first 200 bytes (headers and fixed fields), else anywhere. */
    private static int position(byte[] message, Random random) {
        if (message.length == 0) {
            return 0;
        }
        return random.nextInt(4) > 0 ? random.nextInt(Math.min(200, message.length)) : random.nextInt(message.length);
    }

    /** Every request/response pair of the captures, their encrypted frames, and builder-made exchanges they lack. */
    private static List<Exchange> corpus() {
        List<Exchange> corpus = new ArrayList<>();
        for (String name : List.of("smb311-get-put.txt", "smb210-get-put.txt", "smb311-signed-get-put.txt",
                "smb311-encrypted-get-put.txt", "smb311-guest-ls.txt")) {
            List<SmbCapture.Decoded> decoded = SmbCapture.load(name).replay(new SmbConversation(SmbLimits.defaults()));
            for (SmbCapture.Decoded frame : decoded) {
                if (frame.content() instanceof TransformHeader) {
                    corpus.add(new Exchange(null, frame.wire()));
                }
                for (Smb2Message message : frame.messages()) {
                    if (message instanceof Smb2Response answer && answer.request() != null) {
                        byte[] asked = decoded.stream().filter(d -> d.messages().contains(answer.request()))
                                .findFirst().orElseThrow().wire();
                        corpus.add(new Exchange(asked, frame.wire()));
                    }
                }
            }
        }
        FileId file = new FileId(3, 4);
        corpus.add(new Exchange(
                frame(request(Smb2Command.CREATE, 10, Smb2Builder.createRequest("vm\\disk.vmdk")),
                        request(Smb2Command.READ, 11, Smb2Builder.readRequest(FileId.RELATED, 0, 8)).related(),
                        request(Smb2Command.CLOSE, 12, Smb2Builder.closeRequest(FileId.RELATED, 1)).related()),
                frame(response(Smb2Command.CREATE, 10, Smb2Builder.createResponse(file, 8)),
                        response(Smb2Command.READ, 11, Smb2Builder.readResponse(new byte[8])).related(),
                        response(Smb2Command.CLOSE, 12, Smb2Builder.closeResponse(1, 8)).related())));
        corpus.add(new Exchange(
                frame(request(Smb2Command.CREATE, 20, Smb2Builder.createRequest("new.bin")),
                        request(Smb2Command.WRITE, 21, Smb2Builder.writeRequest(FileId.RELATED, 0, new byte[16])).related()),
                frame(response(Smb2Command.CREATE, 20, Smb2Builder.createResponse(file, 0)),
                        response(Smb2Command.WRITE, 21, Smb2Builder.errorResponse()).status(NtStatus.PENDING).async(9)
                                .related())));
        corpus.add(new Exchange(
                frame(request(Smb2Command.NEGOTIATE, 0, Smb2Builder.negotiateRequest(1, 0x0300, 0x0311))),
                frame(response(Smb2Command.NEGOTIATE, 0, Smb2Builder.negotiateResponse(0x0311, 3, 0x40, 2)))));
        corpus.add(new Exchange(
                frame(request(Smb2Command.READ, 30, Smb2Builder.readRequest(file, 1 << 20, 4096))),
                frame(response(Smb2Command.READ, 30, Smb2Builder.errorResponse()).status(NtStatus.END_OF_FILE))));
        corpus.add(new Exchange(null, Smb2Builder.transport(new Smb2Builder.Le().u8(0xFC).u8('S').u8('M').u8('B')
                .u32(4096).u16(5).u16(1).u32(64).zeros(64).toBytes())));
        corpus.add(new Exchange(null, Smb2Builder.transport(new byte[] {(byte) 0xFF, 'S', 'M', 'B', 0x72, 0, 0, 0})));
        return corpus;
    }
}
