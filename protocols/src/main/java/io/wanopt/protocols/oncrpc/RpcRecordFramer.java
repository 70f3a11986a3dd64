package io.wanopt.protocols.oncrpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.wanopt.protocols.Framer;
import io.wanopt.protocols.MalformedInputException;
import java.util.Arrays;

/**
 * Finds ONC RPC records in a TCP byte stream (RFC 5531 §11, record marking), without a pipeline:
 * {@link #poll(ByteBuf)} returns the next whole record or {@code null} while one is incomplete.
 *
 * <pre>
 *  +-- header --+-- data --+-- header --+-- data --+
 *  | 0 | len a  |  a bytes | 1 | len b  |  b bytes |     one record = a + b payload bytes
 *  +------------+----------+------------+----------+
 *   bit 31 = last fragment, bits 0-30 = fragment length
 * </pre>
 *
 * Each fragment header is checked when its 4 bytes arrive, before its data: a fragment longer than
 * {@code maxFragmentLength}, a record whose fragments add up to more than {@code maxRecordLength}, or
 * more than {@code maxFragments} fragments throws {@link MalformedInputException} with the value, the
 * limit and the stream offset of the offending header. After that the stream cannot be resynchronised:
 * the framer must not be used again.
 *
 * <p>Fragments already seen whole are remembered between calls, so input arriving in small pieces is
 * scanned once, not once per piece. One framer per stream; not thread-safe.
 */
public final class RpcRecordFramer implements Framer<RpcRecord> {

    /** Bit 31 of a fragment header: this fragment ends its record. */
    public static final int LAST_FRAGMENT = 0x8000_0000;
    /** Bits 0-30 of a fragment header: the fragment's data length. */
    public static final int FRAGMENT_LENGTH_MASK = 0x7FFF_FFFF;
    /** 64 MiB of READ/WRITE data plus 64 KiB for RPC and NFS headers. */
    public static final int DEFAULT_MAX_RECORD_LENGTH = 64 * 1024 * 1024 + 64 * 1024;
    /** Enough for a maximal record sent in 1 KiB fragments; clients send 1 (Linux, libnfs) or a few. */
    public static final int DEFAULT_MAX_FRAGMENTS = 65_536;

    private final int maxFragmentLength;
    private final int maxRecordLength;
    private final int maxFragments;

    /** Stream offset of the first byte of the record being assembled. */
    private long recordStreamOffset;
    /** Wire bytes of the whole fragments seen so far of the record being assembled. */
    private int scannedWireBytes;
    private int scannedPayloadBytes;
    private int fragmentCount;
    private int[] fragmentStarts = new int[4];

    /** A framer with {@link #DEFAULT_MAX_RECORD_LENGTH} for fragments and records and {@link #DEFAULT_MAX_FRAGMENTS}. */
    public RpcRecordFramer() {
        this(DEFAULT_MAX_RECORD_LENGTH, DEFAULT_MAX_RECORD_LENGTH, DEFAULT_MAX_FRAGMENTS);
    }

    public RpcRecordFramer(int maxFragmentLength, int maxRecordLength, int maxFragments) {
        if (maxFragmentLength < 0 || maxRecordLength < 0 || maxFragments < 1) {
            throw new IllegalArgumentException("maxFragmentLength (" + maxFragmentLength + ") and maxRecordLength ("
                    + maxRecordLength + ") must be >= 0 and maxFragments (" + maxFragments + ") >= 1");
        }
        long maxWireLength = (long) maxRecordLength + (long) maxFragments * RpcRecord.FRAGMENT_HEADER_LENGTH;
        if (maxWireLength > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxRecordLength (" + maxRecordLength + ") + 4 * maxFragments ("
                    + maxFragments + ") must fit in a buffer (< " + (Integer.MAX_VALUE - 8) + ')');
        }
        this.maxFragmentLength = maxFragmentLength;
        this.maxRecordLength = maxRecordLength;
        this.maxFragments = maxFragments;
    }

    /**
     * The next whole record at {@code in}'s reader index, consuming its bytes, or {@code null} (nothing
     * consumed) until all of its fragments are readable.
     *
     * @throws MalformedInputException when a fragment header breaks a limit; {@code in} is left as it was
     */
    @Override
    public RpcRecord poll(ByteBuf in) {
        int recordStart = in.readerIndex();
        while (true) {
            int headerIndex = recordStart + scannedWireBytes;
            if (in.writerIndex() - headerIndex < RpcRecord.FRAGMENT_HEADER_LENGTH) {
                return null;
            }
            int header = in.getInt(headerIndex);
            int length = header & FRAGMENT_LENGTH_MASK;
            long headerOffset = recordStreamOffset + scannedWireBytes;
            if (length > maxFragmentLength) {
                throw MalformedInputException.outOfRange("RPC fragment length", length, maxFragmentLength, headerOffset);
            }
            if ((long) scannedPayloadBytes + length > maxRecordLength) {
                throw MalformedInputException.outOfRange("RPC record length", (long) scannedPayloadBytes + length,
                        maxRecordLength, headerOffset);
            }
            if (fragmentCount + 1 > maxFragments) {
                throw MalformedInputException.outOfRange("RPC fragment count", fragmentCount + 1L, maxFragments,
                        headerOffset);
            }
            if (in.writerIndex() - headerIndex - RpcRecord.FRAGMENT_HEADER_LENGTH < length) {
                return null;
            }
            if (fragmentCount == fragmentStarts.length) {
                fragmentStarts = Arrays.copyOf(fragmentStarts, Math.min(maxFragments, fragmentCount * 2));
            }
            fragmentStarts[fragmentCount++] = scannedPayloadBytes;
            scannedPayloadBytes += length;
            scannedWireBytes += RpcRecord.FRAGMENT_HEADER_LENGTH + length;
            if ((header & LAST_FRAGMENT) != 0) {
                return takeRecord(in);
            }
        }
    }

    private RpcRecord takeRecord(ByteBuf in) {
        ByteBuf wire = in.readRetainedSlice(scannedWireBytes);
        int[] starts = Arrays.copyOf(fragmentStarts, fragmentCount);
        RpcRecord record;
        if (fragmentCount == 1) {
            record = new RpcRecord(wire, wire.slice(RpcRecord.FRAGMENT_HEADER_LENGTH, scannedPayloadBytes), false, starts,
                    recordStreamOffset);
        } else {
            CompositeByteBuf payload = wire.alloc().compositeBuffer(fragmentCount);
            for (int i = 0; i < fragmentCount; i++) {
                int end = i + 1 < fragmentCount ? starts[i + 1] : scannedPayloadBytes;
                if (end > starts[i]) {
                    int wireIndex = starts[i] + (i + 1) * RpcRecord.FRAGMENT_HEADER_LENGTH;
                    payload.addComponent(true, wire.retainedSlice(wireIndex, end - starts[i]));
                }
            }
            record = new RpcRecord(wire, payload, true, starts, recordStreamOffset);
        }
        recordStreamOffset += scannedWireBytes;
        scannedWireBytes = 0;
        scannedPayloadBytes = 0;
        fragmentCount = 0;
        return record;
    }
}
