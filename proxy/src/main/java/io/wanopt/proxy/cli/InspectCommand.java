package io.wanopt.proxy.cli;

import io.netty.buffer.Unpooled;
import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.disk.DiskUsageMap;
import io.wanopt.protocols.disk.DiskUsageMap.State;
import io.wanopt.protocols.disk.DiskUsageMap.Volume;
import io.wanopt.protocols.disk.FileSource;
import io.wanopt.protocols.disk.FileSystemUsage;
import io.wanopt.protocols.disk.UnsupportedFormatException;
import io.wanopt.protocols.disk.vmdk.VmdkImage;
import io.wanopt.protocols.vmdk.VmdkSignature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code wanopt inspect FILE [--json]}: what a VM disk holds, from its own bytes: capacity, what the
 * image stores, each partition's file system with used and free space, and what a move would put
 * on the wire before dedupe and compression, byte-exact and with {@code unused-blocks = zero}.
 * A VMDK (by name or first sector) is read through its grain tables and extents; anything else is
 * read as a raw disk.
 */
final class InspectCommand {

    private InspectCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        boolean json = false;
        Path file = null;
        for (String arg : args) {
            if (arg.equals("--json")) {
                json = true;
            } else if (arg.startsWith("--") || file != null) {
                err.println("wanopt inspect: unexpected argument '" + arg + "' (usage: wanopt inspect FILE [--json])");
                return Main.USER_ERROR;
            } else {
                file = Path.of(arg);
            }
        }
        if (file == null) {
            err.println("wanopt inspect: which file? (usage: wanopt inspect FILE [--json])");
            return Main.USER_ERROR;
        }
        try {
            DiskUsageMap map;
            String format;
            if (isVmdk(file)) {
                try (FileSource source = FileSource.open(file);
                        VmdkImage image = VmdkImage.open(source, file.getFileName().toString(),
                                FileSource.opener(file.toAbsolutePath().getParent()))) {
                    format = "VMDK" + image.descriptor().map(d -> " " + d.createType()).orElse("");
                    map = DiskUsageMap.of(image);
                }
            } else {
                try (FileSource source = FileSource.open(file)) {
                    format = "raw disk";
                    map = DiskUsageMap.ofRaw(source);
                }
            }
            out.print(json ? json(file, format, map) : text(file, format, map));
            return Main.OK;
        } catch (NoSuchFileException e) {
            err.println("wanopt inspect: no such file: " + e.getFile());
            return Main.USER_ERROR;
        } catch (MalformedInputException | UnsupportedFormatException e) {
            err.println("wanopt inspect: " + file + ": " + e.getMessage());
            return Main.RUNTIME_FAILURE;
        } catch (IOException e) {
            err.println("wanopt inspect: " + file + ": " + e);
            return Main.RUNTIME_FAILURE;
        }
    }

    private static boolean isVmdk(Path file) throws IOException {
        if (VmdkSignature.byName(file.getFileName().toString()).isPresent()) {
            return true;
        }
        try (FileChannel channel = FileChannel.open(file)) {
            ByteBuffer first = ByteBuffer.allocate(VmdkSignature.PROBE_LENGTH);
            while (first.hasRemaining() && channel.read(first) >= 0) {
                // a short read of a small file ends at its end
            }
            first.flip();
            return VmdkSignature.byFirstBytes(Unpooled.wrappedBuffer(first)).isPresent();
        }
    }

    /** Stored bytes that are not zeros: what a byte-exact move reads and sends before dedupe and compression. */
    private static long exactMoveBytes(DiskUsageMap map) {
        return map.bytes(State.IN_USE) + map.bytes(State.FREE);
    }

    private static String text(Path file, String format, DiskUsageMap map) throws IOException {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "%s: %s, file size %s%n", file, format, size(Files.size(file))));
        text.append(String.format(Locale.ROOT, "guest disk: %s, partition table %s%n", size(map.size()), map.scheme()));
        map.tableNote().ifPresent(note -> text.append("  ").append(note).append(System.lineSeparator()));
        text.append(String.format(Locale.ROOT,
                "  in use %s, free in the guest (stale data or never written) %s, zero %s, unallocated %s%n",
                size(map.bytes(State.IN_USE)), size(map.bytes(State.FREE)), size(map.bytes(State.ZERO)),
                size(map.bytes(State.UNALLOCATED))));
        int number = 1;
        for (Volume volume : map.volumes()) {
            text.append(String.format(Locale.ROOT, "  volume %d: type %s at %s, %s: %s%n", number++, volume.type(),
                    size(volume.offset()), size(volume.length()), describe(volume)));
        }
        text.append(String.format(Locale.ROOT, "a move reads and sends, before zero runs, dedupe and compression are taken out:%n"));
        text.append(String.format(Locale.ROOT, "  byte-exact                %s%n", size(exactMoveBytes(map))));
        text.append(String.format(Locale.ROOT, "  unused-blocks = zero      %s%n", size(map.bytes(State.IN_USE))));
        return text.toString();
    }

    private static String describe(Volume volume) {
        if (volume.fileSystem().isEmpty()) {
            return volume.inUseNote().map(note -> "counted in use (" + note + ")").orElse("no file system read");
        }
        FileSystemUsage fs = volume.fileSystem().get();
        String usage = String.format(Locale.ROOT, "%s, %d-byte blocks, used %s, free %s", fs.type(), fs.blockSize(),
                size(fs.usedBytes()), size(fs.freeBlocks() * fs.blockSize()));
        return fs.allInUseReason().map(reason -> usage + ", counted in use (" + reason + ")").orElse(usage);
    }

    private static String json(Path file, String format, DiskUsageMap map) {
        List<String> volumes = new ArrayList<>();
        for (Volume volume : map.volumes()) {
            StringBuilder v = new StringBuilder();
            v.append("{\"type\":").append(quote(volume.type())).append(",\"offset\":").append(volume.offset())
                    .append(",\"length\":").append(volume.length());
            volume.fileSystem().ifPresent(fs -> v.append(",\"fileSystem\":").append(quote(fs.type()))
                    .append(",\"blockSize\":").append(fs.blockSize()).append(",\"usedBytes\":").append(fs.usedBytes())
                    .append(",\"freeBytes\":").append(fs.freeBlocks() * fs.blockSize())
                    .append(fs.allInUseReason().map(r -> ",\"allInUseReason\":" + quote(r)).orElse("")));
            volume.inUseNote().ifPresent(note -> v.append(",\"inUseNote\":").append(quote(note)));
            volumes.add(v.append('}').toString());
        }
        return "{\"file\":" + quote(file.toString()) + ",\"format\":" + quote(format) + ",\"capacity\":" + map.size()
                + ",\"partitionTable\":" + quote(map.scheme().toString())
                + map.tableNote().map(note -> ",\"partitionTableNote\":" + quote(note)).orElse("")
                + ",\"inUse\":" + map.bytes(State.IN_USE) + ",\"free\":" + map.bytes(State.FREE)
                + ",\"zero\":" + map.bytes(State.ZERO) + ",\"unallocated\":" + map.bytes(State.UNALLOCATED)
                + ",\"volumes\":[" + String.join(",", volumes) + "]"
                + ",\"wireBytesByteExact\":" + exactMoveBytes(map)
                + ",\"wireBytesUnusedBlocksZero\":" + map.bytes(State.IN_USE) + "}\n";
    }

    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (c < 0x20) {
                quoted.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    private static String size(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
