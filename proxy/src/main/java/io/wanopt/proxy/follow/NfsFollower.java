package io.wanopt.proxy.follow;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.wanopt.cache.codec.ChunkEncoder;
import io.wanopt.cache.codec.CodecCounters;
import io.wanopt.cache.codec.CodecCounters.Kind;
import io.wanopt.cache.codec.EncodedBatch;
import io.wanopt.config.ProtocolSettings;
import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.nfs.FileData;
import io.wanopt.protocols.nfs.NfsConversation;
import io.wanopt.protocols.nfs.NfsLimits;
import io.wanopt.protocols.nfs.NfsMessage;
import io.wanopt.protocols.oncrpc.RpcRecord;
import io.wanopt.protocols.oncrpc.RpcRecordFramer;
import io.wanopt.protocols.nfs.NfsCall;
import io.wanopt.protocols.nfs.NfsReply;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Follows ONC RPC (NFS and MOUNT) on one flow, so that READ reply and WRITE call data reaches the
 * encoder cut at multiples of its file offset ({@code protocols.file-chunk-size}): the same file
 * block then gives the same chunk whatever call, XID, read size or offset carried it. RPC and NFS
 * header bytes go to the encoder as stream bytes around the data. No byte is changed.
 *
 * <p>A flow is followed when its client's first bytes are an RPC call (record marking with the
 * last-fragment bit, message type CALL, RPC version 2); the client is the LAN side of a flow this
 * appliance accepted and the far side of one it opened. Records from the LAN are held until whole
 * (at most {@code max-record-size}); records to the LAN are only observed, to match replies to
 * calls. What is held are the flow's own buffers, retained, not copies. Anything the parsers do not
 * understand crosses as generic stream bytes; a framing error ends following for the rest of the
 * flow, again as generic bytes. Confined to the flow's event loop.
 */
public final class NfsFollower {

    private enum State { UNDECIDED, FOLLOWING, OFF }

    /** Record marking header, XID, message type and RPC version of a call. */
    private static final int CALL_SIGNATURE_BYTES = 16;
    private static final int MIN_CALL_LENGTH = 40;
    private static final int RPC_CALL = 0;
    private static final int RPC_VERSION = 2;
    private static final int MAX_FRAGMENTS = 1024;
    /** LAN reads held at once before the composite consolidates them (a 4 MiB record in 64 KiB reads is 64). */
    private static final int MAX_HELD_COMPONENTS = 256;

    private final boolean lanIsClient;
    private final ProtocolSettings settings;
    private final ChunkEncoder encoder;
    private final FollowedFlow flow;
    private final int maxRecordSize;
    private final ByteBufAllocator allocator;
    private final NfsConversation conversation;
    private final FollowCounters counters;
    /** The flow's counters of what its encoder sent, for the WAN share of each file's data. */
    private final CodecCounters sent;
    private final NfsFiles files = new NfsFiles();
    private final RpcRecordFramer fromLanFramer;
    private final RpcRecordFramer toLanFramer;
    private final FileAlignedEncoding encoding;
    private State state = State.UNDECIDED;
    private boolean observing = true;
    private CompositeByteBuf fromLan;
    private CompositeByteBuf toLan;
    /** Next to the client: answers the client's READs from read-ahead. Null when read-ahead is off here. */
    private final ReadAheadCache readAheadCache;
    /** Next to the server: reads ahead of the client, once the far appliance said it answers from it. */
    private ReadAheadSource readAheadSource;
    /** Bytes from the LAN not sent on (dropped read-ahead replies): stream offsets on the far side exclude them. */
    private long droppedBytes;

    /**
     * @param lanIsClient whether the LAN side of the flow is the client (the flow was accepted here)
     */
    public NfsFollower(boolean lanIsClient, ProtocolSettings settings, ByteBufAllocator allocator,
            FollowCounters counters, CodecCounters sent, ChunkEncoder encoder, FileChunkIndex fileChunks,
            FollowedFlow flow, LongSupplier nanoTime) {
        this.lanIsClient = lanIsClient;
        this.settings = settings;
        this.encoder = encoder;
        this.flow = flow;
        this.maxRecordSize = settings.nfsMaxRecordSize();
        this.allocator = allocator;
        this.counters = counters;
        this.sent = sent;
        this.conversation = new NfsConversation(NfsLimits.defaults(), settings.nfsMaxPendingCalls());
        this.fromLanFramer = new RpcRecordFramer(maxRecordSize, maxRecordSize, MAX_FRAGMENTS);
        this.toLanFramer = new RpcRecordFramer(maxRecordSize, maxRecordSize, MAX_FRAGMENTS);
        this.encoding = new FileAlignedEncoding(encoder, fileChunks, counters, settings.fileChunkSize());
        this.readAheadCache = lanIsClient && settings.nfsReadAhead().enabled()
                ? new ReadAheadCache(conversation, flow, allocator, settings, counters, nanoTime, this::forward)
                : null;
    }

    /** Whether this side answers its client's READs from read-ahead (told to the far side when the flow opens). */
    public boolean answersFromReadAhead() {
        return readAheadCache != null;
    }

    /** Drops read-ahead data held past max-age, also when the client has gone quiet. */
    public void dropExpiredReadAhead() {
        if (readAheadCache != null) {
            readAheadCache.expire();
        }
    }

    /** Next to the server: the far appliance answers from read-ahead, so read ahead of the client if enabled here. */
    public void readAheadForPeer() {
        if (!lanIsClient && settings.nfsReadAhead().enabled() && readAheadSource == null) {
            readAheadSource = new ReadAheadSource(conversation, flow, allocator, settings, counters);
        }
    }

    /** A read-ahead message from the far appliance. */
    public void fromPeer(ReadAheadMessage message) {
        if (message instanceof ReadAheadMessage.Done done) {
            if (readAheadSource != null) {
                readAheadSource.done(done.xid(), done.outcome());
                pumpAtBoundary();
            }
            return;
        }
        if (readAheadCache == null) {
            flow.fail("read-ahead from the far appliance, which this side did not ask for");
            return;
        }
        if (message instanceof ReadAheadMessage.Call call) {
            readAheadCache.announced(call.payload());
        } else if (message instanceof ReadAheadMessage.Reply reply) {
            readAheadCache.replyFollows(reply.xid(), reply.streamOffset(), reply.length());
        } else if (message instanceof ReadAheadMessage.Dropped dropped) {
            readAheadCache.dropped(dropped.xid());
        }
    }

    /** Whether the flow turned out to be RPC and is still followed. */
    public boolean following() {
        return state == State.FOLLOWING;
    }

    /** Bytes read from the LAN (which stay the caller's): encoded, and the batches sent. */
    public void fromLan(ByteBuf data) {
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
            RpcRecord record;
            try {
                record = fromLanFramer.poll(fromLan);
            } catch (MalformedInputException e) {
                giveUp("RPC framing from the " + (lanIsClient ? "client" : "server") + " broke: " + e.getMessage());
                state = State.OFF;
                encoder.add(fromLan, out);
                fromLan.skipBytes(fromLan.readableBytes());
                break;
            }
            if (record == null) {
                break;
            }
            try {
                fromLanRecord(record, out);
            } finally {
                record.release();
            }
        }
        fromLan.discardReadComponents();
        flow.send(out);
    }

    /** Bytes from the far appliance (ownership passes): read-ahead replies taken off, the rest observed and written to the LAN. */
    public void toLan(ByteBuf data) {
        if (readAheadCache != null) {
            readAheadCache.fromWan(data, this::toLanStream);
            if (atToLanRecordBoundary()) {
                readAheadCache.atRecordBoundary(); // answers to calls that waited for the replies just taken
            }
        } else {
            toLanStream(data);
        }
    }

    /** Stream bytes to the LAN: observed (to match replies to calls), then written; ownership passes. */
    private void toLanStream(ByteBuf data) {
        observeToLan(data);
        flow.writeStream(data);
        if (atToLanRecordBoundary()) {
            if (readAheadCache != null) {
                readAheadCache.atRecordBoundary();
            }
            pumpAtBoundary();
        }
    }

    private void observeToLan(ByteBuf data) {
        if (state == State.UNDECIDED) {
            decide(data, !lanIsClient);
        }
        if (state != State.FOLLOWING || !observing) {
            return;
        }
        toLan = append(toLan, data);
        while (true) {
            RpcRecord record;
            try {
                record = toLanFramer.poll(toLan);
            } catch (MalformedInputException e) {
                // Replies can no longer be matched: they cross as generic bytes from now on.
                observing = false;
                toLan.release();
                toLan = null;
                giveUp("RPC framing to the " + (lanIsClient ? "client" : "server") + " broke: " + e.getMessage());
                return;
            }
            if (record == null) {
                break;
            }
            try {
                NfsMessage message = decode(record);
                if (message instanceof NfsReply reply && readAheadCache != null) {
                    readAheadCache.observedReply(reply);
                } else if (message instanceof NfsCall call && readAheadSource != null) {
                    readAheadSource.clientCall(call, record.payload());
                }
            } finally {
                record.release();
            }
        }
        toLan.discardReadComponents();
    }

    /** Whether the stream to the LAN is between two records, so that a record of the appliance's own may go in. */
    private boolean atToLanRecordBoundary() {
        return state == State.FOLLOWING && observing && (toLan == null || !toLan.isReadable());
    }

    private void pumpAtBoundary() {
        if (readAheadSource != null && atToLanRecordBoundary()) {
            readAheadSource.pump();
        }
    }

    /**
     * Following stops in one direction: generic bytes from then on. Once read-ahead has started, its
     * records can no longer be told apart, so the flow is reset rather than risk wrong bytes.
     */
    private void giveUp(String why) {
        counters.gaveUp();
        if ((readAheadCache != null && readAheadCache.engaged()) || (readAheadSource != null && readAheadSource.engaged())) {
            flow.fail(why + " while reading ahead");
        }
    }

    /** A record from the LAN: answered from read-ahead, dropped, or encoded (and so sent on). */
    private void fromLanRecord(RpcRecord record, List<EncodedBatch> out) {
        NfsMessage message = decode(record);
        if (message instanceof NfsCall call && readAheadCache != null
                && readAheadCache.fromClient(call, record, atToLanRecordBoundary())) {
            return;
        }
        if (readAheadSource != null && !(message instanceof NfsCall) && record.payload().readableBytes() >= 4) {
            int xid = record.payload().getInt(record.payload().readerIndex());
            ReadAheadSource.ReplyRoute route = readAheadSource.serverReply(xid, (NfsReply) message);
            if (route == ReadAheadSource.ReplyRoute.DROP) {
                droppedBytes += record.wire().readableBytes();
                return;
            }
            if (route == ReadAheadSource.ReplyRoute.READ_AHEAD) {
                flow.tell(new ReadAheadMessage.Reply(xid, record.streamOffset() - droppedBytes,
                        record.wire().readableBytes()));
            }
        }
        encodeRecord(record, message, out);
        if (readAheadSource != null && message instanceof NfsReply) {
            pumpAtBoundary();
        }
    }

    /** A client call held for read-ahead that goes to the server after all. */
    private void forward(RpcRecord record) {
        List<EncodedBatch> out = new ArrayList<>();
        encodeRecord(record, null, out);
        flow.send(out);
    }

    /** One line per file whose data this side encoded: name, VMDK or not, bytes, new bytes on the WAN; empty if none. */
    public String filesSummary() {
        StringBuilder summary = new StringBuilder();
        for (NfsFiles.FileStats file : files.withData()) {
            summary.append(summary.length() == 0 ? "" : "; ").append(file);
        }
        return summary.toString();
    }

    /** Releases what is held; bytes held from the LAN are dropped with the flow. */
    public void close() {
        if (fromLan != null) {
            fromLan.release();
            fromLan = null;
        }
        if (toLan != null) {
            toLan.release();
            toLan = null;
        }
        if (readAheadCache != null) {
            readAheadCache.close();
        }
    }

    /** The first bytes of the flow: followed only when they come from the client and start an RPC call. */
    private void decide(ByteBuf first, boolean fromClient) {
        state = fromClient && looksLikeRpcCall(first) ? State.FOLLOWING : State.OFF;
        if (state == State.FOLLOWING) {
            counters.followed();
        }
    }

    private boolean looksLikeRpcCall(ByteBuf data) {
        if (data.readableBytes() < CALL_SIGNATURE_BYTES) {
            return false;
        }
        int index = data.readerIndex();
        int header = data.getInt(index);
        int length = header & RpcRecordFramer.FRAGMENT_LENGTH_MASK;
        return (header & RpcRecordFramer.LAST_FRAGMENT) != 0 && length >= MIN_CALL_LENGTH && length <= maxRecordSize
                && data.getInt(index + 8) == RPC_CALL && data.getInt(index + 12) == RPC_VERSION;
    }

    /** Holds {@code data} (the caller's) behind what is held, by reference: records are sliced, not copied. */
    private CompositeByteBuf append(CompositeByteBuf held, ByteBuf data) {
        if (held == null) {
            held = allocator.compositeBuffer(MAX_HELD_COMPONENTS);
        }
        return held.addComponent(true, data.retainedDuplicate());
    }

    /** Decodes a record; null when the parsers cannot follow it (it then crosses as it is). */
    private NfsMessage decode(RpcRecord record) {
        try {
            NfsMessage message = conversation.decode(record.payload());
            if (!message.isUnderstood()) {
                counters.notUnderstood();
            }
            files.learnNames(message);
            return message;
        } catch (MalformedInputException e) {
            counters.malformed();
            return null;
        }
    }

    /** Header bytes as stream bytes, file data in file-aligned chunks, in wire order. */
    private void encodeRecord(RpcRecord record, NfsMessage message, List<EncodedBatch> out) {
        ByteBuf wire = record.wire();
        int position = 0;
        if (message != null) {
            for (FileData region : FileData.of(message)) {
                List<RpcRecord.WireRange> ranges = record.wireRanges(region.data());
                if (ranges.size() != 1) {
                    continue; // data split by a fragment header: left to the stream
                }
                RpcRecord.WireRange range = ranges.get(0);
                encoding.stream(wire, position, range.offset() - position, out);
                encoding.endStream(out);
                long literalBefore = sent.get(Kind.LITERAL_BYTES);
                encoding.fileData(wire, range.offset(), range.length(), region.file(), region.fileOffset(), out);
                files.data(region.file(), region.fileOffset(), region.written(), wire,
                        wire.readerIndex() + range.offset(), range.length(), sent.get(Kind.LITERAL_BYTES) - literalBefore);
                position = range.offset() + range.length();
            }
        }
        encoding.stream(wire, position, wire.readableBytes() - position, out);
    }
}
