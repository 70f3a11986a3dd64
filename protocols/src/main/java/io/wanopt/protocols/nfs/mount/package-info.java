/**
 * The MOUNT protocol version 3 (RFC 1813 Appendix I), from which an NFSv3 client gets the root file
 * handle of an export: {@link io.wanopt.protocols.nfs.mount.Mnt3Args} and
 * {@link io.wanopt.protocols.nfs.mount.Mnt3Res}, decoded by {@link io.wanopt.protocols.nfs.mount.Mount3Decoder}.
 */
package io.wanopt.protocols.nfs.mount;
