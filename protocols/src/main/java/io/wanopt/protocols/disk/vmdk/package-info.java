/** VMDK files mapped to the guest disk they hold: {@link io.wanopt.protocols.disk.vmdk.VmdkImage}. */
package io.wanopt.protocols.disk.vmdk;
