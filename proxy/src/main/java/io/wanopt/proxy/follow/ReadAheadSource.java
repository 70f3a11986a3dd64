package io.wanopt.proxy.follow;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.wanopt.config.ProtocolSettings;
import io.wanopt.protocols.nfs.FileChanges;
import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.NfsCall;
import io.wanopt.protocols.nfs.NfsConversation;
import io.wanopt.protocols.nfs.NfsReply;
import io.wanopt.protocols.nfs.ReplayableRead;
import io.wanopt.protocols.nfs.v3.Nfs3Status;
import io.wanopt.protocols.nfs.v3.Read3Res;
import io.wanopt.protocols.nfs.v4.Compound4Res;
import io.wanopt.protocols.nfs.v4.Nfs4ResOp;
import io.wanopt.protocols.nfs.v4.Nfs4Status;
import io.wanopt.proxy.follow.ReadAheadMessage.Outcome;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The server side of NFS read-ahead, on the appliance next to the server. A client that reads a
 * file sequentially (READs of one size, each where the last ended, with the same file handle and
 * credentials) gets READs sent ahead of it: copies of its own call with this appliance's XID and the
 * next offsets, written to the server between the client's records. Each is announced to the far
 * appliance, and the server's reply crosses in the flow's stream like any reply (deduplicated and
 * aligned), marked as read-ahead.
 *
 * <p>The window (bytes read ahead and not yet used by the client) starts at two READs and doubles
 * whenever the client had to wait for one, so it grows until it covers the round trip times the
 * rate the client consumes at; it never passes {@code max-window}. It stops at the file's end, when
 * the client's reads stop following on, and while a call that may change a file is unanswered: replies
 * to read-ahead sent before such a call are dropped, not sent.
 */
final class ReadAheadSource {

    /** Sequential readers followed per connection; the least recently used is forgotten beyond. */
    private static final int MAX_STREAMS = 8;
    /** Read-ahead XIDs start this far from the client's, which count up from where they started. */
    private static final int XID_DISTANCE = 0x4000_0000;
    /** File sizes remembered per connection. */
    private static final int MAX_FILE_SIZES = 1024;

    /** One sequential reader: a file, a read size and credentials. */
    private static final class Stream {
        final ReplayableRead template;
        /** Where the client's last READ (sent on, or answered from read-ahead) ended. */
        long clientNext;
        long nextIssue;
        boolean active;
        boolean ended;
        long window;
        long outstanding;

        Stream(ReplayableRead template) {
            this.template = template;
            this.window = 2 * template.count();
        }
    }

    /** A read-ahead call sent and not yet done with at the far appliance. */
    private static final class Sent {
        final Stream stream;
        final long offset;
        final long count;
        boolean replied;
        /** A call that may change files went to the server before the reply came: the reply is not sent. */
        boolean stale;
        /** Its reader started again since: it being unused says nothing new. */
        boolean abandoned;

        Sent(Stream stream, long offset, long count) {
            this.stream = stream;
            this.offset = offset;
            this.count = count;
        }
    }

    /** What becomes of a reply from the server. */
    enum ReplyRoute { TO_CLIENT, READ_AHEAD, DROP }

    private final NfsConversation conversation;
    private final FollowedFlow flow;
    private final ByteBufAllocator allocator;
    private final FollowCounters counters;
    private final long maxWindow;
    private final StorageSkip storageSkip;
    private final Map<ReplayableRead.Key, Stream> streams = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ReplayableRead.Key, Stream> eldest) {
            return size() > MAX_STREAMS;
        }
    };
    /** File sizes the server's replies showed, by file handle; the least recently used forgotten beyond. */
    private final Map<FileHandle, Long> fileSizes = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<FileHandle, Long> eldest) {
            return size() > MAX_FILE_SIZES;
        }
    };
    private final Map<Integer, Sent> sent = new HashMap<>();
    /** XIDs of client calls that may change files and are not answered yet. */
    private final Set<Integer> changing = new HashSet<>();
    private long sentBytes;
    private boolean engaged;
    private boolean xidChosen;
    private int nextXid;

    /** May answer a read-ahead READ without the server; says whether it did. */
    @FunctionalInterface
    interface StorageSkip {
        boolean answered(ReplayableRead template, int xid, long offset, long count);
    }

    ReadAheadSource(NfsConversation conversation, FollowedFlow flow, ByteBufAllocator allocator,
            ProtocolSettings settings, FollowCounters counters, StorageSkip storageSkip) {
        this.conversation = conversation;
        this.flow = flow;
        this.allocator = allocator;
        this.counters = counters;
        this.maxWindow = settings.nfsReadAhead().maxWindow();
        this.storageSkip = storageSkip;
    }

    /** Whether this appliance has read ahead on this flow. */
    boolean engaged() {
        return engaged;
    }

    /** A client call on its way to the server. */
    void clientCall(NfsCall call, ByteBuf payload) {
        if (!xidChosen) {
            nextXid = call.xid() + XID_DISTANCE;
            xidChosen = true;
        }
        Sent sameXid = sent.get(call.xid());
        if (sameXid != null && !sameXid.replied) {
            // The two replies could not be told apart: reset rather than risk the client getting ours.
            flow.fail(String.format("client call xid 0x%08x is that of a read-ahead call still out", call.xid()));
            return;
        }
        if (FileChanges.mayChangeFiles(call)) {
            changing.add(call.xid());
            for (Sent each : sent.values()) {
                each.stale |= !each.replied;
                each.abandoned = true;
            }
            streams.values().forEach(stream -> stream.active = false);
            return;
        }
        ReplayableRead read = ReplayableRead.of(call, payload);
        if (read == null) {
            return;
        }
        Stream stream = streams.computeIfAbsent(read.streamKey(), key -> new Stream(read));
        boolean followsOn = read.offset() == stream.clientNext;
        if (!followsOn || !stream.active) {
            abandon(stream);
            stream.nextIssue = 0;
            stream.ended = false;
        }
        stream.active = followsOn;
        stream.clientNext = read.offset() + read.count();
        stream.nextIssue = Math.max(stream.nextIssue, stream.clientNext);
    }

    /** Where the server's reply {@code xid} goes; {@code reply} is null when it could not be decoded. */
    ReplyRoute serverReply(int xid, NfsReply reply) {
        changing.remove(xid);
        if (reply != null) {
            learnSizes(reply);
        }
        Sent call = sent.get(xid);
        if (call == null || call.replied) {
            return ReplyRoute.TO_CLIENT;
        }
        call.replied = true;
        if (call.stale) {
            forget(xid, call);
            counters.readAheadStale();
            flow.tell(new ReadAheadMessage.Dropped(xid));
            return ReplyRoute.DROP;
        }
        learnEnd(call.stream, reply);
        return ReplyRoute.READ_AHEAD;
    }

    /** The far appliance is done with read-ahead call {@code xid}. */
    void done(int xid, Outcome outcome) {
        Sent call = sent.get(xid);
        if (call == null) {
            return;
        }
        forget(xid, call);
        Stream stream = call.stream;
        switch (outcome) {
            case USED, WAITED -> {
                stream.clientNext = Math.max(stream.clientNext, call.offset + call.count);
                if (outcome == Outcome.WAITED) {
                    stream.window = Math.min(2 * stream.window, maxWindow);
                }
            }
            case ASKED -> stream.window = Math.min(2 * stream.window, maxWindow);
            case UNUSED -> {
                if (!call.abandoned) {
                    stream.active = false;
                    abandon(stream);
                }
            }
            case REFUSED -> stream.window = Math.max(2 * stream.template.count(), stream.window / 2);
        }
    }

    /** Sends read-ahead calls while windows have room; only between the client's records. */
    void pump() {
        if (!changing.isEmpty() || !flow.acceptsRecords()) {
            return;
        }
        for (Stream stream : streams.values()) {
            long count = stream.template.count();
            Long size = fileSizes.get(stream.template.file());
            while (stream.active && !stream.ended && stream.outstanding + count <= stream.window
                    && sentBytes + count <= maxWindow && (size == null || stream.nextIssue < size)) {
                send(stream);
            }
        }
    }

    private void send(Stream stream) {
        engaged = true;
        int xid = nextXid++;
        while (conversation.pendingCalls().contains(xid) || sent.containsKey(xid)) {
            xid = nextXid++;
        }
        byte[] payload = stream.template.payloadWith(xid, stream.nextIssue);
        long count = stream.template.count();
        flow.tell(new ReadAheadMessage.Call(payload));
        if (storageSkip.answered(stream.template, xid, stream.nextIssue, count)) {
            conversation.decode(Unpooled.wrappedBuffer(payload)); // its reply, given here, is decoded like the server's
        } else {
            OwnCalls.send(conversation, allocator, flow, payload);
        }
        sent.put(xid, new Sent(stream, stream.nextIssue, count));
        stream.outstanding += count;
        sentBytes += count;
        stream.nextIssue += count;
        counters.readAheadCalled(count);
    }

    /** File sizes in any reply bound the readers of those files (NFSv4 READ replies carry no attributes). */
    private void learnSizes(NfsReply reply) {
        for (FileChanges.Version version : FileChanges.versions(reply)) {
            if (version.size() != null) {
                fileSizes.put(version.file(), version.size());
            }
        }
    }

    /** A failed READ or one at the end of the file ends the reader's read-ahead; the size bounds it. */
    private static void learnEnd(Stream stream, NfsReply reply) {
        if (reply == null) {
            stream.ended = true;
        } else if (reply.result() instanceof Read3Res read) {
            stream.ended |= !read.status().equals(Nfs3Status.NFS3_OK) || read.eof();
        } else if (reply.result() instanceof Compound4Res compound) {
            stream.ended |= !compound.status().equals(Nfs4Status.NFS4_OK) || compound.results().stream()
                    .anyMatch(result -> result instanceof Nfs4ResOp.Read read && read.eof());
        } else {
            stream.ended = true;
        }
    }

    private void abandon(Stream stream) {
        for (Sent call : sent.values()) {
            if (call.stream == stream) {
                call.abandoned = true;
            }
        }
    }

    private void forget(int xid, Sent call) {
        sent.remove(xid);
        call.stream.outstanding -= call.count;
        sentBytes -= call.count;
    }
}
