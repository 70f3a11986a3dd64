package io.wanopt.proxy.follow;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.wanopt.cache.codec.ChunkEncoder;
import io.wanopt.cache.codec.CodecCounters;
import io.wanopt.cache.codec.EncodedBatch;
import io.wanopt.config.ProtocolSettings;
import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.disk.ByteRange;
import io.wanopt.protocols.smb.CreateResponse;
import io.wanopt.protocols.smb.DirectTcpFramer;
import io.wanopt.protocols.smb.FrameContent;
import io.wanopt.protocols.smb.FrameKind;
import io.wanopt.protocols.smb.OpenFile;
import io.wanopt.protocols.smb.Smb2Compound;
import io.wanopt.protocols.smb.Smb2Message;
import io.wanopt.protocols.smb.Smb2Request;
import io.wanopt.protocols.smb.Smb2Response;
import io.wanopt.protocols.smb.SmbConversation;
import io.wanopt.protocols.smb.SmbFileData;
import io.wanopt.protocols.smb.SmbFrame;
import io.wanopt.protocols.smb.SmbLimits;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Follows SMB2/3 on one flow ([MS-SMB2]), so that READ response and WRITE request data reaches the
 * encoder cut at multiples of its file offset, with the SMB headers as stream bytes around it: the
 * same file block gives the same chunk whatever message, MessageId, read size or offset carried it.
 * No byte is changed, so signatures stay valid: signed sessions are deduplicated like any other
 * (but with {@code smartread.unused-blocks = zero}: guest-free blocks of VM disks then cross as zeros,
 * {@link SmbSmartRead}).
 * Encrypted (transform header) and compressed frames, SMB1 and anything else cross as generic stream
 * bytes and are counted.
 *
 * <p>A flow is followed when its client's first bytes are a Direct TCP frame holding SMB2 or SMB1;
 * frames are held until whole up to {@code protocols.smb.max-frame-size} ({@link FramedFollower}).
 */
public final class SmbFollower extends FramedFollower<SmbFrame> {

    /** A file across connections and sessions: its share and name. */
    private record SharedFile(String share, String name) {
    }

    /** The Direct TCP header and the protocol id after it. */
    private static final int SIGNATURE_BYTES = 8;
    private static final int DIRECT_TCP_MESSAGE = 0;

    private final SmbConversation conversation = new SmbConversation(SmbLimits.defaults());
    /** Next to the server: zeroes the guest-free blocks of VM disks where configured. */
    private final SmbSmartRead smartRead;

    /**
     * @param lanIsClient whether the LAN side of the flow is the client (the flow was accepted here)
     */
    public SmbFollower(boolean lanIsClient, ProtocolSettings settings, ByteBufAllocator allocator,
            FollowCounters counters, CodecCounters sent, ChunkEncoder encoder, FileChunkIndex fileChunks,
            SmartReadMaps smartReadMaps, FollowedFlow flow) {
        super(lanIsClient, allocator, counters, sent, encoder,
                new FileAlignedEncoding(encoder, fileChunks, counters, settings.fileChunkSize()), flow,
                new DirectTcpFramer(settings.smbMaxFrameSize()), new DirectTcpFramer(settings.smbMaxFrameSize()));
        this.smartRead = lanIsClient ? null : new SmbSmartRead(smartReadMaps, flow, counters, files);
    }

    /** Whether {@code first} (a client's first bytes, not consumed) start a Direct TCP frame of SMB2 or SMB1. */
    public static boolean startsSmb(ByteBuf first) {
        if (first.readableBytes() < SIGNATURE_BYTES) {
            return false;
        }
        int index = first.readerIndex();
        int protocol = first.getInt(index + 4);
        return first.getByte(index) == DIRECT_TCP_MESSAGE
                && (protocol == FrameKind.SMB2.protocolId() || protocol == FrameKind.SMB1.protocolId());
    }

    @Override
    public void toLan(ByteBuf data) {
        observeToLan(data);
        flow.writeStream(data);
    }

    @Override
    public String protocol() {
        return "SMB";
    }

    @Override
    protected boolean startsProtocol(ByteBuf first) {
        return startsSmb(first);
    }

    @Override
    protected void countFollowed() {
        counters.smbFollowed();
    }

    @Override
    protected void observedToLan(SmbFrame frame) {
        FrameContent content = decode(frame);
        if (smartRead == null) {
            return;
        }
        if (content instanceof Smb2Compound compound) {
            for (Smb2Message message : compound.messages()) {
                if (message instanceof Smb2Request request) {
                    smartRead.request(request);
                }
            }
        } else {
            smartRead.frameNotUnderstood();
        }
    }

    @Override
    public void close() {
        super.close();
        if (smartRead != null) {
            smartRead.close();
        }
    }

    /** Header bytes as stream bytes, file data in file-aligned chunks, in wire order. */
    @Override
    protected void fromLanFrame(SmbFrame frame, List<EncodedBatch> out) {
        FrameContent content = decode(frame);
        ByteBuf wire = frame.wire();
        int position = 0;
        if (content instanceof Smb2Compound compound) {
            if (smartRead != null) {
                for (Smb2Message message : compound.messages()) {
                    if (message instanceof Smb2Response response && response.body() instanceof CreateResponse create) {
                        smartRead.created(create, response.file());
                    }
                }
            }
            List<SmbFileData> regions = new ArrayList<>(compound.fileData());
            regions.sort(Comparator.comparingInt(region -> region.data().offset()));
            for (SmbFileData region : regions) {
                int offset = region.data().offset();
                int length = region.data().length();
                if (offset < position || length == 0) {
                    continue;
                }
                encoding.stream(wire, position, offset - position, out);
                Object file = identity(region.file(), region);
                List<ByteRange> zeroed = smartRead == null ? List.of()
                        : smartRead.zeroed(region, file, wire, wire.readerIndex() + offset, length);
                fileData(wire, offset, length, file, region.fileOffset(), region.written(), zeroed, out);
                position = offset + length;
            }
        }
        encoding.stream(wire, position, wire.readableBytes() - position, out);
    }

    /** Decodes a frame and counts it by kind; null when it is malformed (it crosses as it is). */
    private FrameContent decode(SmbFrame frame) {
        try {
            FrameContent content = conversation.decode(frame);
            counters.smbFrame(frame.kind());
            if (content instanceof Smb2Compound compound) {
                learnNames(compound);
            }
            return content;
        } catch (MalformedInputException e) {
            counters.malformed();
            return null;
        }
    }

    /** Names files from the opens the conversation resolved (they carry share and name). */
    private void learnNames(Smb2Compound compound) {
        for (Smb2Message message : compound.messages()) {
            OpenFile open = message instanceof Smb2Request request ? request.file() : ((Smb2Response) message).file();
            if (open != null && open.name() != null) {
                files.named(identity(open, null), open.name());
            }
        }
    }

    /**
     * Who a file is across connections: its share and name when its CREATE was seen, else its FileId
     * on this connection only.
     */
    private static Object identity(OpenFile open, SmbFileData region) {
        if (open != null && open.name() != null) {
            return new SharedFile(open.share(), open.name());
        }
        return region == null ? null : region.fileId();
    }
}
