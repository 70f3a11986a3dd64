package io.wanopt.proxy.follow;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.wanopt.config.ProtocolSettings;
import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.nfs.FileChanges;
import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.NfsCall;
import io.wanopt.protocols.nfs.NfsConversation;
import io.wanopt.protocols.nfs.NfsMessage;
import io.wanopt.protocols.nfs.NfsReply;
import io.wanopt.protocols.nfs.ReplayableRead;
import io.wanopt.protocols.nfs.v3.Nfs3Status;
import io.wanopt.protocols.nfs.v3.Read3Res;
import io.wanopt.protocols.nfs.v4.Compound4Res;
import io.wanopt.protocols.nfs.v4.Nfs4Status;
import io.wanopt.protocols.oncrpc.RpcRecord;
import io.wanopt.protocols.oncrpc.RpcRecordFramer;
import io.wanopt.proxy.follow.ReadAheadMessage.Outcome;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The client side of NFS read-ahead, on the appliance next to the client. The far appliance
 * announces each READ it sends on the client's behalf ({@link ReadAheadMessage.Call}) and where its
 * reply lies in the stream ({@link ReadAheadMessage.Reply}); those bytes are taken off the stream and
 * held. A client READ whose call equals an announced one but for its XID is answered here with the
 * server's reply under the client's XID; if the reply is still on its way, the client's call waits
 * for it.
 *
 * <p>Never stale: every held reply is dropped when the client sends a call that may change a file
 * (and replies that arrive while such a call is unanswered are dropped too: the server may have read
 * them before the change), when any reply shows a file version other than the one the held data came
 * with, and when it is older than {@code max-age}. A client call waiting for a dropped reply goes to
 * the server after all. Bytes held are bounded by {@code max-window} per flow and taken from the
 * appliance's memory cap (an announcement beyond either is refused).
 */
final class ReadAheadCache {

    /** Fragments a record held here may have, as in the follower. */
    private static final int MAX_FRAGMENTS = 1024;

    /** A read-ahead call announced by the far appliance. */
    private static final class Entry {
        final ReplayableRead read;
        final ReplayableRead.Key signature;
        final ReplayableRead.Key stream;
        /** The server's reply (RPC payload), once it arrived. */
        ByteBuf reply;
        long arrivedNanos;
        /** A client call waiting for the reply (its record, copied), and its XID. */
        ByteBuf waiting;
        int waitingXid;

        Entry(ReplayableRead read) {
            this.read = read;
            this.signature = read.signature();
            this.stream = read.streamKey();
        }
    }

    /** Stream bytes that are a read-ahead reply. */
    private record Route(int xid, long start, int length) {
    }

    private final NfsConversation conversation;
    private final FollowedFlow flow;
    private final ByteBufAllocator allocator;
    private final FollowCounters counters;
    private final LongSupplier nanoTime;
    private final long maxAgeNanos;
    private final long maxWindow;
    private final int maxRecordSize;
    /** Sends a client call that was held to the server after all. */
    private final Consumer<RpcRecord> forward;

    private final Map<Integer, Entry> byXid = new LinkedHashMap<>();
    private final Map<ReplayableRead.Key, Entry> bySignature = new HashMap<>();
    private final Map<FileHandle, FileChanges.Version> versions = new HashMap<>();
    /** XIDs of client calls that may change files and are not answered yet. */
    private final Set<Integer> changing = new HashSet<>();
    /** Client READs sent on to the server and not answered yet, by signature and by XID. */
    private final Map<ReplayableRead.Key, Integer> asked = new HashMap<>();
    private final Map<Integer, ReplayableRead.Key> askedByXid;
    private final ArrayDeque<Route> routes = new ArrayDeque<>();
    private final ArrayDeque<ByteBuf> answers = new ArrayDeque<>();
    private long announcedBytes;
    private boolean engaged;
    /** Position in the stream from the far appliance. */
    private long position;
    private CompositeByteBuf capture;

    ReadAheadCache(NfsConversation conversation, FollowedFlow flow, ByteBufAllocator allocator,
            ProtocolSettings settings, FollowCounters counters, LongSupplier nanoTime, Consumer<RpcRecord> forward) {
        this.conversation = conversation;
        this.flow = flow;
        this.allocator = allocator;
        this.counters = counters;
        this.nanoTime = nanoTime;
        this.maxAgeNanos = settings.nfsReadAhead().maxAge().toNanos();
        this.maxWindow = settings.nfsReadAhead().maxWindow();
        this.maxRecordSize = settings.nfsMaxRecordSize();
        this.forward = forward;
        int maxAsked = settings.nfsMaxPendingCalls();
        this.askedByXid = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, ReplayableRead.Key> eldest) {
                if (size() > maxAsked) {
                    asked.remove(eldest.getValue());
                    return true;
                }
                return false;
            }
        };
    }

    // ---- messages from the far appliance ----

    /** Whether the far appliance has read ahead on this flow. */
    boolean engaged() {
        return engaged;
    }

    void announced(byte[] payload) {
        engaged = true;
        ReplayableRead read;
        try {
            read = ReplayableRead.parse(conversation, Unpooled.wrappedBuffer(payload));
        } catch (MalformedInputException e) {
            read = null;
        }
        if (read == null) {
            flow.fail("read-ahead call is not a replayable READ");
            return;
        }
        Entry entry = new Entry(read);
        if (asked.containsKey(entry.signature)) {
            conversation.pendingCalls().take(read.xid());
            flow.tell(new ReadAheadMessage.Done(read.xid(), Outcome.ASKED));
            return;
        }
        if (byXid.containsKey(read.xid()) || bySignature.containsKey(entry.signature)
                || announcedBytes + read.count() > maxWindow || !flow.tryHold(read.count())) {
            conversation.pendingCalls().take(read.xid());
            flow.tell(new ReadAheadMessage.Done(read.xid(), Outcome.REFUSED));
            return;
        }
        byXid.put(read.xid(), entry);
        bySignature.put(entry.signature, entry);
        announcedBytes += read.count();
    }

    void replyFollows(int xid, long streamOffset, int length) {
        long previousEnd = routes.isEmpty() ? position : routes.peekLast().start() + routes.peekLast().length();
        if (streamOffset < previousEnd || length <= 0 || length > maxRecordSize + MAX_FRAGMENTS * RpcRecord.FRAGMENT_HEADER_LENGTH) {
            flow.fail("read-ahead reply " + xid + " at " + streamOffset + " (" + length + " bytes) overlaps the stream at "
                    + previousEnd + " or breaks the record cap");
            return;
        }
        routes.add(new Route(xid, streamOffset, length));
    }

    void dropped(int xid) {
        Entry entry = byXid.get(xid);
        if (entry != null) {
            conversation.pendingCalls().take(xid);
            remove(entry);
            forwardWaiting(entry);
        }
    }

    // ---- the stream from the far appliance ----

    /** Splits {@code data} (ownership passes) into stream bytes for {@code passOn} and read-ahead replies. */
    void fromWan(ByteBuf data, Consumer<ByteBuf> passOn) {
        try {
            while (data.isReadable()) {
                Route route = routes.peek();
                int length = data.readableBytes();
                if (route == null || route.start() >= position + length) {
                    position += length;
                    passOn.accept(data.readRetainedSlice(length));
                    return;
                }
                if (route.start() > position) {
                    int before = (int) (route.start() - position);
                    position += before;
                    passOn.accept(data.readRetainedSlice(before));
                    continue;
                }
                int taken = (int) Math.min(length, route.start() + route.length() - position);
                if (capture == null) {
                    capture = allocator.compositeBuffer();
                }
                capture.addComponent(true, data.readRetainedSlice(taken));
                position += taken;
                flow.tookStream(taken);
                if (position == route.start() + route.length()) {
                    routes.poll();
                    CompositeByteBuf whole = capture;
                    capture = null;
                    try {
                        captured(route.xid(), whole);
                    } finally {
                        whole.release();
                    }
                }
            }
        } finally {
            data.release();
        }
    }

    /** A reply to the client (already passed on): file versions it shows, and answers to changing calls. */
    void observedReply(NfsReply reply) {
        changing.remove(reply.xid());
        ReplayableRead.Key read = askedByXid.remove(reply.xid());
        if (read != null) {
            asked.remove(read);
        }
        for (FileChanges.Version version : FileChanges.versions(reply)) {
            versionSeen(version, null);
        }
    }

    /** Writes the answers made while the stream to the client was inside a record. */
    void atRecordBoundary() {
        ByteBuf answer;
        while ((answer = answers.poll()) != null) {
            flow.writeRecord(answer);
        }
    }

    // ---- calls from the client ----

    /**
     * A client call: true when it was answered here or is held for an announced reply (the record is
     * then the cache's), false when it must go on to the server.
     */
    boolean fromClient(NfsCall call, RpcRecord record, boolean atBoundary) {
        expire();
        if (FileChanges.mayChangeFiles(call)) {
            if (!byXid.isEmpty()) {
                counters.readAheadInvalidated();
            }
            dropAll();
            changing.add(call.xid());
            return false;
        }
        ReplayableRead read = ReplayableRead.of(call, record.payload());
        ReplayableRead.Key signature = read == null ? null : read.signature();
        Entry entry = signature == null ? null : bySignature.get(signature);
        if (entry == null || entry.waiting != null) {
            if (signature != null) {
                asked.put(signature, call.xid());
                askedByXid.put(call.xid(), signature);
            }
            return false;
        }
        conversation.pendingCalls().take(call.xid());
        if (entry.reply != null) {
            answer(entry, call.xid(), atBoundary, Outcome.USED);
        } else {
            // a copy: the record is a slice of the follower's buffer, which moves on
            entry.waiting = allocator.buffer(record.wire().readableBytes()).writeBytes(record.wire(),
                    record.wire().readerIndex(), record.wire().readableBytes());
            entry.waitingXid = call.xid();
        }
        return true;
    }

    /** Releases what is held; held client calls go nowhere (the flow is ending). */
    void close() {
        for (Entry entry : byXid.values()) {
            release(entry);
        }
        flow.released(announcedBytes);
        announcedBytes = 0;
        byXid.clear();
        bySignature.clear();
        ByteBuf answer;
        while ((answer = answers.poll()) != null) {
            answer.release();
        }
        if (capture != null) {
            capture.release();
            capture = null;
        }
    }

    // ---- internals ----

    private void captured(int xid, ByteBuf wire) {
        Entry entry = byXid.get(xid);
        if (entry == null) {
            return; // dropped before its reply came
        }
        ByteBuf payload = singleRecordPayload(wire);
        NfsMessage message = null;
        if (payload != null) {
            try {
                message = conversation.decode(payload.duplicate());
            } catch (MalformedInputException e) {
                message = null;
            }
        }
        if (!changing.isEmpty() || !(message instanceof NfsReply reply) || !succeeded(reply)) {
            if (payload != null) {
                payload.release();
            }
            drop(entry);
            return;
        }
        entry.reply = payload;
        entry.arrivedNanos = nanoTime.getAsLong();
        counters.readAheadReceived(entry.read.count());
        for (FileChanges.Version version : FileChanges.versions(reply)) {
            versionSeen(version, entry);
        }
        if (entry.waiting != null && byXid.containsKey(xid)) {
            entry.waiting.release();
            entry.waiting = null;
            answer(entry, entry.waitingXid, false, Outcome.WAITED);
        }
    }

    /**
     * The payload of {@code wire} when it is exactly one RPC record, else null: a retained slice, not a
     * copy (the captured bytes are this cache's alone).
     */
    private ByteBuf singleRecordPayload(ByteBuf wire) {
        RpcRecordFramer framer = new RpcRecordFramer(maxRecordSize, maxRecordSize, MAX_FRAGMENTS);
        RpcRecord record;
        try {
            record = framer.poll(wire);
        } catch (MalformedInputException e) {
            return null;
        }
        if (record == null) {
            return null;
        }
        try {
            if (wire.isReadable()) {
                return null;
            }
            return record.payload().retainedSlice();
        } finally {
            record.release();
        }
    }

    private static boolean succeeded(NfsReply reply) {
        if (reply.result() instanceof Read3Res read) {
            return read.status().equals(Nfs3Status.NFS3_OK) && read.data() != null;
        }
        return reply.result() instanceof Compound4Res compound && compound.status().equals(Nfs4Status.NFS4_OK)
                && compound.isComplete();
    }

    /** A file's version: held data of that file from another version is dropped (except {@code keep}). */
    private void versionSeen(FileChanges.Version version, Entry keep) {
        FileChanges.Version known = versions.put(version.file(), version);
        if (known == null || known.equals(version)) {
            return;
        }
        List<Entry> stale = new ArrayList<>();
        for (Entry entry : byXid.values()) {
            if (entry != keep && entry.read.file().equals(version.file())) {
                stale.add(entry);
            }
        }
        if (!stale.isEmpty()) {
            counters.readAheadInvalidated();
        }
        stale.forEach(this::drop);
    }

    /** The held reply, under the client's XID (patched in place: the bytes are this cache's), as one fragment. */
    private void answer(Entry entry, int clientXid, boolean atBoundary, Outcome outcome) {
        ByteBuf reply = entry.reply;
        entry.reply = null;
        reply.setInt(reply.readerIndex(), clientXid);
        ByteBuf mark = allocator.buffer(RpcRecord.FRAGMENT_HEADER_LENGTH)
                .writeInt(RpcRecordFramer.LAST_FRAGMENT | reply.readableBytes());
        ByteBuf record = allocator.compositeBuffer(2).addComponents(true, mark, reply);
        remove(entry);
        counters.readAheadAnswered(entry.read.count(), outcome == Outcome.WAITED);
        flow.tell(new ReadAheadMessage.Done(entry.read.xid(), outcome));
        if (atBoundary && answers.isEmpty()) {
            flow.writeRecord(record);
        } else {
            answers.add(record);
        }
    }

    /** Drops replies held longer than max-age, with the rest of their reader's read-ahead. */
    void expire() {
        long now = nanoTime.getAsLong();
        List<Entry> expired = new ArrayList<>();
        for (Entry entry : byXid.values()) {
            if (entry.reply != null && now - entry.arrivedNanos > maxAgeNanos) {
                expired.add(entry);
            }
        }
        expired.forEach(this::drop);
    }

    /** Drops everything held; client calls waiting for it go to the server. */
    void dropAll() {
        new ArrayList<>(byXid.values()).forEach(this::drop);
    }

    /**
     * Drops an entry unused, and every other of its reader: the far appliance starts again from where
     * the client is. Held client calls go to the server.
     */
    private void drop(Entry dropped) {
        if (!byXid.containsKey(dropped.read.xid())) {
            return;
        }
        for (Iterator<Entry> it = byXid.values().iterator(); it.hasNext(); ) {
            Entry entry = it.next();
            if (entry.stream.equals(dropped.stream)) {
                it.remove();
                bySignature.remove(entry.signature);
                announcedBytes -= entry.read.count();
                flow.released(entry.read.count());
                if (entry.reply == null) {
                    conversation.pendingCalls().take(entry.read.xid());
                }
                counters.readAheadDiscarded(entry.read.count());
                flow.tell(new ReadAheadMessage.Done(entry.read.xid(), Outcome.UNUSED));
                forwardWaiting(entry);
                release(entry);
            }
        }
    }

    private void remove(Entry entry) {
        byXid.remove(entry.read.xid());
        bySignature.remove(entry.signature);
        announcedBytes -= entry.read.count();
        flow.released(entry.read.count());
        release(entry);
    }

    private void forwardWaiting(Entry entry) {
        if (entry.waiting != null) {
            ByteBuf wire = entry.waiting;
            entry.waiting = null;
            RpcRecord waiting = new RpcRecordFramer(maxRecordSize, maxRecordSize, MAX_FRAGMENTS).poll(wire);
            wire.release();
            try {
                conversation.decode(waiting.payload()); // remembered again, for its reply
                forward.accept(waiting);
            } finally {
                waiting.release();
            }
        }
    }

    private static void release(Entry entry) {
        if (entry.reply != null) {
            entry.reply.release();
            entry.reply = null;
        }
        if (entry.waiting != null) {
            entry.waiting.release();
            entry.waiting = null;
        }
    }
}
