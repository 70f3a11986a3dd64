/**
 * NFS version 3 (RFC 1813): the calls and replies wanopt follows, one record per message named after
 * the specification's XDR type ({@code READ3args} is {@link io.wanopt.protocols.nfs.v3.Read3Args}),
 * decoded by {@link io.wanopt.protocols.nfs.v3.Nfs3Decoder}.
 */
package io.wanopt.protocols.nfs.v3;
