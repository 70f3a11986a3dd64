package io.wanopt.proxy.follow;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.wanopt.cache.codec.ChunkEncoder;
import io.wanopt.cache.codec.CodecCounters;
import io.wanopt.cache.codec.EncodedBatch;
import io.wanopt.config.ProtocolSettings;
import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.disk.ByteRange;
import io.wanopt.protocols.nfs.FileData;
import io.wanopt.protocols.nfs.NfsCall;
import io.wanopt.protocols.nfs.NfsConversation;
import io.wanopt.protocols.nfs.NfsLimits;
import io.wanopt.protocols.nfs.NfsMessage;
import io.wanopt.protocols.nfs.NfsReply;
import io.wanopt.protocols.nfs.mount.Mnt3Res;
import io.wanopt.protocols.nfs.v3.Create3Res;
import io.wanopt.protocols.nfs.v3.Entryplus3;
import io.wanopt.protocols.nfs.v3.Lookup3Res;
import io.wanopt.protocols.nfs.v3.Nfs3Status;
import io.wanopt.protocols.nfs.v3.Readdirplus3Res;
import io.wanopt.protocols.nfs.v4.Compound4Res;
import io.wanopt.protocols.nfs.v4.CompoundFileFlow;
import io.wanopt.protocols.oncrpc.RpcRecord;
import io.wanopt.protocols.oncrpc.RpcRecordFramer;
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
public final class NfsFollower extends FramedFollower<RpcRecord> {

    /** Record marking header, XID, message type and RPC version of a call. */
    private static final int CALL_SIGNATURE_BYTES = 16;
    private static final int MIN_CALL_LENGTH = 40;
    private static final int RPC_CALL = 0;
    private static final int RPC_VERSION = 2;
    private static final int MAX_FRAGMENTS = 1024;

    private final ProtocolSettings settings;
    private final int maxRecordSize;
    private final NfsConversation conversation;
    /** Next to the client: answers the client's READs from read-ahead. Null when read-ahead is off here. */
    private final ReadAheadCache readAheadCache;
    /** Next to the server: reads ahead of the client, once the far appliance said it answers from it. */
    private ReadAheadSource readAheadSource;
    /** Next to the server: maps VM disks and zeroes their guest-free blocks where configured. */
    private final NfsSmartRead smartRead;
    /**
     * Where the far side's stream is ahead of this side's LAN stream: minus the bytes from the LAN not
     * sent on (dropped read-ahead and map replies), plus the replies this side answered itself.
     */
    private long farStreamShift;
    /** Where the last whole record from the LAN ended in the LAN stream. */
    private long lanRecordsEnd;

    /**
     * @param lanIsClient whether the LAN side of the flow is the client (the flow was accepted here)
     */
    public NfsFollower(boolean lanIsClient, ProtocolSettings settings, ByteBufAllocator allocator,
            FollowCounters counters, CodecCounters sent, ChunkEncoder encoder, FileChunkIndex fileChunks,
            SmartReadMaps smartReadMaps, FollowedFlow flow, LongSupplier nanoTime) {
        super(lanIsClient, allocator, counters, sent, encoder,
                new FileAlignedEncoding(encoder, fileChunks, counters, settings.fileChunkSize()), flow,
                framer(settings), framer(settings));
        this.settings = settings;
        this.maxRecordSize = settings.nfsMaxRecordSize();
        this.conversation = new NfsConversation(NfsLimits.defaults(), settings.nfsMaxPendingCalls());
        this.readAheadCache = lanIsClient && settings.nfsReadAhead().enabled()
                ? new ReadAheadCache(conversation, flow, allocator, settings, counters, nanoTime, this::forward)
                : null;
        this.smartRead = lanIsClient ? null : new NfsSmartRead(smartReadMaps, conversation, flow, allocator, counters,
                files, nanoTime, this::atToLanBoundary, this::fromServer, this::answerServerSide);
    }

    private static RpcRecordFramer framer(ProtocolSettings settings) {
        return new RpcRecordFramer(settings.nfsMaxRecordSize(), settings.nfsMaxRecordSize(), MAX_FRAGMENTS);
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
            readAheadSource = new ReadAheadSource(conversation, flow, allocator, settings, counters,
                    smartRead::answerWithZeros);
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

    /** Read-ahead replies are taken off; the rest is observed and written to the LAN. */
    @Override
    public void toLan(ByteBuf data) {
        if (readAheadCache != null) {
            readAheadCache.fromWan(data, this::toLanStream);
            if (atToLanBoundary()) {
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
        if (atToLanBoundary()) {
            if (readAheadCache != null) {
                readAheadCache.atRecordBoundary();
            }
            pumpAtBoundary();
        }
    }

    @Override
    protected void observedToLan(RpcRecord record) {
        NfsMessage message = decode(record);
        if (message instanceof NfsReply reply && readAheadCache != null) {
            readAheadCache.observedReply(reply);
        } else if (message instanceof NfsCall call) {
            if (readAheadSource != null) {
                readAheadSource.clientCall(call, record.payload());
            }
            if (smartRead != null) {
                smartRead.clientCall(call, record.payload());
            }
        }
    }

    private void pumpAtBoundary() {
        if (atToLanBoundary()) {
            if (readAheadSource != null) {
                readAheadSource.pump();
            }
            if (smartRead != null) {
                smartRead.pump();
            }
        }
    }

    /**
     * Following stops in one direction: generic bytes from then on. Once read-ahead has started, its
     * records can no longer be told apart, so the flow is reset rather than risk wrong bytes.
     */
    @Override
    protected void gaveUp(String why) {
        super.gaveUp(why);
        if ((readAheadCache != null && readAheadCache.engaged()) || (readAheadSource != null && readAheadSource.engaged())) {
            flow.fail(why + " while reading ahead");
        }
    }

    /** A record from the LAN: answered from read-ahead, dropped, or encoded (and so sent on). */
    @Override
    protected void fromLanFrame(RpcRecord record, List<EncodedBatch> out) {
        NfsMessage message = decode(record);
        if (message instanceof NfsCall call && readAheadCache != null
                && readAheadCache.fromClient(call, record, atToLanBoundary())) {
            return;
        }
        if (smartRead != null && !(message instanceof NfsCall)) {
            lanRecordsEnd = record.streamOffset() + record.wire().readableBytes();
            if (smartRead.ownReply(record, message)) {
                farStreamShift -= record.wire().readableBytes();
                pumpAtBoundary();
                return;
            }
            if (message instanceof NfsReply reply) {
                smartRead.serverReply(reply);
            }
            if (smartRead.holding()) {
                if (smartRead.hold(record, message, record.streamOffset() + farStreamShift)) {
                    return;
                }
                smartRead.stopHolding(out); // the memory cap is full: what was held goes first, after what is in out
            }
        }
        fromServer(record, message, record.streamOffset() + farStreamShift, out);
    }

    /** A record from the server side (next to the server) that goes on; {@code farStreamOffset} is where it lies in the far side's stream. */
    private void fromServer(RpcRecord record, NfsMessage message, long farStreamOffset, List<EncodedBatch> out) {
        if (readAheadSource != null && !(message instanceof NfsCall) && record.payload().readableBytes() >= 4) {
            int xid = record.payload().getInt(record.payload().readerIndex());
            ReadAheadSource.ReplyRoute route = readAheadSource.serverReply(xid, (NfsReply) message);
            if (route == ReadAheadSource.ReplyRoute.DROP) {
                farStreamShift -= record.wire().readableBytes();
                return;
            }
            if (route == ReadAheadSource.ReplyRoute.READ_AHEAD) {
                flow.tell(new ReadAheadMessage.Reply(xid, farStreamOffset, record.wire().readableBytes()));
            }
        }
        encodeRecord(record, message, out);
        if (message instanceof NfsReply) {
            pumpAtBoundary();
        }
    }

    /**
     * A reply this side gives in the server's place ({@code payload}, an RPC reply to a call sent to
     * nobody): it joins the server's replies at the next record boundary, as if the server had sent it.
     */
    private void answerServerSide(byte[] payload) {
        ByteBuf wire = allocator.buffer(RpcRecord.FRAGMENT_HEADER_LENGTH + payload.length);
        wire.writeInt(RpcRecordFramer.LAST_FRAGMENT | payload.length).writeBytes(payload);
        RpcRecord record = new RpcRecordFramer(payload.length, payload.length, 1).poll(wire);
        wire.release();
        try {
            NfsMessage message = decode(record);
            long farStreamOffset = lanRecordsEnd + farStreamShift;
            farStreamShift += record.wire().readableBytes();
            if (!smartRead.holding() || !smartRead.hold(record, message, farStreamOffset)) {
                List<EncodedBatch> out = new ArrayList<>();
                smartRead.stopHolding(out);
                fromServer(record, message, farStreamOffset, out);
                flow.send(out);
            }
        } finally {
            record.release();
        }
    }

    /** A client call held for read-ahead that goes to the server after all. */
    private void forward(RpcRecord record) {
        List<EncodedBatch> out = new ArrayList<>();
        encodeRecord(record, null, out);
        flow.send(out);
    }

    @Override
    public String protocol() {
        return "NFS";
    }

    /**
     * Client calls waiting for read-ahead go to the server now, and server replies held for a map go to
     * the far side: nothing may follow the flow's FIN.
     */
    @Override
    public void lanInputEnded() {
        if (readAheadCache != null) {
            readAheadCache.dropAll();
        }
        if (smartRead != null) {
            List<EncodedBatch> out = new ArrayList<>();
            smartRead.stopHolding(out);
            flow.send(out);
        }
        super.lanInputEnded();
    }

    @Override
    public void close() {
        super.close();
        if (readAheadCache != null) {
            readAheadCache.close();
        }
        if (smartRead != null) {
            smartRead.close();
        }
    }

    @Override
    protected boolean startsProtocol(ByteBuf first) {
        return startsRpcCall(first, maxRecordSize);
    }

    @Override
    protected void countFollowed() {
        counters.followed();
    }

    /** Whether {@code data} (a client's first bytes, not consumed) start an RPC call record of at most {@code maxRecordSize}. */
    public static boolean startsRpcCall(ByteBuf data, int maxRecordSize) {
        if (data.readableBytes() < CALL_SIGNATURE_BYTES) {
            return false;
        }
        int index = data.readerIndex();
        int header = data.getInt(index);
        int length = header & RpcRecordFramer.FRAGMENT_LENGTH_MASK;
        return (header & RpcRecordFramer.LAST_FRAGMENT) != 0 && length >= MIN_CALL_LENGTH && length <= maxRecordSize
                && data.getInt(index + 8) == RPC_CALL && data.getInt(index + 12) == RPC_VERSION;
    }

    /** Decodes a record; null when the parsers cannot follow it (it then crosses as it is). */
    private NfsMessage decode(RpcRecord record) {
        try {
            NfsMessage message = conversation.decode(record.payload());
            if (!message.isUnderstood()) {
                counters.notUnderstood();
            }
            learnNames(message);
            return message;
        } catch (MalformedInputException e) {
            counters.malformed();
            return null;
        }
    }

    /** Learns the names an NFS reply binds to file handles. */
    private void learnNames(NfsMessage message) {
        if (!(message instanceof NfsReply reply)) {
            return;
        }
        if (reply.result() instanceof Lookup3Res lookup && Nfs3Status.NFS3_OK.equals(lookup.status()) && lookup.object() != null) {
            files.named(lookup.object(), lookup.request().dir(), lookup.request().name());
        } else if (reply.result() instanceof Create3Res create && Nfs3Status.NFS3_OK.equals(create.status())
                && create.object() != null) {
            files.named(create.object(), create.request().dir(), create.request().name());
        } else if (reply.result() instanceof Readdirplus3Res listing) {
            for (Entryplus3 entry : listing.entries()) {
                if (entry.handle() != null) {
                    files.named(entry.handle(), listing.request().dir(), entry.name());
                }
            }
        } else if (reply.result() instanceof Mnt3Res mount && mount.root() != null) {
            files.named(mount.root(), mount.request().dirPath());
        } else if (reply.result() instanceof Compound4Res compound) {
            for (CompoundFileFlow.NameBinding binding : CompoundFileFlow.of(compound).names()) {
                if (binding.object() != null) {
                    files.named(binding.object(), binding.dir(), binding.name());
                }
            }
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
                List<ByteRange> zeroed = smartRead != null && message instanceof NfsReply reply
                        ? smartRead.zeroed(region, reply) : List.of();
                fileData(wire, range.offset(), range.length(), region.file(), region.fileOffset(), region.written(),
                        zeroed, out);
                position = range.offset() + range.length();
            }
        }
        encoding.stream(wire, position, wire.readableBytes() - position, out);
    }
}
