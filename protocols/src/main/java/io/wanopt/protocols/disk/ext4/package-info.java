/** ext2/3/4 block bitmaps: {@link io.wanopt.protocols.disk.ext4.Ext4BlockBitmaps}. */
package io.wanopt.protocols.disk.ext4;
