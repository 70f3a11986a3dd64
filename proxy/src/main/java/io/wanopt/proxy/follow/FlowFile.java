package io.wanopt.proxy.follow;

/**
 * The file a flow moved data of most recently, as {@code wanopt flows} shows it.
 *
 * @param name its path as the flow named it, or "(unnamed)" when the flow never saw its name
 * @param vmdk whether it is a VMware disk (by name or by its first bytes)
 */
public record FlowFile(String name, boolean vmdk) {
}
