package io.wanopt.protocols.smb;

import io.wanopt.protocols.MalformedInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the frames of one SMB connection, in both directions, and keeps what later messages need to be
 * understood: responses are matched to their requests by MessageId (an interim STATUS_PENDING response
 * leaves its request pending; the final one, same MessageId, takes it), FileIds are bound to the names
 * their CREATE asked for, and each session's setup says whether its messages are signed or encrypted
 * ({@link SmbSession}). Related compounded requests ([MS-SMB2] 3.2.4.1.4) are resolved to the session,
 * tree and file of the message before them. Every table is bounded ({@link SmbLimits}): the oldest entry
 * is evicted and counted.
 *
 * <p>A frame that breaks [MS-SMB2] throws {@link MalformedInputException} (the message names the stream
 * offset and, inside SMB2, the MessageId) and changes no state: all of a frame is parsed before any of it
 * is applied. The caller forwards the frame unchanged and carries on with the next one. Nothing here
 * holds a buffer: frames are only read during {@link #decode}. One instance per connection; not
 * thread-safe.
 */
public final class SmbConversation {

    private static final int RELATED_TREE_ID = 0xFFFF_FFFF;

    /** A request awaiting its response; {@code file} is filled in later for a related request after a CREATE. */
    private static final class Pending {
        final Smb2Request request;
        final long sessionId;
        final int treeId;
        OpenFile file;
        /** Requests later in this CREATE's chain that use its FileId ({@link FileId#RELATED}). */
        List<Pending> followers;

        Pending(Smb2Request request, long sessionId, int treeId, OpenFile file) {
            this.request = request;
            this.sessionId = sessionId;
            this.treeId = treeId;
            this.file = file;
        }
    }

    /** What a related message in a chain inherits from the messages before it. */
    private static final class Chain {
        long sessionId;
        int treeId;
        OpenFile file;
        /** The CREATE earlier in the chain whose FileId related requests use, until another FileId is named. */
        Pending create;
    }

    private record TreeKey(long sessionId, int treeId) {
    }

    private final SmbLimits limits;
    private final BoundedTable<Long, Pending> pending;
    private final BoundedTable<FileId, OpenFile> openFiles;
    private final BoundedTable<Long, SmbSession> sessions;
    private final BoundedTable<TreeKey, SmbTree> trees;
    private NegotiateResponse negotiated;

    public SmbConversation(SmbLimits limits) {
        this.limits = limits;
        this.pending = new BoundedTable<>(limits.maxPendingRequests());
        this.openFiles = new BoundedTable<>(limits.maxOpenFiles());
        this.sessions = new BoundedTable<>(limits.maxSessions());
        this.trees = new BoundedTable<>(limits.maxTrees());
    }

    /**
     * Decodes {@code frame} (either direction) and applies it to the conversation's state; does not move
     * the frame's indexes or release it.
     */
    public FrameContent decode(SmbFrame frame) {
        try {
            return switch (frame.kind()) {
                case SMB2 -> decodeSmb2(frame);
                case ENCRYPTED -> {
                    TransformHeader transform = TransformHeader.read(frame);
                    sessionFor(transform.sessionId()).encryptedFrame();
                    yield transform;
                }
                case COMPRESSED -> CompressionTransformHeader.read(frame);
                case SMB1 -> Smb1Message.read(frame);
                case UNKNOWN -> new UnknownProtocol(frame.messageLength());
            };
        } catch (MalformedInputException e) {
            MalformedInputException located = new MalformedInputException(frame.kind() + " frame at stream offset "
                    + frame.streamOffset() + ": " + e.getMessage());
            located.initCause(e);
            throw located;
        }
    }

    /** The NEGOTIATE response of the connection, or null before it. */
    public NegotiateResponse negotiated() {
        return negotiated;
    }

    /** The session with {@code sessionId}, or null when its SESSION_SETUP was not seen (or it was evicted, or logged off). */
    public SmbSession session(long sessionId) {
        return sessions.get(sessionId);
    }

    /** The tree connect, or null. */
    public SmbTree tree(long sessionId, int treeId) {
        return trees.get(new TreeKey(sessionId, treeId));
    }

    /** The open file with {@code fileId}, or null when its CREATE was not seen, it was closed or evicted. */
    public OpenFile openFile(FileId fileId) {
        return openFiles.get(fileId);
    }

    /** The request with {@code messageId} still awaiting its (final) response, or null. */
    public Smb2Request pendingRequest(long messageId) {
        Pending entry = pending.get(messageId);
        return entry != null ? entry.request : null;
    }

    public int pendingRequests() {
        return pending.size();
    }

    /** Requests dropped unanswered because too many were pending. */
    public long evictedRequests() {
        return pending.evicted();
    }

    /**
     * Responses that found no pending request (not counting unsolicited break notifications, nor a NEGOTIATE
     * response to an SMB1 NEGOTIATE).
     */
    public long unmatchedResponses() {
        return pending.unmatched();
    }

    public int openFiles() {
        return openFiles.size();
    }

    /** FileId bindings dropped because too many files were open. */
    public long evictedOpenFiles() {
        return openFiles.evicted();
    }

    private Smb2Compound decodeSmb2(SmbFrame frame) {
        List<Smb2CompoundParser.Parsed> parsed = Smb2CompoundParser.parse(frame.wire(), limits);
        List<Smb2Message> messages = new ArrayList<>(parsed.size());
        Chain chain = new Chain();
        for (Smb2CompoundParser.Parsed message : parsed) {
            Smb2Header header = message.header();
            long sessionId = header.isRelated() && header.sessionId() == Smb2Header.RELATED_SESSION_ID
                    ? chain.sessionId : header.sessionId();
            int treeId = header.isRelated() && !header.isAsync() && header.treeId() == RELATED_TREE_ID
                    ? chain.treeId : header.treeId();
            messages.add(header.isResponse() ? response(message, sessionId)
                    : request(message, sessionId, treeId, chain));
            chain.sessionId = sessionId;
            chain.treeId = treeId;
            SmbSession session = sessions.get(sessionId);
            if (session != null && header.isSigned()) {
                session.signedMessage();
            }
        }
        return new Smb2Compound(messages);
    }

    private Smb2Request request(Smb2CompoundParser.Parsed message, long sessionId, int treeId, Chain chain) {
        Smb2Header header = message.header();
        FileId fileId = fileIdOf(message.body());
        OpenFile file = null;
        boolean followsCreate = false;
        if (fileId != null && fileId.isRelated() && header.isRelated()) {
            file = chain.file;
            followsCreate = chain.create != null;
        } else if (fileId != null) {
            file = openFiles.get(fileId);
            chain.file = file;
            chain.create = null;
        }
        Smb2Request request = new Smb2Request(header, message.range(), message.body(), file);
        Pending entry = new Pending(request, sessionId, treeId, file);
        if (followsCreate) {
            if (chain.create.followers == null) {
                chain.create.followers = new ArrayList<>(2);
            }
            chain.create.followers.add(entry);
        }
        if (message.body() instanceof CreateRequest) {
            chain.create = entry;
            chain.file = null;
        }
        // a CANCEL gets no response of its own: it makes the cancelled request's response come sooner
        if (!header.command().equals(Smb2Command.CANCEL)) {
            pending.put(header.messageId(), entry);
        }
        return request;
    }

    private Smb2Response response(Smb2CompoundParser.Parsed message, long sessionId) {
        Smb2Header header = message.header();
        Pending entry;
        if (message.body() instanceof InterimResponse) {
            entry = pending.get(header.messageId());
        } else if (header.messageId() == Smb2Header.UNSOLICITED_MESSAGE_ID) {
            entry = null;
        } else if (header.command().equals(Smb2Command.NEGOTIATE)) {
            // it may answer an SMB1 multi-protocol NEGOTIATE, which is not an SMB2 request
            entry = pending.remove(header.messageId());
        } else {
            entry = pending.take(header.messageId());
        }
        if (entry != null && !entry.request.header().command().equals(header.command())) {
            // a response never answers a request of another command: the MessageId was reused or forged
            entry = null;
        }
        Smb2Request request = entry != null ? entry.request : null;
        OpenFile file = entry != null ? entry.file : null;
        Smb2Body body = message.body();
        if (body instanceof NegotiateResponse negotiate) {
            negotiated = negotiate;
        } else if (body instanceof SessionSetupResponse setup) {
            sessionSetUp(header, setup, request, sessionId);
        } else if (body instanceof TreeConnectResponse connected && header.status().isSuccess()) {
            String path = request != null && request.body() instanceof TreeConnectRequest asked ? asked.path() : null;
            SmbTree tree = new SmbTree(sessionId, header.treeId(), path, connected);
            trees.put(new TreeKey(sessionId, header.treeId()), tree);
            if (connected.encryptData()) {
                sessionFor(sessionId).encryptedTree();
            }
        } else if (body instanceof CreateResponse created && entry != null && header.status().isSuccess()) {
            file = opened(created, entry);
        } else if (body instanceof CloseResponse && file != null) {
            openFiles.remove(file.fileId());
        } else if (header.status().isSuccess() && header.command().equals(Smb2Command.TREE_DISCONNECT)) {
            trees.remove(new TreeKey(sessionId, entry != null ? entry.treeId : header.treeId()));
        } else if (header.status().isSuccess() && header.command().equals(Smb2Command.LOGOFF)) {
            sessions.remove(sessionId);
            trees.removeIf(tree -> tree.sessionId() == sessionId);
            openFiles.removeIf(open -> open.sessionId() == sessionId);
        }
        return new Smb2Response(header, message.range(), body, request, file);
    }

    private void sessionSetUp(Smb2Header header, SessionSetupResponse setup, Smb2Request request, long sessionId) {
        SmbSession session = sessionFor(sessionId);
        if (negotiated != null) {
            session.serverRequiresSigning(negotiated.signingRequired());
        }
        if (request != null && request.body() instanceof SessionSetupRequest asked) {
            session.clientRequiresSigning(asked.signingRequired());
        }
        if (header.status().isSuccess()) {
            session.established(setup.sessionFlags());
        }
    }

    private OpenFile opened(CreateResponse created, Pending entry) {
        String name = entry.request.body() instanceof CreateRequest asked ? asked.name() : null;
        SmbTree tree = trees.get(new TreeKey(entry.sessionId, entry.treeId));
        OpenFile file = new OpenFile(created.fileId(), name, tree != null ? tree.path() : null, entry.sessionId,
                entry.treeId);
        openFiles.put(created.fileId(), file);
        if (entry.followers != null) {
            for (Pending follower : entry.followers) {
                follower.file = file;
            }
        }
        return file;
    }

    private SmbSession sessionFor(long sessionId) {
        SmbSession session = sessions.get(sessionId);
        if (session == null) {
            session = new SmbSession(sessionId);
            sessions.put(sessionId, session);
        }
        return session;
    }

    private static FileId fileIdOf(Smb2Body body) {
        if (body instanceof ReadRequest read) {
            return read.fileId();
        }
        if (body instanceof WriteRequest write) {
            return write.fileId();
        }
        if (body instanceof CloseRequest close) {
            return close.fileId();
        }
        return null;
    }
}
