package io.wanopt.protocols.vmdk;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Tells whether a file is a VMware virtual disk (VMDK), and which kind, from its name or from the first
 * bytes of its first sector. Names: {@code x.vmdk} (descriptor or monolithic sparse: the name alone
 * cannot tell), {@code x-flat.vmdk} and {@code x-f001.vmdk} (raw), {@code x-s001.vmdk} (hosted sparse
 * extent), {@code x-000001-delta.vmdk} (COWD redo log), {@code x-000001-sesparse.vmdk} (SE sparse),
 * {@code x-ctk.vmdk} (change tracking). First bytes: {@code KDMV} (hosted sparse extent header),
 * {@code COWD} (ESX redo log), the little-endian 64-bit {@code 0xcafebabe} (SE sparse header) and
 * {@code # Disk DescriptorFile} (text descriptor). A raw {@code -flat} extent starts with the guest's own
 * disk (an MBR or GPT), so it is recognised by name only.
 */
public final class VmdkSignature {

    /** Bytes {@link #byFirstBytes} needs to rule every magic out. */
    public static final int PROBE_LENGTH = 21;

    private static final byte[] SPARSE_MAGIC = "KDMV".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COWD_MAGIC = "COWD".getBytes(StandardCharsets.US_ASCII);
    /** u64 0x00000000cafebabe little-endian. */
    private static final byte[] SESPARSE_MAGIC = {(byte) 0xbe, (byte) 0xba, (byte) 0xfe, (byte) 0xca, 0, 0, 0, 0};
    private static final byte[] DESCRIPTOR_MAGIC = "# Disk DescriptorFile".getBytes(StandardCharsets.US_ASCII);

    /** The kinds of VMDK file. */
    public enum Kind {
        /** Text descriptor naming the extents. */
        DESCRIPTOR,
        /** Hosted sparse extent ({@code KDMV}): monolithicSparse, twoGbMaxExtentSparse, streamOptimized. */
        HOSTED_SPARSE,
        /** Raw extent: file offset = guest disk offset. */
        FLAT,
        /** ESX redo log ({@code COWD}, VMFSSPARSE). */
        VMFS_SPARSE,
        /** SE sparse snapshot extent. */
        SE_SPARSE,
        /** Changed-block-tracking file: a VMDK by name, but not disk content. */
        CHANGE_TRACKING,
        /** A {@code .vmdk} whose name does not say which kind (descriptor or monolithic sparse). */
        UNSPECIFIED
    }

    private VmdkSignature() {
    }

    /** The kind a file name says, or empty when it does not end in {@code .vmdk} (any case). */
    public static Optional<Kind> byName(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        if (!name.endsWith(".vmdk")) {
            return Optional.empty();
        }
        String stem = name.substring(0, name.length() - ".vmdk".length());
        if (stem.endsWith("-flat") || stem.matches(".*-f\\d{3}")) {
            return Optional.of(Kind.FLAT);
        }
        if (stem.endsWith("-delta")) {
            return Optional.of(Kind.VMFS_SPARSE);
        }
        if (stem.endsWith("-sesparse")) {
            return Optional.of(Kind.SE_SPARSE);
        }
        if (stem.endsWith("-ctk")) {
            return Optional.of(Kind.CHANGE_TRACKING);
        }
        if (stem.matches(".*-s\\d{3}")) {
            return Optional.of(Kind.HOSTED_SPARSE);
        }
        return Optional.of(Kind.UNSPECIFIED);
    }

    /**
     * The kind the first bytes of a file say, read from {@code data} at {@code index} without moving its
     * indexes; {@code length} bytes are available there. Empty when no magic matches; with fewer than
     * {@link #PROBE_LENGTH} bytes, a longer magic may be missed.
     */
    public static Optional<Kind> byFirstBytes(ByteBuf data, int index, int length) {
        if (startsWith(data, index, length, SPARSE_MAGIC)) {
            return Optional.of(Kind.HOSTED_SPARSE);
        }
        if (startsWith(data, index, length, COWD_MAGIC)) {
            return Optional.of(Kind.VMFS_SPARSE);
        }
        if (startsWith(data, index, length, SESPARSE_MAGIC)) {
            return Optional.of(Kind.SE_SPARSE);
        }
        if (startsWith(data, index, length, DESCRIPTOR_MAGIC)) {
            return Optional.of(Kind.DESCRIPTOR);
        }
        return Optional.empty();
    }

    /** {@link #byFirstBytes(ByteBuf, int, int)} over {@code data}'s readable bytes. */
    public static Optional<Kind> byFirstBytes(ByteBuf data) {
        return byFirstBytes(data, data.readerIndex(), data.readableBytes());
    }

    private static boolean startsWith(ByteBuf data, int index, int length, byte[] magic) {
        if (length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (data.getByte(index + i) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
