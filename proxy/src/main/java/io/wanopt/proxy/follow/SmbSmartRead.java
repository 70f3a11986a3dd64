package io.wanopt.proxy.follow;

import io.netty.buffer.ByteBuf;
import io.wanopt.config.SmartReadSettings.UnusedBlocks;
import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.disk.ByteRange;
import io.wanopt.protocols.disk.FileUsageMap;
import io.wanopt.protocols.disk.UnsupportedFormatException;
import io.wanopt.protocols.smb.CreateResponse;
import io.wanopt.protocols.smb.FileId;
import io.wanopt.protocols.smb.IoctlRequest;
import io.wanopt.protocols.smb.OpenFile;
import io.wanopt.protocols.smb.Smb2Command;
import io.wanopt.protocols.smb.Smb2Request;
import io.wanopt.protocols.smb.SmbFileData;
import io.wanopt.protocols.vmdk.VmdkSignature;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * SmartRead on an SMB flow, next to the storage. The appliance cannot send READs of its own in an
 * SMB session (it has no signing keys, and would have to take credits and MessageIds from the
 * client), so a VM disk's map is built from the bytes the client reads itself: READ data of the file
 * is kept (at most {@value #MAX_KEPT} bytes, against the memory cap) and the map is tried again each
 * time the bytes it waited for have passed. Once it is built, the guest-free bytes of that version
 * cross as zeros, from the response that completed it on. This works where the layout comes early in
 * the file (grain tables, partition table, the first block groups' bitmaps); what passes before
 * crosses as it is.
 *
 * <p>A version is the share and name with the last-write time, change time and size the CREATE
 * response gave. A request that may change a file (WRITE, SET_INFO, most IOCTLs, or a command or
 * frame not understood) ends zeroing for every file of the connection. Confined to the flow's event loop.
 */
final class SmbSmartRead {

    /** File bytes kept per file while its map waits for them. */
    static final int MAX_KEPT = 32 << 20;
    private static final int MAX_FILES = 1024;
    /** Commands that change no file data. */
    private static final Set<Smb2Command> READ_ONLY = Set.of(Smb2Command.NEGOTIATE, Smb2Command.SESSION_SETUP,
            Smb2Command.LOGOFF, Smb2Command.TREE_CONNECT, Smb2Command.TREE_DISCONNECT, Smb2Command.CREATE,
            Smb2Command.CLOSE, Smb2Command.FLUSH, Smb2Command.READ, Smb2Command.LOCK, Smb2Command.CANCEL,
            Smb2Command.ECHO, Smb2Command.QUERY_DIRECTORY, Smb2Command.CHANGE_NOTIFY, Smb2Command.QUERY_INFO,
            Smb2Command.OPLOCK_BREAK);
    /**
     * IOCTL codes that change no file data ([MS-SMB2] 2.2.31, [MS-FSCC] 2.3), which clients send on
     * their own: FSCTL_DFS_GET_REFERRALS and _EX, FSCTL_VALIDATE_NEGOTIATE_INFO,
     * FSCTL_QUERY_NETWORK_INTERFACE_INFO, FSCTL_PIPE_TRANSCEIVE, FSCTL_SRV_ENUMERATE_SNAPSHOTS,
     * FSCTL_SRV_REQUEST_RESUME_KEY, FSCTL_QUERY_ALLOCATED_RANGES, FSCTL_GET_REPARSE_POINT. Any other
     * (copy-chunk, set-zero-data, duplicate-extents, ...) may change a file. The access bits of a code
     * do not tell: FSCTL_SRV_COPYCHUNK asks for read access and writes.
     */
    private static final Set<Integer> READ_ONLY_CONTROLS = Set.of(0x0006_0194, 0x0006_01B0, 0x0014_0204,
            0x0014_01FC, 0x0011_C017, 0x0014_4064, 0x0014_0078, 0x0009_40CF, 0x0009_00A8);

    /** A file version: where it is, and its times and size at open. */
    record Version(String share, String name, long lastWriteTime, long changeTime, long size) {

        /** The path smartread rules match: the share's name, then the file's path in it. */
        String path() {
            String shareName = share == null ? "" : share.substring(share.lastIndexOf('\\') + 1) + "/";
            return shareName + name.replace('\\', '/');
        }
    }

    /** A map this flow builds from the bytes that pass. */
    private static final class Pending {
        final SeenBytes seen;
        long waitingFor;

        Pending(long size) {
            seen = new SeenBytes(size);
        }
    }

    private final SmartReadMaps maps;
    private final FollowedFlow flow;
    private final FollowCounters counters;
    private final FlowFiles files;
    /** Open VM disks to be zeroed, by FileId, until a request may change files. */
    private final Map<FileId, Version> versions = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<FileId, Version> eldest) {
            return size() > MAX_FILES;
        }
    };
    private final Map<Version, Pending> pending = new HashMap<>();
    /** A request that may change a file was seen: nothing more of this connection is zeroed. */
    private boolean filesMayChange;

    SmbSmartRead(SmartReadMaps maps, FollowedFlow flow, FollowCounters counters, FlowFiles files) {
        this.maps = maps;
        this.flow = flow;
        this.counters = counters;
        this.files = files;
    }

    /** A CREATE response from the server: an open VM disk whose path says zero is followed. */
    void created(CreateResponse create, OpenFile open) {
        versions.remove(create.fileId()); // a FileId closed before may now be another file's
        if (filesMayChange || open == null || open.name() == null || VmdkSignature.byName(open.name()).isEmpty()) {
            return;
        }
        Version version = new Version(open.share(), open.name(), create.info().lastWriteTime(),
                create.info().changeTime(), create.info().endOfFile());
        if (maps.settings().unusedBlocksFor(version.path()) == UnusedBlocks.ZERO) {
            versions.put(create.fileId(), version);
        }
    }

    /** A client request on its way to the server: one that may change a file ends zeroing on this connection. */
    void request(Smb2Request request) {
        boolean readOnly = request.body() instanceof IoctlRequest ioctl ? READ_ONLY_CONTROLS.contains(ioctl.ctlCode())
                : READ_ONLY.contains(request.header().command());
        if (!readOnly) {
            filesMayChange();
        }
    }

    /** A client frame whose requests cannot be seen (encrypted, compressed, not understood): any may change a file. */
    void frameNotUnderstood() {
        filesMayChange();
    }

    private void filesMayChange() {
        if (!filesMayChange) {
            filesMayChange = true;
            versions.clear();
            releaseAll();
        }
    }

    /**
     * The guest-free parts (file offsets) of READ data {@code region}, {@code length} bytes of
     * {@code wire} from {@code index}, that cross as zeros; {@code file} names it in the flow's stats.
     */
    List<ByteRange> zeroed(SmbFileData region, Object file, ByteBuf wire, int index, int length) {
        Version version = region.written() ? null : versions.get(region.fileId());
        if (version == null) {
            return List.of();
        }
        Optional<FileUsageMap> map = maps.map(version);
        if (map.isEmpty()) {
            map = mapFromSeen(version, region.fileOffset(), wire, index, length);
        }
        if (map.isEmpty()) {
            return List.of();
        }
        List<ByteRange> zeroed = map.get().freeWithin(region.fileOffset(), length);
        long bytes = zeroed.stream().mapToLong(ByteRange::length).sum();
        counters.freeBytesZeroed(bytes);
        files.zeroed(file, bytes);
        return zeroed;
    }

    /** Lets go of the bytes kept; the maps not built are left to other flows. */
    void close() {
        releaseAll();
    }

    /** Keeps the data and tries the map if the bytes it waited for are there now; empty until it is built. */
    private Optional<FileUsageMap> mapFromSeen(Version version, long fileOffset, ByteBuf wire, int index, int length) {
        Pending building = pending.get(version);
        if (building == null) {
            if (!maps.claim(version)) {
                return Optional.empty(); // mapped by another flow, being mapped, or not mappable
            }
            building = new Pending(version.size());
            pending.put(version, building);
        }
        List<ByteRange> unseen = building.seen.unseen(fileOffset, length);
        long adding = unseen.stream().mapToLong(ByteRange::length).sum();
        if (adding > 0) {
            if (building.seen.bytes() + adding > MAX_KEPT) {
                giveUp(version, "its layout is not within the first " + (MAX_KEPT >> 20) + " MiB the client read");
                return Optional.empty();
            }
            if (!flow.tryHold(adding)) {
                // The appliance is short of memory now, the file may well be mappable: another flow may try.
                flow.released(building.seen.bytes());
                pending.remove(version);
                maps.unclaim(version);
                return Optional.empty();
            }
            for (ByteRange gap : unseen) {
                byte[] data = new byte[(int) gap.length()];
                wire.getBytes(index + (int) (gap.offset() - fileOffset), data);
                building.seen.add(gap.offset(), data);
            }
        }
        if (!building.seen.has(building.waitingFor)) {
            return Optional.empty();
        }
        try {
            FileUsageMap map = FileUsageMap.read(building.seen, version.name());
            maps.mapped(version, version.path(), map, null);
            release(version);
            return Optional.of(map);
        } catch (SeenBytes.NotSeen e) {
            building.waitingFor = e.offset;
        } catch (IOException | UnsupportedFormatException | MalformedInputException e) {
            giveUp(version, e.getMessage());
        }
        return Optional.empty();
    }

    private void giveUp(Version version, String why) {
        maps.mapped(version, version.path(), null, why);
        release(version);
    }

    private void release(Version version) {
        Pending done = pending.remove(version);
        if (done != null) {
            flow.released(done.seen.bytes());
        }
    }

    /** Lets go of every map being built here, for another flow to build. */
    private void releaseAll() {
        pending.forEach((version, done) -> {
            flow.released(done.seen.bytes());
            maps.unclaim(version);
        });
        pending.clear();
    }
}
