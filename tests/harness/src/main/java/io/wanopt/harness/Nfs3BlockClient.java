package io.wanopt.harness;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

/**
 * A small NFSv3 client over one TCP connection, for what libnfs's tools cannot do: LOOKUP, GETATTR
 * and READ at any offset and size, call after call on the same connection, and WRITE (a second
 * client changing a file through the server, so that the server's own caches know). The export's root handle
 * comes from a MOUNT v3 MNT call on its own short connection. One call at a time, AUTH_SYS as root
 * (the harness's ganesha exports with {@code SecType = sys} and no root squash). Not thread-safe.
 *
 * <p>Written from RFC 5531 (ONC RPC, record marking in §11) and RFC 1813 (NFSv3 and MOUNT v3), on
 * purpose independent of the project's own parsers, which tests use this client to check. Every
 * length read off the wire is checked against a cap; every failure is an IOException naming the
 * procedure, the xid and the status. A call that times out or gets a reply it cannot frame closes the
 * connection (what arrives next could not be matched to a call); error statuses leave it usable.
 */
public final class Nfs3BlockClient implements AutoCloseable {

    /** The export path of an {@link NfsServer}. */
    public static final String EXPORT = "/export";
    /** Largest READ count this client asks for (a reply is at most this plus {@link #REPLY_OVERHEAD}) and largest WRITE. */
    public static final int MAX_TRANSFER = 4 << 20;

    private static final int REPLY_OVERHEAD = 4096;
    /** Replies to anything but READ are small (fattr3 twice, handles, verifier). */
    private static final int MAX_SMALL_REPLY = 8192;
    private static final int MAX_FRAGMENTS = 1024;
    private static final int LAST_FRAGMENT = 0x8000_0000;
    private static final int NFS3_FHSIZE = 64;
    private static final int MNTPATHLEN = 1024;
    private static final int MAX_NAME = 255;
    private static final int MAX_AUTH_BODY = 400;
    private static final int MAX_AUTH_FLAVORS = 64;

    private static final int MOUNT_PROGRAM = 100005;
    private static final int MOUNT_VERSION = 3;
    private static final int MOUNTPROC3_MNT = 1;
    private static final int NFS_PROGRAM = 100003;
    private static final int NFS_VERSION = 3;
    private static final int NFSPROC3_GETATTR = 1;
    private static final int NFSPROC3_LOOKUP = 3;
    private static final int NFSPROC3_READ = 6;
    private static final int NFSPROC3_WRITE = 7;
    private static final int FILE_SYNC = 2;

    private static final int RPC_VERSION = 2;
    private static final int CALL = 0;
    private static final int REPLY = 1;
    private static final int MSG_ACCEPTED = 0;
    private static final int AUTH_NONE = 0;
    private static final int AUTH_SYS = 1;
    private static final String MACHINE_NAME = "wanopt-test";

    private static final Map<Integer, String> NFS3_STATUS = Map.ofEntries(Map.entry(1, "NFS3ERR_PERM"),
            Map.entry(2, "NFS3ERR_NOENT"), Map.entry(5, "NFS3ERR_IO"), Map.entry(6, "NFS3ERR_NXIO"),
            Map.entry(13, "NFS3ERR_ACCES"), Map.entry(20, "NFS3ERR_NOTDIR"), Map.entry(21, "NFS3ERR_ISDIR"),
            Map.entry(22, "NFS3ERR_INVAL"), Map.entry(27, "NFS3ERR_FBIG"), Map.entry(63, "NFS3ERR_NAMETOOLONG"),
            Map.entry(70, "NFS3ERR_STALE"), Map.entry(10001, "NFS3ERR_BADHANDLE"), Map.entry(10004, "NFS3ERR_NOTSUPP"),
            Map.entry(10005, "NFS3ERR_TOOSMALL"), Map.entry(10006, "NFS3ERR_SERVERFAULT"),
            Map.entry(10007, "NFS3ERR_BADTYPE"), Map.entry(10008, "NFS3ERR_JUKEBOX"));
    private static final Map<Integer, String> MOUNT3_STATUS = Map.of(1, "MNT3ERR_PERM", 2, "MNT3ERR_NOENT",
            5, "MNT3ERR_IO", 13, "MNT3ERR_ACCES", 20, "MNT3ERR_NOTDIR", 22, "MNT3ERR_INVAL", 63, "MNT3ERR_NAMETOOLONG",
            10004, "MNT3ERR_NOTSUPP", 10006, "MNT3ERR_SERVERFAULT");
    private static final String[] ACCEPT_STAT = {"SUCCESS", "PROG_UNAVAIL", "PROG_MISMATCH", "PROC_UNAVAIL",
        "GARBAGE_ARGS", "SYSTEM_ERR"};

    /** An NFSv3 file handle ({@code nfs_fh3}, at most 64 bytes). */
    public record Handle(byte[] bytes) {
        @Override
        public String toString() {
            return HexFormat.of().formatHex(bytes);
        }
    }

    /** What the tests need of {@code fattr3}. */
    public record Attributes(long size, long fileId, long mtimeSeconds, long mtimeNanos) {
    }

    /**
     * A READ result: the data, the server's end-of-file flag, and the file's attributes after the
     * read (null when the server sent none).
     */
    public record ReadReply(byte[] data, boolean eof, Attributes attributes) {
    }

    private final RpcConnection nfs;
    private final Handle root;

    private Nfs3BlockClient(RpcConnection nfs, Handle root) {
        this.nfs = nfs;
        this.root = root;
    }

    /**
     * Mounts {@code exportPath} through {@code mount} (MOUNT v3 MNT, then that connection is closed) and
     * connects to {@code nfs}; {@code timeout} bounds connecting and every wait for a reply.
     */
    public static Nfs3BlockClient connect(InetSocketAddress nfs, InetSocketAddress mount, String exportPath,
            Duration timeout) throws IOException {
        Handle root;
        try (RpcConnection mountConnection = new RpcConnection(mount, timeout)) {
            Xdr args = new Xdr().string(exportPath, MNTPATHLEN);
            Reply reply = mountConnection.call(MOUNT_PROGRAM, MOUNT_VERSION, MOUNTPROC3_MNT, "MOUNT3 MNT", args,
                    MAX_SMALL_REPLY);
            int status = reply.body.u32();
            if (status != 0) {
                throw reply.failure(MOUNT3_STATUS.getOrDefault(status, "MNT3ERR_" + status) + " for " + exportPath);
            }
            root = new Handle(reply.body.opaque(NFS3_FHSIZE));
            int flavors = reply.body.count(MAX_AUTH_FLAVORS, 4);
            reply.body.skip(4L * flavors);
        }
        RpcConnection connection = new RpcConnection(nfs, timeout);
        return new Nfs3BlockClient(connection, root);
    }

    /** LOOKUP of {@code name} in the export's root directory. */
    public Handle lookup(String name) throws IOException {
        Xdr args = new Xdr().opaque(root.bytes()).string(name, MAX_NAME);
        Reply reply = nfs.call(NFS_PROGRAM, NFS_VERSION, NFSPROC3_LOOKUP, "NFS3 LOOKUP " + name, args, MAX_SMALL_REPLY);
        reply.requireNfsOk();
        return new Handle(reply.body.opaque(NFS3_FHSIZE));
    }

    /** GETATTR of {@code file}. */
    public Attributes getattr(Handle file) throws IOException {
        Reply reply = nfs.call(NFS_PROGRAM, NFS_VERSION, NFSPROC3_GETATTR, "NFS3 GETATTR",
                new Xdr().opaque(file.bytes()), MAX_SMALL_REPLY);
        reply.requireNfsOk();
        return reply.attributes();
    }

    /**
     * READ of up to {@code count} bytes of {@code file} from {@code offset}; the server may return fewer
     * (its maximum read size, or the end of the file).
     */
    public ReadReply read(Handle file, long offset, int count) throws IOException {
        if (count < 0 || count > MAX_TRANSFER) {
            throw new IllegalArgumentException("READ count " + count + " not in 0.." + MAX_TRANSFER);
        }
        Xdr args = new Xdr().opaque(file.bytes()).u64(offset).u32(count);
        Reply reply = nfs.call(NFS_PROGRAM, NFS_VERSION, NFSPROC3_READ, "NFS3 READ offset " + offset + " count " + count,
                args, count + REPLY_OVERHEAD);
        reply.requireNfsOk();
        Attributes attributes = reply.postOpAttributes();
        long returned = reply.body.u32() & 0xFFFF_FFFFL;
        boolean eof = reply.body.bool();
        byte[] data = reply.body.opaque(count);
        if (returned != data.length) {
            throw reply.failure("count " + returned + " differs from the data length " + data.length);
        }
        return new ReadReply(data, eof, attributes);
    }

    /**
     * WRITE of {@code data} to {@code file} at {@code offset}, FILE_SYNC; returns how many bytes the
     * server wrote (it may write fewer, e.g. its maximum write size).
     */
    public int write(Handle file, long offset, byte[] data) throws IOException {
        if (data.length > MAX_TRANSFER) {
            throw new IllegalArgumentException("WRITE of " + data.length + " bytes, at most " + MAX_TRANSFER);
        }
        Xdr args = new Xdr().opaque(file.bytes()).u64(offset).u32(data.length).u32(FILE_SYNC).opaque(data);
        Reply reply = nfs.call(NFS_PROGRAM, NFS_VERSION, NFSPROC3_WRITE,
                "NFS3 WRITE offset " + offset + " count " + data.length, args, MAX_SMALL_REPLY);
        reply.requireNfsOk();
        if (reply.body.bool()) {
            reply.body.skip(8 + 8 + 8); // pre-op size, mtime, ctime
        }
        reply.postOpAttributes();
        int written = reply.body.u32();
        if (written < 0 || written > data.length) {
            throw reply.failure("server wrote " + Integer.toUnsignedString(written) + " of " + data.length + " bytes");
        }
        return written;
    }

    @Override
    public void close() throws IOException {
        nfs.close();
    }

    /** One TCP connection carrying one RPC call at a time, in record marking. */
    private static final class RpcConnection implements AutoCloseable {

        private final InetSocketAddress address;
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;
        private final Duration timeout;
        private int nextXid = (int) System.nanoTime();

        RpcConnection(InetSocketAddress address, Duration timeout) throws IOException {
            this.address = address;
            this.timeout = timeout;
            this.socket = new Socket();
            try {
                socket.connect(address, Math.toIntExact(timeout.toMillis()));
                socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
                socket.setTcpNoDelay(true);
                in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
                out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            } catch (IOException e) {
                socket.close();
                throw new IOException("cannot connect to " + address + ": " + e.getMessage(), e);
            }
        }

        /** Sends a call and returns its accepted, successful reply with the body positioned at the results. */
        Reply call(int program, int version, int procedure, String what, Xdr args, int maxReply) throws IOException {
            int xid = nextXid++;
            Xdr call = new Xdr().u32(xid).u32(CALL).u32(RPC_VERSION).u32(program).u32(version).u32(procedure);
            Xdr credentials = new Xdr().u32((int) (System.currentTimeMillis() / 1000)).string(MACHINE_NAME, 255)
                    .u32(0).u32(0).u32(0);
            call.u32(AUTH_SYS).opaque(credentials.bytes()).u32(AUTH_NONE).u32(0).append(args);
            byte[] message = call.bytes();
            try {
                DataOutputStream data = new DataOutputStream(out);
                data.writeInt(LAST_FRAGMENT | message.length);
                data.write(message);
                data.flush();
                Reply reply = new Reply(what, xid, new XdrReader(readRecord(maxReply), what, xid));
                reply.checkHeader();
                return reply;
            } catch (SocketTimeoutException e) {
                socket.close();
                throw new IOException(what + " (xid " + hex(xid) + ") to " + address + ": no reply within " + timeout, e);
            } catch (EOFException e) {
                socket.close();
                throw new IOException(what + " (xid " + hex(xid) + ") to " + address + ": connection closed by the server",
                        e);
            } catch (RecordTooLongException e) {
                socket.close();
                throw new IOException(what + " (xid " + hex(xid) + ") to " + address + ": " + e.getMessage(), e);
            }
        }

        /** One record: fragments until the last, together at most {@code maxLength} bytes. */
        private byte[] readRecord(int maxLength) throws IOException {
            ByteArrayOutputStream record = new ByteArrayOutputStream();
            for (int fragments = 1; ; fragments++) {
                int header = in.readInt();
                int length = header & ~LAST_FRAGMENT;
                if (length > maxLength - record.size()) {
                    throw new RecordTooLongException("reply record longer than " + maxLength + " bytes (fragment of "
                            + length + " after " + record.size() + ")");
                }
                byte[] fragment = new byte[length];
                in.readFully(fragment);
                record.write(fragment);
                if ((header & LAST_FRAGMENT) != 0) {
                    return record.toByteArray();
                }
                if (fragments == MAX_FRAGMENTS) {
                    throw new RecordTooLongException("reply record of more than " + MAX_FRAGMENTS + " fragments");
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** A reply record over its cap: the rest of it is still unread on the connection. */
    private static final class RecordTooLongException extends IOException {
        RecordTooLongException(String message) {
            super(message);
        }
    }

    /** A reply to one call: its header checked, then its results read in order. */
    private static final class Reply {

        final String what;
        final int xid;
        final XdrReader body;

        Reply(String what, int xid, XdrReader body) {
            this.what = what;
            this.xid = xid;
            this.body = body;
        }

        void checkHeader() throws IOException {
            int replyXid = body.u32();
            if (replyXid != xid) {
                throw failure("reply carries xid " + hex(replyXid));
            }
            if (body.u32() != REPLY) {
                throw failure("not a REPLY message");
            }
            int replyStat = body.u32();
            if (replyStat != MSG_ACCEPTED) {
                int rejectStat = body.u32();
                throw failure("call denied: " + (rejectStat == 0 ? "RPC_MISMATCH" : "AUTH_ERROR " + body.u32()));
            }
            body.u32(); // verifier flavor: nothing to check for AUTH_SYS calls
            body.opaque(MAX_AUTH_BODY);
            int acceptStat = body.u32();
            if (acceptStat != 0) {
                throw failure(acceptStat < ACCEPT_STAT.length ? ACCEPT_STAT[acceptStat] : "accept_stat " + acceptStat);
            }
        }

        /** Reads {@code nfsstat3}; anything but NFS3_OK is an error. */
        void requireNfsOk() throws IOException {
            int status = body.u32();
            if (status != 0) {
                throw failure(NFS3_STATUS.getOrDefault(status, "NFS3ERR_" + status) + " (" + status + ")");
            }
        }

        /** {@code post_op_attr}: attributes or null. */
        Attributes postOpAttributes() throws IOException {
            return body.bool() ? attributes() : null;
        }

        /** {@code fattr3} (RFC 1813 §2.6). */
        Attributes attributes() throws IOException {
            body.skip(5 * 4); // type, mode, nlink, uid, gid
            long size = body.u64();
            body.skip(8 + 8 + 8); // used, rdev, fsid
            long fileId = body.u64();
            body.skip(8); // atime
            long mtimeSeconds = body.u32() & 0xFFFF_FFFFL;
            long mtimeNanos = body.u32() & 0xFFFF_FFFFL;
            body.skip(8); // ctime
            return new Attributes(size, fileId, mtimeSeconds, mtimeNanos);
        }

        IOException failure(String problem) {
            return new IOException(what + " (xid " + hex(xid) + "): " + problem);
        }
    }

    /** XDR encoding of call arguments (RFC 4506): big-endian 4-byte units, opaques padded to 4. */
    private static final class Xdr {

        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Xdr u32(int value) {
            bytes.write(value >>> 24);
            bytes.write(value >>> 16);
            bytes.write(value >>> 8);
            bytes.write(value);
            return this;
        }

        Xdr u64(long value) {
            return u32((int) (value >>> 32)).u32((int) value);
        }

        Xdr opaque(byte[] value) {
            u32(value.length);
            bytes.writeBytes(value);
            bytes.writeBytes(new byte[(4 - value.length % 4) % 4]);
            return this;
        }

        Xdr string(String value, int maxLength) {
            byte[] encoded = value.getBytes(StandardCharsets.UTF_8);
            if (encoded.length > maxLength) {
                throw new IllegalArgumentException("longer than " + maxLength + " bytes: " + value);
            }
            return opaque(encoded);
        }

        Xdr append(Xdr other) {
            bytes.writeBytes(other.bytes());
            return this;
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }

    /** XDR decoding of one reply record; reading past its end or a length over its cap is an IOException. */
    private static final class XdrReader {

        private final byte[] record;
        private final String what;
        private final int xid;
        private int position;

        XdrReader(byte[] record, String what, int xid) {
            this.record = record;
            this.what = what;
            this.xid = xid;
        }

        int u32() throws IOException {
            require(4);
            int value = ((record[position] & 0xFF) << 24) | ((record[position + 1] & 0xFF) << 16)
                    | ((record[position + 2] & 0xFF) << 8) | (record[position + 3] & 0xFF);
            position += 4;
            return value;
        }

        long u64() throws IOException {
            return ((long) u32() << 32) | (u32() & 0xFFFF_FFFFL);
        }

        boolean bool() throws IOException {
            int value = u32();
            if (value != 0 && value != 1) {
                throw malformed("bool " + value);
            }
            return value == 1;
        }

        /** A variable-length opaque of at most {@code maxLength} bytes, with its padding. */
        byte[] opaque(int maxLength) throws IOException {
            int length = u32();
            if (length < 0 || length > maxLength) {
                throw malformed("opaque of " + Integer.toUnsignedString(length) + " bytes, at most " + maxLength
                        + " expected");
            }
            int padded = length + (4 - length % 4) % 4;
            require(padded);
            byte[] value = Arrays.copyOfRange(record, position, position + length);
            position += padded;
            return value;
        }

        /** An array length, at most {@code max} and no more elements of {@code elementBytes} than remain. */
        int count(int max, int elementBytes) throws IOException {
            int count = u32();
            if (count < 0 || count > max || (long) count * elementBytes > record.length - position) {
                throw malformed("array of " + Integer.toUnsignedString(count) + " elements");
            }
            return count;
        }

        void skip(long bytes) throws IOException {
            require(bytes);
            position += (int) bytes;
        }

        private void require(long bytes) throws IOException {
            if (bytes > record.length - position) {
                throw malformed("reply ends after " + record.length + " bytes, " + bytes + " more needed at " + position);
            }
        }

        private IOException malformed(String problem) {
            return new IOException(what + " (xid " + hex(xid) + "): malformed reply: " + problem);
        }
    }

    private static String hex(int xid) {
        return "0x" + Integer.toHexString(xid);
    }
}
