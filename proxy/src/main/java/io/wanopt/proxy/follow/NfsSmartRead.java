package io.wanopt.proxy.follow;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.wanopt.cache.codec.EncodedBatch;
import io.wanopt.config.SmartReadSettings.UnusedBlocks;
import io.wanopt.protocols.disk.ByteRange;
import io.wanopt.protocols.disk.FileUsageMap;
import io.wanopt.protocols.nfs.FileChanges;
import io.wanopt.protocols.nfs.FileChanges.Version;
import io.wanopt.protocols.nfs.FileData;
import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.NfsCall;
import io.wanopt.protocols.nfs.NfsConversation;
import io.wanopt.protocols.nfs.NfsMessage;
import io.wanopt.protocols.nfs.NfsReply;
import io.wanopt.protocols.nfs.ReplayableRead;
import io.wanopt.protocols.oncrpc.RpcRecord;
import io.wanopt.protocols.oncrpc.RpcRecordFramer;
import io.wanopt.protocols.vmdk.VmdkSignature;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * SmartRead on an NFS flow, next to the storage. When a client reads a file named as a VM disk whose
 * guest-free blocks are to cross as zeros ({@code smartread.unused-blocks}, per path), the appliance
 * maps that version of the file with READs of its own: copies of the client's READ with this
 * appliance's XIDs and other offsets, written to the server between the client's records, whose
 * replies are taken off and never sent across. While the map is built, the server's replies are held
 * (against the memory cap; when it is full they go on as they are), so that no guest-free block
 * crosses before the map is known. Then file data of that version has its guest-free bytes zeroed.
 *
 * <p>A version is the file handle with the reply's mtime, ctime (NFSv3) or change attribute (NFSv4)
 * and size: a READ reply with other attributes is not zeroed. NFSv4 READ replies carry no attributes,
 * so there the version is the last one a reply on this connection showed, forgotten at every call that
 * may change a file. Confined to the flow's event loop, but for the map reads' requests, which the
 * map's worker thread hands over through the flow.
 */
final class NfsSmartRead {

    /** Own XIDs start this far from the client's (read-ahead uses 2^30). */
    private static final int XID_DISTANCE = 0xC000_0000;
    private static final int MAX_FILES = 1024;
    /**
     * Versions of one file mapped per connection: a file that keeps changing while it is read (a running
     * VM's disk) is not mapped again and again; its data then crosses as it is.
     */
    private static final int MAX_MAPS_PER_FILE = 3;

    /** A map read sent (or waiting to be) and its reply's future. */
    private record OwnRead(ReplayableRead template, long offset, CompletableFuture<byte[]> block) {
    }

    /** A server reply held while a map is built, with where it lies in the stream the far side gets. */
    private record Held(RpcRecord record, NfsMessage message, long farStreamOffset) {
    }

    /** Processes a server reply as if it had just come: the follower's normal path. */
    @FunctionalInterface
    interface ReplyPath {
        void process(RpcRecord record, NfsMessage message, long farStreamOffset, List<EncodedBatch> out);
    }

    private final SmartReadMaps maps;
    private final NfsConversation conversation;
    private final FollowedFlow flow;
    private final ByteBufAllocator allocator;
    private final FollowCounters counters;
    private final FlowFiles files;
    private final LongSupplier nanoTime;
    private final BooleanSupplier atServerBoundary;
    private final ReplyPath replyPath;
    private final Consumer<byte[]> answerServerSide;
    /** The last READ the client sent of each file to be mapped: the map reads copy it. */
    private final Map<FileHandle, ReplayableRead> templates = lru();
    /** The last version a reply showed of each file, until a call may change files. */
    private final Map<FileHandle, Version> current = lru();
    private final Map<FileHandle, Integer> mapsStarted = lru();
    private final ArrayDeque<OwnRead> unsent = new ArrayDeque<>();
    private final Map<Integer, OwnRead> sent = new HashMap<>();
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    /** The version being mapped while replies are held; null when none are. */
    private Version holdingFor;
    private boolean xidChosen;
    private int nextXid;
    private boolean closed;

    NfsSmartRead(SmartReadMaps maps, NfsConversation conversation, FollowedFlow flow, ByteBufAllocator allocator,
            FollowCounters counters, FlowFiles files, LongSupplier nanoTime, BooleanSupplier atServerBoundary,
            ReplyPath replyPath, Consumer<byte[]> answerServerSide) {
        this.maps = maps;
        this.conversation = conversation;
        this.flow = flow;
        this.allocator = allocator;
        this.counters = counters;
        this.files = files;
        this.nanoTime = nanoTime;
        this.atServerBoundary = atServerBoundary;
        this.replyPath = replyPath;
        this.answerServerSide = answerServerSide;
    }

    /** A client call on its way to the server. */
    void clientCall(NfsCall call, ByteBuf payload) {
        if (!xidChosen) {
            nextXid = call.xid() + XID_DISTANCE;
            xidChosen = true;
        }
        if (sent.containsKey(call.xid())) {
            // Its reply and ours could not be told apart: reset rather than risk the client getting ours.
            flow.fail(String.format("client call xid 0x%08x is that of a SmartRead map READ still out", call.xid()));
            return;
        }
        if (FileChanges.mayChangeFiles(call)) {
            current.clear();
            return;
        }
        ReplayableRead read = ReplayableRead.of(call, payload);
        if (read != null && (templates.containsKey(read.file()) || zeroesFreeBlocks(read.file()))) {
            templates.put(read.file(), read);
            Version version = current.get(read.file());
            if (version != null) {
                startMap(version);
            }
        }
    }

    /** Whether {@code record} from the server answers a map read; if so it is taken (and not sent on). */
    boolean ownReply(RpcRecord record, NfsMessage message) {
        ByteBuf payload = record.payload();
        if (sent.isEmpty() || payload.readableBytes() < 4) {
            return false;
        }
        OwnRead read = sent.remove(payload.getInt(payload.readerIndex()));
        if (read == null) {
            return false;
        }
        List<FileData> data = message instanceof NfsReply reply ? FileData.of(reply) : List.of();
        if (data.size() != 1) {
            read.block().completeExceptionally(new IOException("the server's reply is not READ data"
                    + (message instanceof NfsReply reply ? " (" + reply.result() + ")" : "")));
            return true;
        }
        byte[] bytes = new byte[data.get(0).data().length()];
        payload.getBytes(payload.readerIndex() + data.get(0).data().offset(), bytes);
        counters.smartReadMapRead(bytes.length);
        read.block().complete(bytes);
        return true;
    }

    /** A server reply for the client: its versions are learned, and a map may start for them. */
    void serverReply(NfsReply reply) {
        for (Version version : FileChanges.versions(reply)) {
            current.put(version.file(), version);
            if (templates.containsKey(version.file())) {
                startMap(version);
            }
        }
    }

    /** Whether server replies are held now, for a map being built. */
    boolean holding() {
        return holdingFor != null;
    }

    /**
     * Holds a server reply until the map is built: a copy, as the record's bytes are part of the
     * follower's input buffer, whose layout changes. False when the memory cap is full: holding stops,
     * and the caller sends what was held ({@link #stopHolding}) and then this reply, into the same batches
     * as the records before it.
     */
    boolean hold(RpcRecord record, NfsMessage message, long farStreamOffset) {
        int bytes = record.wire().readableBytes();
        if (!flow.tryHold(bytes)) {
            holdingFor = null;
            return false;
        }
        held.add(new Held(detached(allocator, record.wire()), message, farStreamOffset));
        return true;
    }

    /** A record of its own over a copy of {@code wire} (one whole record with its marking), with the same payload layout. */
    static RpcRecord detached(ByteBufAllocator allocator, ByteBuf wire) {
        int bytes = wire.readableBytes();
        ByteBuf copy = allocator.buffer(bytes).writeBytes(wire, wire.readerIndex(), bytes);
        try {
            return new RpcRecordFramer(bytes, bytes, bytes / RpcRecord.FRAGMENT_HEADER_LENGTH).poll(copy);
        } finally {
            copy.release();
        }
    }

    /** The held replies go on now, in order (the server's FIN, the map built or given up). */
    void stopHolding(List<EncodedBatch> out) {
        holdingFor = null;
        while (!held.isEmpty()) {
            Held next = held.poll();
            flow.released(next.record().wire().readableBytes());
            try {
                replyPath.process(next.record(), next.message(), next.farStreamOffset(), out);
            } finally {
                next.record().release();
            }
        }
    }

    /**
     * The guest-free parts of READ data {@code region} of {@code reply} that cross as zeros (file
     * offsets); empty unless the file's version is mapped and its path says zero.
     */
    List<ByteRange> zeroed(FileData region, NfsReply reply) {
        if (region.written() || region.file() == null || !templates.containsKey(region.file())) {
            return List.of();
        }
        Version version = FileChanges.versions(reply).stream().filter(v -> v.file().equals(region.file()))
                .findFirst().orElse(current.get(region.file()));
        Optional<FileUsageMap> map = version == null ? Optional.empty() : maps.map(version);
        if (map.isEmpty()) {
            return List.of();
        }
        List<ByteRange> zeroed = map.get().freeWithin(region.fileOffset(), region.data().length());
        long bytes = zeroed.stream().mapToLong(ByteRange::length).sum();
        counters.freeBytesZeroed(bytes);
        files.zeroed(region.file(), bytes);
        return zeroed;
    }

    /**
     * With {@code skip-storage-reads}, answers a READ ahead of the client that falls wholly in guest-free
     * blocks of a mapped version zeroed here, with zeros and without the server: the reply joins the
     * server's at the next record boundary. Says whether it did.
     */
    boolean answerWithZeros(ReplayableRead template, int xid, long offset, long count) {
        if (!maps.settings().skipStorageReads() || holdingFor != null || !templates.containsKey(template.file())) {
            return false;
        }
        Version version = current.get(template.file());
        Optional<FileUsageMap> map = version == null ? Optional.empty() : maps.map(version);
        if (map.isEmpty() || offset >= map.get().fileSize()) {
            return false;
        }
        int length = (int) Math.min(count, map.get().fileSize() - offset);
        if (!map.get().whollyFree(offset, length)) {
            return false;
        }
        byte[] reply = template.zeroReply(xid, length, offset + length >= map.get().fileSize());
        counters.storageReadSkipped(length);
        flow.execute(() -> {
            if (!closed) {
                answerServerSide.accept(reply);
            }
        });
        return true;
    }

    /** Sends map reads waiting for a gap between the client's records. */
    void pump() {
        while (!unsent.isEmpty() && !closed && flow.acceptsRecords() && atServerBoundary.getAsBoolean()) {
            send(unsent.poll());
        }
    }

    /** Fails the map reads still out and lets held replies go. */
    void close() {
        closed = true;
        IOException gone = new IOException("the flow ended");
        unsent.forEach(read -> read.block().completeExceptionally(gone));
        sent.values().forEach(read -> read.block().completeExceptionally(gone));
        unsent.clear();
        sent.clear();
        while (!held.isEmpty()) {
            Held next = held.poll();
            flow.released(next.record().wire().readableBytes());
            next.record().release();
        }
    }

    private boolean zeroesFreeBlocks(FileHandle file) {
        String path = files.path(file);
        return path != null && VmdkSignature.byName(path).isPresent()
                && maps.settings().unusedBlocksFor(path) == UnusedBlocks.ZERO;
    }

    /** Maps {@code version} unless it is known to the appliance; replies are held until it is built. */
    private void startMap(Version version) {
        ReplayableRead template = templates.get(version.file());
        if (version.size() == null || version.size() == 0
                || mapsStarted.getOrDefault(version.file(), 0) >= MAX_MAPS_PER_FILE) {
            return;
        }
        long deadline = nanoTime.getAsLong() + maps.settings().mapTimeout().toNanos();
        NfsFileReader reader = new NfsFileReader(version.size(), (int) template.count(),
                (offset, block) -> flow.execute(() -> request(template, offset, block)), nanoTime, deadline);
        if (maps.build(version, files.path(version.file()), reader,
                map -> flow.execute(() -> mapped(version)))) {
            holdingFor = version;
            mapsStarted.merge(version.file(), 1, Integer::sum);
        }
    }

    private void mapped(Version version) {
        if (version.equals(holdingFor)) {
            List<EncodedBatch> out = new ArrayList<>();
            stopHolding(out);
            flow.send(out);
        }
    }

    private void request(ReplayableRead template, long offset, CompletableFuture<byte[]> block) {
        if (closed) {
            block.completeExceptionally(new IOException("the flow ended"));
            return;
        }
        unsent.add(new OwnRead(template, offset, block));
        pump();
    }

    private void send(OwnRead read) {
        int xid = nextXid++;
        while (conversation.pendingCalls().contains(xid) || sent.containsKey(xid)) {
            xid = nextXid++;
        }
        sent.put(xid, read);
        OwnCalls.send(conversation, allocator, flow, read.template().payloadWith(xid, read.offset()));
    }

    private static <V> Map<FileHandle, V> lru() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<FileHandle, V> eldest) {
                return size() > MAX_FILES;
            }
        };
    }
}
