package io.wanopt.bench.vmmove;

import java.util.Objects;

/**
 * One VM disk file moved by one method over one emulated WAN link, or, for a bytes-only method such as
 * zstd, compressed without being sent.
 *
 * @param protocol {@value #SMB} (and {@value #SMB_64K_READS} where Samba's read size is part of what is
 *     compared), {@value #NFS}, {@value #NFS_V3} or {@value #NFS_V4} (where the NFS version is part of
 *     what is compared), {@value #SSH} (scp and rsync) or {@value #NO_PROTOCOL}
 *     (bytes-only methods)
 * @param workload what was moved, e.g. "first VM, cold dictionary", "next version", "clone"
 * @param link the emulated link; {@code null} only for a bytes-only result, which the report then shows
 *     under every link
 * @param method {@value #PLAIN}, {@value #WANOPT}, {@value #WANOPT_NO_READ_AHEAD},
 *     {@value #WANOPT_READ_AHEAD}, {@value #SCP}, {@value #RSYNC}, {@value #ZSTD} or another name
 * @param file name of the VMDK moved
 * @param fileBytes size of the file moved
 * @param seconds elapsed wall-clock time of the move; {@code NaN} when nothing was timed
 * @param wanBytes bytes that crossed the emulated WAN, both directions summed (for a bytes-only method:
 *     the bytes it produced)
 * @param verified whether the file's SHA-256 was equal at both ends
 */
public record MoveResult(String protocol, String workload, LinkSpec link, String method, String file,
        long fileBytes, double seconds, long wanBytes, boolean verified) {

    public static final String SMB = "SMB";
    /** SMB from a Samba whose {@code smb2 max read} (and write and trans) is 64 KiB instead of 8 MiB. */
    public static final String SMB_64K_READS = "SMB, 64 KiB reads";
    public static final String NFS = "NFS";
    public static final String NFS_V3 = "NFSv3";
    public static final String NFS_V4 = "NFSv4";
    /** Protocol of scp and rsync, which have no plain copy of their own. */
    public static final String SSH = "ssh";
    /** Protocol of bytes-only methods. */
    public static final String NO_PROTOCOL = "—";

    /** The same copy as {@link #WANOPT} but straight through the emulated link: the reference time. */
    public static final String PLAIN = "plain";
    public static final String WANOPT = "wanopt";
    /** wanopt with {@code protocols.nfs.read-ahead.enabled = false} on both appliances. */
    public static final String WANOPT_NO_READ_AHEAD = "wanopt, no read-ahead";
    /** wanopt with NFS read-ahead on (the default), where it is compared with {@link #WANOPT_NO_READ_AHEAD}. */
    public static final String WANOPT_READ_AHEAD = "wanopt, read-ahead";
    /** Through wanopt with {@code smartread.unused-blocks = zero} and {@code skip-storage-reads = on}. */
    public static final String WANOPT_SMARTREAD = "wanopt, SmartRead";
    public static final String SCP = "scp -C";
    public static final String RSYNC = "rsync -z";
    public static final String ZSTD = "zstd -3";
    /** zstd -3 of the file with its guest-free blocks zeroed: what SmartRead leaves to compress. */
    public static final String ZSTD_ZEROED = "zstd -3, free blocks zeroed";

    public MoveResult {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(file, "file");
        if (fileBytes <= 0) {
            throw new IllegalArgumentException("file " + file + " must have a positive size, got " + fileBytes);
        }
        if (wanBytes < 0) {
            throw new IllegalArgumentException("bytes on the WAN must not be negative, got " + wanBytes);
        }
        if (!Double.isNaN(seconds) && !(seconds > 0 && Double.isFinite(seconds))) {
            throw new IllegalArgumentException("elapsed time must be positive and finite or NaN, got " + seconds);
        }
        if (link == null && !Double.isNaN(seconds)) {
            throw new IllegalArgumentException(method + " of " + file + " was timed, so it needs its link");
        }
    }

    /** A result with bytes and no time or link, e.g. the file compressed by zstd, for comparison. */
    public static MoveResult bytesOnly(String workload, String method, String file, long fileBytes,
            long outputBytes, boolean verified) {
        return new MoveResult(NO_PROTOCOL, workload, null, method, file, fileBytes, Double.NaN, outputBytes,
                verified);
    }

    /** Whether the move was timed (bytes-only results are not). */
    public boolean timed() {
        return !Double.isNaN(seconds);
    }

    /** 1 - wanBytes / fileBytes: the share of the file's bytes that did not cross the WAN. */
    public double reduction() {
        return 1.0 - (double) wanBytes / fileBytes;
    }

    /** wanBytes * 8 / (link rate * seconds); {@code NaN} without a time. */
    public double utilisation() {
        return timed() ? wanBytes * 8.0 / (link.rateBitsPerSecond() * seconds) : Double.NaN;
    }

    /** plain.seconds / seconds; {@code NaN} when either has no time. */
    public double speedUp(MoveResult plain) {
        return plain.seconds() / seconds;
    }
}
