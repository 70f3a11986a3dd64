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
import java.util.Random;

/**
 * A request/answer exchange where the client half-closes before the answer: the client sends its
 * request, shuts its output down and only then, slowly, reads a long answer; the server reads to
 * the end of the request and answers with bytes that depend on it. Run as processes in network
 * namespaces ({@code server ADDRESS PORT} and {@code client HOST PORT}); the client prints the
 * SHA-256 of the answer, which {@link #expectedAnswerDigest} gives for the same request.
 */
final class HalfClosingPeers {

    static final int REQUEST_BYTES = 1 << 20;
    static final int ANSWER_BYTES = 48 << 20;
    /** How long the client waits before it reads, so the answer piles up in the path. */
    static final int CLIENT_READ_DELAY_MILLIS = 1000;

    private HalfClosingPeers() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: server ADDRESS PORT | client HOST PORT");
        }
        int port = Integer.parseInt(args[2]);
        if (args[0].equals("server")) {
            serve(new InetSocketAddress(InetAddress.getByName(args[1]), port));
        } else {
            System.out.println(fetch(new InetSocketAddress(args[1], port)));
        }
    }

    /** Answers one connection after another until killed. */
    private static void serve(InetSocketAddress address) throws IOException {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(address);
            System.out.println("listening on " + server.getLocalSocketAddress());
            while (true) {
                try (Socket connection = server.accept()) {
                    long seed = seed(connection.getInputStream().readAllBytes());
                    writeAnswer(connection.getOutputStream(), seed);
                } catch (IOException e) {
                    System.out.println("connection failed: " + e);
                }
            }
        }
    }

    private static String fetch(InetSocketAddress server) throws IOException, InterruptedException, NoSuchAlgorithmException {
        try (Socket socket = new Socket()) {
            socket.connect(server, 10_000);
            socket.setSoTimeout(60_000);
            socket.getOutputStream().write(request());
            socket.shutdownOutput();
            Thread.sleep(CLIENT_READ_DELAY_MILLIS);
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[64 << 10];
            long total = 0;
            for (int n; (n = in.read(buffer)) >= 0; total += n) {
                digest.update(buffer, 0, n);
            }
            if (total != ANSWER_BYTES) {
                throw new IOException("answer of " + total + " bytes, expected " + ANSWER_BYTES);
            }
            return HexFormat.of().formatHex(digest.digest());
        }
    }

    static byte[] request() {
        byte[] request = new byte[REQUEST_BYTES];
        new Random(11).nextBytes(request);
        return request;
    }

    static String expectedAnswerDigest() throws IOException, NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        writeAnswer(new OutputStream() {
            @Override
            public void write(int b) {
                digest.update((byte) b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                digest.update(b, off, len);
            }
        }, seed(request()));
        return HexFormat.of().formatHex(digest.digest());
    }

    private static long seed(byte[] request) {
        long seed = request.length;
        for (byte b : request) {
            seed = seed * 31 + b;
        }
        return seed;
    }

    /** Half compressible, half random, so it crosses as literals and as references alike. */
    private static void writeAnswer(OutputStream out, long seed) throws IOException {
        Random random = new Random(seed);
        byte[] block = new byte[64 << 10];
        for (int written = 0; written < ANSWER_BYTES; written += block.length) {
            if ((written / block.length) % 2 == 0) {
                random.nextBytes(block);
            } else {
                java.util.Arrays.fill(block, (byte) (written >>> 16));
            }
            out.write(block);
        }
        out.flush();
    }
}
