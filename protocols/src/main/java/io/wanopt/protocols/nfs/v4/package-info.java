/**
 * NFS version 4.0 (RFC 7530) and 4.1 (RFC 8881) COMPOUND calls and replies, walked operation by
 * operation as far as wanopt follows them ({@link io.wanopt.protocols.nfs.v4.Compound4Decoder}); the
 * current file handle each operation works on is resolved by
 * {@link io.wanopt.protocols.nfs.v4.CompoundFileFlow}.
 */
package io.wanopt.protocols.nfs.v4;
