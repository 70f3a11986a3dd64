package io.wanopt.config;

import java.time.Duration;

/**
 * {@code wanopt.protocols}: how the appliance follows the file protocols it understands.
 *
 * @param fileChunkSize READ/WRITE data is cut at multiples of this file offset (a multiple of 4 KiB)
 * @param fileChunkIndex whole file chunks remembered, so that part of one can be sent as a slice of it
 * @param followNfs whether ONC RPC connections (NFS, MOUNT) are followed
 * @param nfsMaxRecordSize largest RPC record held whole
 * @param nfsMaxPendingCalls calls remembered per connection until answered
 * @param nfsReadAhead read-ahead of sequential NFS reads
 * @param followSmb whether SMB2/3 connections are followed
 * @param smbMaxFrameSize largest SMB frame held whole
 */
public record ProtocolSettings(int fileChunkSize, int fileChunkIndex, boolean followNfs, int nfsMaxRecordSize,
        int nfsMaxPendingCalls, ReadAhead nfsReadAhead, boolean followSmb, int smbMaxFrameSize) {

    /**
     * {@code wanopt.protocols.nfs.read-ahead}.
     *
     * @param enabled whether this appliance reads ahead of (next to the server) and answers from
     *     read-ahead for (next to the client) sequential readers
     * @param maxWindow most bytes read ahead of one connection and not yet asked for
     * @param maxAge read-ahead data older than this is dropped, never served
     */
    public record ReadAhead(boolean enabled, int maxWindow, Duration maxAge) {
    }
}
