/**
 * The in-use map library: which bytes of a VM disk hold data the guest uses. Everything reads through
 * {@link io.wanopt.protocols.disk.RandomAccessSource} (a local file, an NFS or SMB file alike);
 * {@code vmdk} maps a VMDK to its guest disk, {@code partition} splits a guest disk into partitions,
 * {@code ext4} and {@code ntfs} read the file systems' allocation bitmaps, and
 * {@link io.wanopt.protocols.disk.DiskUsageMap} puts the layers together.
 */
package io.wanopt.protocols.disk;
