/**
 * Parsers for the protocols wanopt follows on the LAN and between appliances. They never change a
 * byte they pass on; input they cannot parse throws {@link io.wanopt.protocols.MalformedInputException}
 * and the caller carries the traffic on as generic bytes.
 */
package io.wanopt.protocols;
