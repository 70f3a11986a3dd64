/** Guest disk partition tables (MBR with EBR chains, GPT): {@link io.wanopt.protocols.disk.partition.PartitionTable}. */
package io.wanopt.protocols.disk.partition;
