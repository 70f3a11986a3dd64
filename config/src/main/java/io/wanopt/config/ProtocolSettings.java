package io.wanopt.config;

/**
 * {@code wanopt.protocols}: how the appliance follows the file protocols it understands.
 *
 * @param fileChunkSize READ/WRITE data is cut at multiples of this file offset (a multiple of 4 KiB)
 * @param followNfs whether ONC RPC connections (NFS, MOUNT) are followed
 * @param nfsMaxRecordSize largest RPC record held whole
 * @param nfsMaxPendingCalls calls remembered per connection until answered
 */
public record ProtocolSettings(int fileChunkSize, boolean followNfs, int nfsMaxRecordSize, int nfsMaxPendingCalls) {
}
