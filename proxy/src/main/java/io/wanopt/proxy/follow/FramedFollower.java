package io.wanopt.proxy.follow;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.ReferenceCounted;
import io.wanopt.cache.codec.ChunkEncoder;
import io.wanopt.cache.codec.CodecCounters;
import io.wanopt.cache.codec.CodecCounters.Kind;
import io.wanopt.cache.codec.EncodedBatch;
import io.wanopt.protocols.Framer;
import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.disk.ByteRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What followers of framed file protocols share. A flow is followed when its client's first bytes
 * start the protocol; the client is the LAN side of a flow this appliance accepted and the far side
 * of one it opened. Frames from the LAN are held until whole (by the framer's cap) and handed to the
 * subclass, which encodes them (header bytes as stream bytes, file data cut at file offsets); frames
 * to the LAN are only observed, to match responses to requests. What is held are the flow's own
 * buffers, retained, not copies. A framing error ends following in that direction for the rest of
 * the flow: generic bytes from then on. Confined to the flow's event loop.
 *
 * @param <F> the protocol's frame (record, message), reference counted
 */
abstract class FramedFollower<F extends ReferenceCounted> implements Follower {

    private enum State { UNDECIDED, FOLLOWING, OFF }

    /** LAN reads held at once before the composite consolidates them (a 4 MiB frame in 64 KiB reads is 64). */
    private static final int MAX_HELD_COMPONENTS = 256;

    protected final boolean lanIsClient;
    protected final ByteBufAllocator allocator;
    protected final FollowCounters counters;
    protected final ChunkEncoder encoder;
    protected final FollowedFlow flow;
    protected final FileAlignedEncoding encoding;
    protected final FlowFiles files = new FlowFiles();
    /** The flow's counters of what its encoder sent, for the WAN share of each file's data. */
    private final CodecCounters sent;
    private final Framer<F> fromLanFramer;
    private final Framer<F> toLanFramer;
    private State state = State.UNDECIDED;
    private boolean observing = true;
    private CompositeByteBuf fromLan;
    private CompositeByteBuf toLan;

    /**
     * @param lanIsClient whether the LAN side of the flow is the client (the flow was accepted here)
     * @param fromLanFramer frames what the LAN side sends; new, as it keeps the stream's state
     * @param toLanFramer frames what is written to the LAN side; new
     */
    FramedFollower(boolean lanIsClient, ByteBufAllocator allocator, FollowCounters counters, CodecCounters sent,
            ChunkEncoder encoder, FileAlignedEncoding encoding, FollowedFlow flow, Framer<F> fromLanFramer,
            Framer<F> toLanFramer) {
        this.lanIsClient = lanIsClient;
        this.allocator = allocator;
        this.counters = counters;
        this.sent = sent;
        this.encoder = encoder;
        this.encoding = encoding;
        this.flow = flow;
        this.fromLanFramer = fromLanFramer;
        this.toLanFramer = toLanFramer;
    }

    /** Whether {@code first}, the client's first bytes (not consumed), start the protocol. */
    protected abstract boolean startsProtocol(ByteBuf first);

    /** Counts a flow that turned out to carry the protocol. */
    protected abstract void countFollowed();

    /** A whole frame from the LAN (released by the caller): encoded into {@code out}, or kept back. */
    protected abstract void fromLanFrame(F frame, List<EncodedBatch> out);

    /** A whole frame written to the LAN (released by the caller), observed. */
    protected abstract void observedToLan(F frame);

    /** Following stopped in one direction, for {@code why}; counted. */
    protected void gaveUp(String why) {
        counters.gaveUp();
    }

    @Override
    public final boolean following() {
        return state == State.FOLLOWING;
    }

    @Override
    public final void fromLan(ByteBuf data) {
        List<EncodedBatch> out = new ArrayList<>();
        if (state == State.UNDECIDED) {
            decide(data, lanIsClient);
        }
        if (state == State.OFF) {
            encoder.add(data, out);
            flow.send(out);
            return;
        }
        fromLan = append(fromLan, data);
        while (true) {
            F frame;
            try {
                frame = fromLanFramer.poll(fromLan);
            } catch (MalformedInputException e) {
                gaveUp(protocol() + " framing from the " + side() + " broke: " + e.getMessage());
                state = State.OFF;
                encoder.add(fromLan, out);
                fromLan.skipBytes(fromLan.readableBytes());
                break;
            }
            if (frame == null) {
                break;
            }
            try {
                fromLanFrame(frame, out);
            } finally {
                frame.release();
            }
        }
        fromLan.discardReadComponents();
        flow.send(out);
    }

    @Override
    public void lanInputEnded() {
        if (fromLan != null && fromLan.isReadable()) {
            List<EncodedBatch> out = new ArrayList<>();
            encoder.add(fromLan, out);
            fromLan.skipBytes(fromLan.readableBytes());
            fromLan.discardReadComponents();
            flow.send(out);
        }
    }

    /** Observes stream bytes on their way to the LAN (not consumed, not released). */
    protected final void observeToLan(ByteBuf data) {
        if (state == State.UNDECIDED) {
            decide(data, !lanIsClient);
        }
        if (state != State.FOLLOWING || !observing) {
            return;
        }
        toLan = append(toLan, data);
        while (true) {
            F frame;
            try {
                frame = toLanFramer.poll(toLan);
            } catch (MalformedInputException e) {
                // Responses can no longer be matched: they cross as generic bytes from now on.
                observing = false;
                toLan.release();
                toLan = null;
                gaveUp(protocol() + " framing to the " + side() + " broke: " + e.getMessage());
                return;
            }
            if (frame == null) {
                break;
            }
            try {
                observedToLan(frame);
            } finally {
                frame.release();
            }
        }
        toLan.discardReadComponents();
    }

    /** Whether the stream to the LAN is between two frames, so that a frame of the appliance's own may go in. */
    protected final boolean atToLanBoundary() {
        return state == State.FOLLOWING && observing && (toLan == null || !toLan.isReadable());
    }

    /**
     * File data inside a frame's {@code wire}: {@code length} bytes from {@code offset} that are the
     * bytes of {@code file} from {@code fileOffset}, cut at file offsets and counted for the file; the
     * file offsets in {@code zeroed} cross as zeros.
     */
    protected final void fileData(ByteBuf wire, int offset, int length, Object file, long fileOffset, boolean written,
            List<ByteRange> zeroed, List<EncodedBatch> out) {
        encoding.endStream(out);
        long literalBefore = sent.get(Kind.LITERAL_BYTES);
        encoding.fileData(wire, offset, length, file, fileOffset, zeroed, out);
        files.data(file, fileOffset, written, wire, wire.readerIndex() + offset, length,
                sent.get(Kind.LITERAL_BYTES) - literalBefore);
    }

    @Override
    public final String filesSummary() {
        StringBuilder summary = new StringBuilder();
        for (FlowFiles.FileStats file : files.withData()) {
            summary.append(summary.length() == 0 ? "" : "; ").append(file);
        }
        return summary.toString();
    }

    @Override
    public final Optional<FlowFile> latestFile() {
        return files.latest().map(file -> new FlowFile(file.name() == null ? "(unnamed)" : file.name(),
                file.vmdk().isPresent()));
    }

    /** Bytes held from the LAN are dropped with the flow. */
    @Override
    public void close() {
        if (fromLan != null) {
            fromLan.release();
            fromLan = null;
        }
        if (toLan != null) {
            toLan.release();
            toLan = null;
        }
    }

    private String side() {
        return lanIsClient ? "client" : "server";
    }

    /** The first bytes of the flow: followed only when they come from the client and start the protocol. */
    private void decide(ByteBuf first, boolean fromClient) {
        state = fromClient && startsProtocol(first) ? State.FOLLOWING : State.OFF;
        if (state == State.FOLLOWING) {
            countFollowed();
        }
    }

    /** Holds {@code data} (the caller's) behind what is held, by reference: frames are sliced, not copied. */
    private CompositeByteBuf append(CompositeByteBuf held, ByteBuf data) {
        if (held == null) {
            held = allocator.compositeBuffer(MAX_HELD_COMPONENTS);
        }
        return held.addComponent(true, data.retainedDuplicate());
    }
}
