package io.wanopt.proxy.follow;

import io.netty.buffer.ByteBuf;
import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.NfsMessage;
import io.wanopt.protocols.nfs.NfsReply;
import io.wanopt.protocols.nfs.mount.Mnt3Res;
import io.wanopt.protocols.nfs.v3.Create3Res;
import io.wanopt.protocols.nfs.v3.Entryplus3;
import io.wanopt.protocols.nfs.v3.Lookup3Res;
import io.wanopt.protocols.nfs.v3.Nfs3Status;
import io.wanopt.protocols.nfs.v3.Readdirplus3Res;
import io.wanopt.protocols.nfs.v4.Compound4Res;
import io.wanopt.protocols.nfs.v4.CompoundFileFlow;
import io.wanopt.protocols.vmdk.VmdkSignature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The files one NFS flow touched: the name each file handle was looked up, created, listed or
 * mounted under, whether it is a VM disk (by name, or by the magic in its first bytes), and the
 * bytes of its READ and WRITE data this side encoded, with what they became on the WAN before
 * compression. At most {@value #MAX_FILES} files per flow; the least recently used is forgotten.
 */
final class NfsFiles {

    static final int MAX_FILES = 4096;

    /** One file's figures; {@code literalBytes} are the data bytes sent as new chunks (before compression). */
    static final class FileStats {
        private String name;
        private VmdkSignature.Kind vmdk;
        private long bytesRead;
        private long bytesWritten;
        private long literalBytes;

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
                    + (lan == 0 ? "" : String.format(" (%.1f%% of it before compression)", 100.0 * literalBytes / lan));
        }
    }

    private final Map<FileHandle, FileStats> files = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<FileHandle, FileStats> eldest) {
            return size() > MAX_FILES;
        }
    };

    /** Learns the names a reply binds to file handles. */
    void learnNames(NfsMessage message) {
        if (!(message instanceof NfsReply reply)) {
            return;
        }
        if (reply.result() instanceof Lookup3Res lookup && Nfs3Status.NFS3_OK.equals(lookup.status()) && lookup.object() != null) {
            file(lookup.object()).named(lookup.request().name());
        } else if (reply.result() instanceof Create3Res create && Nfs3Status.NFS3_OK.equals(create.status())
                && create.object() != null) {
            file(create.object()).named(create.request().name());
        } else if (reply.result() instanceof Readdirplus3Res listing) {
            for (Entryplus3 entry : listing.entries()) {
                if (entry.handle() != null) {
                    file(entry.handle()).named(entry.name());
                }
            }
        } else if (reply.result() instanceof Mnt3Res mount && mount.root() != null) {
            file(mount.root()).named(mount.request().dirPath());
        } else if (reply.result() instanceof Compound4Res compound) {
            for (CompoundFileFlow.NameBinding binding : CompoundFileFlow.of(compound).names()) {
                if (binding.object() != null) {
                    file(binding.object()).named(binding.name());
                }
            }
        }
    }

    /**
     * Counts {@code length} data bytes of {@code handle} at {@code fileOffset} (read or written), of which
     * {@code literalBytes} went out as new chunks; the first bytes of a file are checked for a VMDK magic.
     */
    void data(FileHandle handle, long fileOffset, boolean written, ByteBuf wire, int index, int length,
            long literalBytes) {
        if (handle == null) {
            return;
        }
        FileStats stats = file(handle);
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

    private FileStats file(FileHandle handle) {
        return files.computeIfAbsent(handle, h -> new FileStats());
    }
}
