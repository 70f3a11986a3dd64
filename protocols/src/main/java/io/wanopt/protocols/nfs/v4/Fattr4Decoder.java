package io.wanopt.protocols.nfs.v4;

import io.wanopt.protocols.nfs.FileHandle;
import io.wanopt.protocols.nfs.NfsLimits;
import io.wanopt.protocols.nfs.NfsTime;
import io.wanopt.protocols.oncrpc.XdrReader;

/**
 * Walks an RFC 7530 §5 {@code fattr4} ({@code bitmap4 attrmask; opaque attr_vals<>}): the values are in
 * ascending attribute order without lengths, so reaching {@code size} or {@code time_modify} means
 * stepping over every attribute before it. All attributes of NFSv4.0 (0-55) can be stepped over; the
 * walk stops at a higher number (4.1 and later), which only ever comes after the ones wanopt wants. The
 * values stay inside {@code attr_vals}: a value that runs past its end is malformed.
 */
final class Fattr4Decoder {

    private static final int BOOL = 4;
    private static final int UINT32 = 4;
    private static final int UINT64 = 8;
    private static final int NFSTIME4 = 12;
    /** Encoded size of each attribute of fixed size, by number; 0 marks a variable-size one. */
    private static final int[] FIXED_SIZES = {
        0, UINT32, UINT32, UINT64, UINT64, BOOL, BOOL, BOOL, 2 * UINT64, BOOL, // 0-9
        UINT32, UINT32, 0, UINT32, BOOL, BOOL, BOOL, BOOL, BOOL, 0, // 10-19: 12 acl, 19 filehandle
        UINT64, UINT64, UINT64, UINT64, 0, BOOL, BOOL, UINT64, UINT32, UINT32, // 20-29: 24 fs_locations
        UINT64, UINT64, 0, UINT32, BOOL, UINT32, 0, 0, UINT64, UINT64, // 30-39: 32 mimetype, 36-37 owner(_group)
        UINT64, 2 * UINT32, UINT64, UINT64, UINT64, UINT64, BOOL, NFSTIME4, 0, NFSTIME4, // 40-49: 48 time_access_set
        NFSTIME4, NFSTIME4, NFSTIME4, NFSTIME4, 0, UINT64, // 50-55: 54 time_modify_set
    };
    private static final int ACL = 12;
    private static final int FS_LOCATIONS = 24;
    private static final int SUPPORTED_ATTRS = 0;
    private static final int TIME_ACCESS_SET = 48;
    private static final int SET_TO_CLIENT_TIME4 = 1;

    private Fattr4Decoder() {
    }

    static Fattr4 read(XdrReader xdr, String what, NfsLimits limits) {
        Bitmap4 mask = Bitmap4.read(xdr, what + ".attrmask", limits);
        XdrReader values = xdr.readOpaqueBody(what + ".attr_vals", Integer.MAX_VALUE);
        Integer type = null;
        Long change = null;
        Long size = null;
        FileHandle fileHandle = null;
        Long fileId = null;
        NfsTime timeMetadata = null;
        NfsTime timeModify = null;
        boolean setsTimeModify = false;
        for (int attribute = mask.next(0); attribute >= 0; attribute = mask.next(attribute + 1)) {
            if (attribute >= FIXED_SIZES.length) {
                return new Fattr4(mask, type, change, size, fileHandle, fileId, timeMetadata, timeModify,
                        setsTimeModify, false);
            }
            String name = what + " attribute " + attribute;
            switch (attribute) {
                case Fattr4.TYPE -> type = values.readInt(name);
                case Fattr4.CHANGE -> change = values.readHyper(name);
                case Fattr4.SIZE -> size = values.readHyper(name);
                case Fattr4.FILEHANDLE -> fileHandle = FileHandle.read(values, name, FileHandle.NFS4_MAX_LENGTH);
                case Fattr4.FILEID -> fileId = values.readHyper(name);
                case Fattr4.TIME_METADATA -> timeMetadata = nfstime4(values, name);
                case Fattr4.TIME_MODIFY -> timeModify = nfstime4(values, name);
                case Fattr4.TIME_MODIFY_SET -> {
                    setsTimeModify = true;
                    timeModify = settime4(values, name);
                }
                default -> skip(values, attribute, name, limits);
            }
        }
        return new Fattr4(mask, type, change, size, fileHandle, fileId, timeMetadata, timeModify, setsTimeModify, true);
    }

    static NfsTime nfstime4(XdrReader xdr, String what) {
        long seconds = xdr.readHyper(what + ".seconds");
        return new NfsTime(seconds, xdr.readUnsignedInt(what + ".nseconds"));
    }

    /** {@code settime4}: a client time, or null for "server time" (the union's default arm is void). */
    private static NfsTime settime4(XdrReader xdr, String what) {
        return xdr.readInt(what + ".set_it") == SET_TO_CLIENT_TIME4 ? nfstime4(xdr, what + ".time") : null;
    }

    private static void skip(XdrReader xdr, int attribute, String what, NfsLimits limits) {
        int size = FIXED_SIZES[attribute];
        if (size > 0) {
            xdr.skip(size, what);
            return;
        }
        switch (attribute) {
            case SUPPORTED_ATTRS -> Bitmap4.read(xdr, what, limits);
            case ACL -> skipAcl(xdr, what, limits);
            case FS_LOCATIONS -> skipFsLocations(xdr, what, limits);
            case TIME_ACCESS_SET -> settime4(xdr, what);
            // the remaining variable ones (19 filehandle is decoded, not skipped) are one opaque each
            default -> xdr.readOpaque(what, Integer.MAX_VALUE);
        }
    }

    /** {@code nfsace4<>}: type, flag, access_mask, who. */
    private static void skipAcl(XdrReader xdr, String what, NfsLimits limits) {
        int count = xdr.readCount(what + " aces", Integer.MAX_VALUE, 16);
        for (int i = 0; i < count; i++) {
            skipAce(xdr, what, limits);
        }
    }

    static void skipAce(XdrReader xdr, String what, NfsLimits limits) {
        xdr.skip(12, what + " nfsace4");
        xdr.readOpaque(what + " nfsace4.who", limits.maxNameLength());
    }

    /** {@code fs_locations4}: {@code pathname4 fs_root; fs_location4 locations<>}. */
    private static void skipFsLocations(XdrReader xdr, String what, NfsLimits limits) {
        skipPathname(xdr, what + ".fs_root");
        int count = xdr.readCount(what + ".locations", Integer.MAX_VALUE, 8);
        for (int i = 0; i < count; i++) {
            int servers = xdr.readCount(what + ".server", Integer.MAX_VALUE, 4);
            for (int s = 0; s < servers; s++) {
                xdr.readOpaque(what + ".server", Integer.MAX_VALUE);
            }
            skipPathname(xdr, what + ".rootpath");
        }
    }

    private static void skipPathname(XdrReader xdr, String what) {
        int components = xdr.readCount(what, Integer.MAX_VALUE, 4);
        for (int c = 0; c < components; c++) {
            xdr.readOpaque(what, Integer.MAX_VALUE);
        }
    }
}
