package io.wanopt.cache.codec;

import io.netty.buffer.ByteBuf;
import io.wanopt.cache.ChunkId;
import java.util.Map;

/**
 * One batch ready for the WAN: the DATA body ({@link BatchFormat}), the LAN bytes it stands for, and
 * the bytes of every chunk it references, which the sender keeps until the receiver has
 * acknowledged the batch so that a miss can always be repaired.
 *
 * @param body the encoded body; the receiver of this record owns it and must release it
 * @param decodedLength LAN bytes the batch decodes to
 * @param referenced bytes of the chunks sent as references, by id
 */
public record EncodedBatch(ByteBuf body, int decodedLength, Map<ChunkId, byte[]> referenced) {
}
