package io.wanopt.protocols.nfs.v3;

/**
 * RFC 1813 §2.6 {@code wcc_data}: weak cache consistency data of a modifying operation.
 *
 * @param before {@code pre_op_attr}, null when the server sent none
 * @param after  {@code post_op_attr}, null when the server sent none
 */
public record WccData(WccAttr before, Fattr3 after) {
}
