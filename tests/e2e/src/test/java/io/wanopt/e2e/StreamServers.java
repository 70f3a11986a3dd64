package io.wanopt.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Plain blocking TCP servers on loopback, the far end of a flow: a sink that hashes what it gets
 * and answers with the SHA-256 when the client half-closes, and a source that sends a generated
 * stream and closes.
 */
final class StreamServers {

    /** A flow that stops moving fails its test with a timeout instead of hanging the build. */
    static final int SOCKET_TIMEOUT_MILLIS = 120_000;

    private StreamServers() {
    }

    /** Makes the bytes of a test stream, piece by piece. */
    interface StreamSource {
        /** Fills {@code buffer[0, length)} with the stream's bytes from {@code position}. */
        void fill(long position, byte[] buffer, int length);
    }

    /** A running server; close stops accepting. */
    static final class Server implements AutoCloseable {
        private final ServerSocket socket;
        private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test-server");
            t.setDaemon(true);
            return t;
        });

        private Server(Handler handler) throws IOException {
            socket = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
            workers.execute(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket client = socket.accept();
                        client.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
                        workers.execute(() -> {
                            try (client) {
                                handler.handle(client);
                            } catch (IOException e) {
                                // The flow's client sees the reset; the test asserts on that side.
                            }
                        });
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            workers.shutdownNow();
        }
    }

    private interface Handler {
        void handle(Socket client) throws IOException;
    }

    /** Reads until EOF, then writes the SHA-256 of what it read (64 hex chars) and closes. */
    static Server sink() throws IOException {
        return new Server(client -> {
            MessageDigest sha = sha256();
            InputStream in = client.getInputStream();
            byte[] buffer = new byte[256 << 10];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                sha.update(buffer, 0, n);
            }
            OutputStream out = client.getOutputStream();
            out.write(HexFormat.of().formatHex(sha.digest()).getBytes());
            out.flush();
            client.shutdownOutput();
        });
    }

    /** Reads until the client half-closes, then sends {@code length} bytes of {@code source} and closes. */
    static Server source(StreamSource source, long length) throws IOException {
        return new Server(client -> {
            InputStream in = client.getInputStream();
            while (in.read() >= 0) {
                // wait for the request's end
            }
            OutputStream out = client.getOutputStream();
            forEachPiece(source, length, out::write);
            out.flush();
            client.shutdownOutput();
        });
    }

    /** Sends {@code length} bytes of {@code source} to a sink through {@code entry}; returns both SHA-256s. */
    static String[] sendToSink(InetSocketAddress entry, StreamSource source, long length) throws IOException {
        try (Socket socket = new Socket(entry.getAddress(), entry.getPort())) {
            socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
            MessageDigest sha = sha256();
            OutputStream out = socket.getOutputStream();
            forEachPiece(source, length, (buffer, offset, n) -> {
                sha.update(buffer, offset, n);
                out.write(buffer, offset, n);
            });
            out.flush();
            socket.shutdownOutput();
            String remote = new String(socket.getInputStream().readAllBytes());
            return new String[] {HexFormat.of().formatHex(sha.digest()), remote};
        }
    }

    /** Asks a source through {@code entry} for its stream; returns the SHA-256 of what arrived and its length. */
    static Object[] receiveFromSource(InetSocketAddress entry) throws IOException {
        try (Socket socket = new Socket(entry.getAddress(), entry.getPort())) {
            socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
            socket.getOutputStream().write("GET".getBytes());
            socket.shutdownOutput();
            MessageDigest sha = sha256();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[256 << 10];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) >= 0) {
                sha.update(buffer, 0, n);
                total += n;
            }
            return new Object[] {HexFormat.of().formatHex(sha.digest()), total};
        }
    }

    /** The SHA-256 of {@code length} bytes of {@code source}. */
    static String sha256Of(StreamSource source, long length) {
        MessageDigest sha = sha256();
        try {
            forEachPiece(source, length, sha::update);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Where the pieces of a generated stream go. */
    private interface PieceSink {
        void accept(byte[] buffer, int offset, int length) throws IOException;
    }

    /** Generates {@code length} bytes of {@code source} in 256 KiB pieces and hands each to {@code sink}. */
    private static void forEachPiece(StreamSource source, long length, PieceSink sink) throws IOException {
        byte[] buffer = new byte[256 << 10];
        for (long position = 0; position < length; ) {
            int n = (int) Math.min(buffer.length, length - position);
            source.fill(position, buffer, n);
            sink.accept(buffer, 0, n);
            position += n;
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
