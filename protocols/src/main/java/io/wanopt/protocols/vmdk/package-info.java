/** Recognising VM disk files (VMDK) by name and by their first bytes: {@link io.wanopt.protocols.vmdk.VmdkSignature}. */
package io.wanopt.protocols.vmdk;
