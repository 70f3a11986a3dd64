package io.wanopt.cache.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.wanopt.cache.ChunkId;
import io.wanopt.cache.store.ChunkStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A parsed batch on the receiving side: every chunk verified against its id, except the references
 * still {@link #missing()}, which the flow asks the sender for and hands in with {@link #supply}.
 * {@link #assemble} then writes the LAN bytes in order.
 */
public final class DecodedBatch {

    private final int[] kinds;
    private final int[] lengths;
    /** Per token: where a SLICE starts in its chunk (0 otherwise). */
    private final int[] sliceOffsets;
    /** Per token: its verified bytes (null for zero runs and unresolved references). */
    private final byte[][] resolved;
    private final ChunkId[] ids;
    private final Set<ChunkId> missing = new LinkedHashSet<>();
    private final int decodedLength;

    DecodedBatch(int[] kinds, int[] lengths, int[] sliceOffsets, ChunkId[] ids, byte[][] resolved, int decodedLength) {
        this.kinds = kinds;
        this.lengths = lengths;
        this.sliceOffsets = sliceOffsets;
        this.ids = ids;
        this.resolved = resolved;
        this.decodedLength = decodedLength;
        for (int i = 0; i < kinds.length; i++) {
            if (kinds[i] != BatchFormat.ZERO && resolved[i] == null) {
                missing.add(ids[i]);
            }
        }
    }

    /** LAN bytes this batch decodes to. */
    public int decodedLength() {
        return decodedLength;
    }

    /** Referenced chunks not resolved yet, each once. */
    public Set<ChunkId> missing() {
        return Collections.unmodifiableSet(missing);
    }

    /**
     * Hands in a repaired chunk. It is verified against its id and, when it matches, learned into
     * {@code store}. The batch and the store keep {@code bytes}: the caller must not change it.
     *
     * @return false when the bytes do not match the id, or are too short for a slice of them (nothing changes)
     */
    public boolean supply(ChunkId id, byte[] bytes, ChunkStore store) throws IOException {
        if (!missing.contains(id) || !id.matches(bytes, 0, bytes.length)) {
            return false;
        }
        for (int i = 0; i < ids.length; i++) {
            if (id.equals(ids[i]) && !fits(kinds[i], lengths[i], sliceOffsets[i], bytes)) {
                return false;
            }
        }
        store.adopt(id, bytes);
        for (int i = 0; i < ids.length; i++) {
            if (id.equals(ids[i]) && resolved[i] == null) {
                resolved[i] = bytes;
            }
        }
        missing.remove(id);
        return true;
    }

    /** The LAN bytes, once nothing is missing; the caller owns the returned buffer. */
    public ByteBuf assemble(ByteBufAllocator allocator) {
        if (!missing.isEmpty()) {
            throw new IllegalStateException(missing.size() + " chunks still missing");
        }
        ByteBuf out = allocator.buffer(decodedLength);
        for (int i = 0; i < kinds.length; i++) {
            if (kinds[i] == BatchFormat.ZERO) {
                out.writeZero(lengths[i]);
            } else {
                out.writeBytes(resolved[i], sliceOffsets[i], lengths[i]);
            }
        }
        return out;
    }

    /** Whether {@code chunk} has the bytes a token stands for: all of them (REF), or the slice (SLICE). */
    static boolean fits(int kind, int length, int sliceOffset, byte[] chunk) {
        return kind == BatchFormat.SLICE ? sliceOffset + length <= chunk.length : chunk.length == length;
    }

    /** The ids of all referenced and literal chunks, in order (for tests and stats). */
    List<ChunkId> chunkIds() {
        List<ChunkId> result = new ArrayList<>();
        for (ChunkId id : ids) {
            if (id != null) {
                result.add(id);
            }
        }
        return result;
    }
}
