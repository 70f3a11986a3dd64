package io.wanopt.protocols.nfs.v4;

import io.wanopt.protocols.oncrpc.XdrReader;

/**
 * RFC 7530 §9.1.4 {@code stateid4}: {@code seqid} and the 12 bytes of {@code other}, kept as their first
 * 8 and last 4 bytes (big-endian) so the record compares by value.
 */
public record Stateid4(int seqid, long otherHigh, int otherLow) {

    /** Encoded size: fixed. */
    public static final int LENGTH = 16;

    public static Stateid4 read(XdrReader xdr, String what) {
        xdr.require(LENGTH, what);
        int seqid = xdr.readInt(what);
        long high = xdr.readHyper(what);
        return new Stateid4(seqid, high, xdr.readInt(what));
    }

    /** The anonymous stateid (all zeros), used for I/O without an OPEN (RFC 7530 §9.1.4.3). */
    public boolean isAnonymous() {
        return seqid == 0 && otherHigh == 0 && otherLow == 0;
    }
}
