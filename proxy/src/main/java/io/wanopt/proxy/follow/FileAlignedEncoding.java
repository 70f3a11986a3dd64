package io.wanopt.proxy.follow;

import io.netty.buffer.ByteBuf;
import io.wanopt.cache.ChunkId;
import io.wanopt.cache.codec.ChunkEncoder;
import io.wanopt.cache.codec.EncodedBatch;
import io.wanopt.protocols.disk.ByteRange;
import io.wanopt.protocols.nfs.FileBlockCuts;
import java.util.Arrays;
import java.util.List;

/**
 * Hands a file protocol's messages to a flow's encoder: protocol bytes as stream bytes (chunked by
 * content), file data as chunks cut where its file offset is a multiple of the file chunk size, so
 * that the same file block is the same chunk whatever message carried it. A whole file chunk is
 * remembered in the appliance's {@link FileChunkIndex}; part of one crosses as a slice of the whole
 * chunk when the index knows it and the bytes match. Confined to the flow's event loop.
 */
final class FileAlignedEncoding {

    private final ChunkEncoder encoder;
    private final FileChunkIndex fileChunks;
    private final FollowCounters counters;
    private final int chunkSize;
    private final byte[] chunk;

    FileAlignedEncoding(ChunkEncoder encoder, FileChunkIndex fileChunks, FollowCounters counters, int chunkSize) {
        this.encoder = encoder;
        this.fileChunks = fileChunks;
        this.counters = counters;
        this.chunkSize = chunkSize;
        this.chunk = new byte[chunkSize];
    }

    /** {@code length} protocol bytes of {@code wire} from {@code offset} (relative to its reader index). */
    void stream(ByteBuf wire, int offset, int length, List<EncodedBatch> out) {
        if (length > 0) {
            encoder.add(wire.slice(wire.readerIndex() + offset, length), out);
        }
    }

    /** Cuts the stream bytes held so far, so that what file data costs next can be counted alone. */
    void endStream(List<EncodedBatch> out) {
        encoder.cutStream(out);
    }

    /**
     * {@code length} bytes of {@code wire} from {@code offset} that are the data of {@code file} from
     * {@code fileOffset}; {@code file} is any value whose equality names the file (an NFS file handle).
     * The bytes at the file offsets of {@code zeroed} (in order) cross as zeros.
     */
    void fileData(ByteBuf wire, int offset, int length, Object file, long fileOffset, List<ByteRange> zeroed,
            List<EncodedBatch> out) {
        int start = 0;
        for (int cut : FileBlockCuts.cuts(fileOffset, length, chunkSize)) {
            filePiece(wire, offset + start, cut - start, file, fileOffset + start, zeroed, out);
            start = cut;
        }
        filePiece(wire, offset + start, length - start, file, fileOffset + start, zeroed, out);
        counters.alignedBytes(length);
    }

    /** One piece of file data within one file chunk: a whole chunk, or part of one. */
    private void filePiece(ByteBuf wire, int offset, int length, Object file, long fileOffset, List<ByteRange> zeroed,
            List<EncodedBatch> out) {
        if (length <= 0) {
            return;
        }
        wire.getBytes(wire.readerIndex() + offset, chunk, 0, length);
        for (ByteRange range : zeroed) {
            long from = Math.max(range.offset(), fileOffset);
            long to = Math.min(range.end(), fileOffset + length);
            if (from < to) {
                Arrays.fill(chunk, (int) (from - fileOffset), (int) (to - fileOffset), (byte) 0);
            }
        }
        long chunkNumber = fileOffset / chunkSize;
        if (length == chunkSize) {
            ChunkId id = encoder.addChunk(chunk, 0, length, out);
            if (id != null) {
                fileChunks.put(file, chunkNumber, id);
            }
            return;
        }
        ChunkId whole = fileChunks.get(file, chunkNumber);
        if (whole != null && encoder.addSlice(whole, (int) (fileOffset % chunkSize), chunk, 0, length, out)) {
            counters.slicedBytes(length);
            return;
        }
        encoder.addChunk(chunk, 0, length, out);
    }
}
