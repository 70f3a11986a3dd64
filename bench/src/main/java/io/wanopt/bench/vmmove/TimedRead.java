package io.wanopt.bench.vmmove;

import java.util.Objects;

/**
 * One timed read of a file by a client over an emulated link, as the report sections about reads show
 * it ({@link ReadAheadReport}, {@link SmbLatencyReport}).
 *
 * @param move the read as the rest of the report shows it (workload {@link ReadSections#COLD} or
 *     {@link ReadSections#WARM}, method plain or a wanopt configuration)
 * @param wanBytesToClient of the move's bytes on the WAN, those that went towards the client: the
 *     direction whose rate bounds a read
 */
record TimedRead(MoveResult move, long wanBytesToClient) {

    TimedRead {
        Objects.requireNonNull(move, "move");
        if (!move.timed()) {
            throw new IllegalArgumentException("a read needs its time: " + move);
        }
        if (wanBytesToClient < 0) {
            throw new IllegalArgumentException("bytes towards the client must not be negative, got " + wanBytesToClient);
        }
    }

    /** File size over elapsed, in MB (10⁶ bytes) per second. */
    double fileMegabytesPerSecond() {
        return move.fileBytes() / 1e6 / move.seconds();
    }

    /** Bytes towards the client × 8 / link rate / elapsed: how busy the direction that carries the file was. */
    double utilisationToClient() {
        return wanBytesToClient * 8.0 / move.link().rateBitsPerSecond() / move.seconds();
    }
}
