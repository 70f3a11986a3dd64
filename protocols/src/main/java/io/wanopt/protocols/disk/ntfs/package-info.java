/** NTFS cluster allocation from {@code $Bitmap}: {@link io.wanopt.protocols.disk.ntfs.NtfsBitmap}. */
package io.wanopt.protocols.disk.ntfs;
