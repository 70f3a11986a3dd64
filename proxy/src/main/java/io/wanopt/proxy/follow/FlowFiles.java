package io.wanopt.proxy.follow;

import io.netty.buffer.ByteBuf;
import io.wanopt.protocols.vmdk.VmdkSignature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The files one flow touched, by the file protocol's identity for them (an NFS file handle, an SMB
 * share and name): the name each was opened, looked up, created or listed under, whether it is a VM
 * disk (by name, or by the magic in its first bytes), and the bytes of its READ and WRITE data this
 * side encoded, with what they became on the WAN before compression. At most {@value #MAX_FILES}
 * files per flow; the least recently used is forgotten.
 */
final class FlowFiles {

    static final int MAX_FILES = 4096;
    /** Directories walked up for a path (also stops a loop of directories). */
    private static final int MAX_DEPTH = 64;

    /** One file's figures; {@code literalBytes} are the data bytes sent as new chunks (before compression). */
    static final class FileStats {
        private String name;
        /** The directory it was looked up or listed in, when known: its path is the directory's and its name. */
        private Object dir;
        private VmdkSignature.Kind vmdk;
        private long bytesRead;
        private long bytesWritten;
        private long literalBytes;
        private long zeroedBytes;

        String name() {
            return name;
        }

        Optional<VmdkSignature.Kind> vmdk() {
            return Optional.ofNullable(vmdk);
        }

        long bytesRead() {
            return bytesRead;
        }

        long bytesWritten() {
            return bytesWritten;
        }

        long literalBytes() {
            return literalBytes;
        }

        private void named(String fileName) {
            name = fileName;
            VmdkSignature.byName(fileName).ifPresent(kind -> {
                if (vmdk == null || vmdk == VmdkSignature.Kind.UNSPECIFIED) {
                    vmdk = kind;
                }
            });
        }

        @Override
        public String toString() {
            long lan = bytesRead + bytesWritten;
            return (name == null ? "(unnamed)" : name) + (vmdk == null ? "" : " [VMDK " + vmdk + "]") + ": read "
                    + bytesRead + ", written " + bytesWritten + ", new on the WAN " + literalBytes
                    + (lan == 0 ? "" : String.format(" (%.1f%% of it before compression)", 100.0 * literalBytes / lan))
                    + (zeroedBytes == 0 ? "" : ", guest-free bytes sent as zeros " + zeroedBytes);
        }
    }

    private final Map<Object, FileStats> files = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Object, FileStats> eldest) {
            return size() > MAX_FILES;
        }
    };

    /** Names {@code file}: its name decides whether it is a VM disk. */
    void named(Object file, String name) {
        file(file).named(name);
    }

    /** Names {@code file}, found as {@code name} in the directory {@code dir}. */
    void named(Object file, Object dir, String name) {
        FileStats stats = file(file);
        stats.named(name);
        stats.dir = dir;
    }

    /**
     * The path of {@code file} as this flow learned it: the names of the directories it was found in,
     * up from it, joined by {@code /}; its name alone when no directory is known; null when unnamed.
     */
    String path(Object file) {
        FileStats stats = files.get(file);
        if (stats == null || stats.name == null) {
            return null;
        }
        StringBuilder path = new StringBuilder(stats.name);
        for (int depth = 0; depth < MAX_DEPTH && stats.dir != null && !stats.dir.equals(file); depth++) {
            stats = files.get(stats.dir);
            if (stats == null || stats.name == null) {
                break;
            }
            path.insert(0, stats.name.endsWith("/") ? stats.name : stats.name + "/");
        }
        return path.toString();
    }

    /** Counts {@code bytes} of {@code file}'s data sent as zeros (guest-free blocks). */
    void zeroed(Object file, long bytes) {
        if (bytes > 0) {
            file(file).zeroedBytes += bytes;
        }
    }

    /**
     * Counts {@code length} data bytes of {@code file} at {@code fileOffset} (read or written), of which
     * {@code literalBytes} went out as new chunks; the first bytes of a file are checked for a VMDK magic.
     */
    void data(Object file, long fileOffset, boolean written, ByteBuf wire, int index, int length,
            long literalBytes) {
        if (file == null) {
            return;
        }
        FileStats stats = file(file);
        if (written) {
            stats.bytesWritten += length;
        } else {
            stats.bytesRead += length;
        }
        stats.literalBytes += literalBytes;
        if (fileOffset == 0 && (stats.vmdk == null || stats.vmdk == VmdkSignature.Kind.UNSPECIFIED)) {
            VmdkSignature.byFirstBytes(wire, index, length).ifPresent(kind -> stats.vmdk = kind);
        }
    }

    /** The files with data, for the flow's closing log line. */
    List<FileStats> withData() {
        List<FileStats> touched = new ArrayList<>();
        for (FileStats stats : files.values()) {
            if (stats.bytesRead + stats.bytesWritten > 0) {
                touched.add(stats);
            }
        }
        return touched;
    }

    /** The file with data used most recently, if any (the map keeps files in order of use). */
    Optional<FileStats> latest() {
        FileStats latest = null;
        for (FileStats stats : files.values()) {
            if (stats.bytesRead + stats.bytesWritten > 0) {
                latest = stats;
            }
        }
        return Optional.ofNullable(latest);
    }

    private FileStats file(Object file) {
        return files.computeIfAbsent(file, key -> new FileStats());
    }
}
