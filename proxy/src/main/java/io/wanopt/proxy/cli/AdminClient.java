package io.wanopt.proxy.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The admin commands of the CLI ({@code status}, {@code peers}, {@code flows}, {@code cache},
 * {@code logs}): sent to the running daemon over its admin socket, its answer printed. The socket is
 * {@code --socket PATH}, else {@code management.admin-socket} of {@code --config FILE} or of
 * {@value #DEFAULT_CONFIG} when that exists, else the default. Only that key is read, so an admin who
 * may not read the appliance's keys can still use the CLI.
 */
final class AdminClient {

    static final String DEFAULT_CONFIG = "/etc/wanopt/wanopt.conf";
    private static final String SOCKET_KEY = "wanopt.management.admin-socket";
    private static final long WATCH_INTERVAL_MILLIS = 2000;
    private static final long PROGRESS_POLL_MILLIS = 1000;

    private AdminClient() {
    }

    /** Runs {@code command} with {@code args}; returns the exit status. */
    static int run(String command, String[] args, PrintStream out, PrintStream err) throws IOException {
        List<String> request = new ArrayList<>(List.of(command));
        Path socket = null;
        Path config = null;
        boolean watch = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--socket", "--config" -> {
                    if (i + 1 >= args.length) {
                        err.println("wanopt " + command + ": " + args[i] + " needs a value");
                        return Main.USER_ERROR;
                    }
                    Path value = Path.of(args[++i]);
                    if (args[i - 1].equals("--socket")) {
                        socket = value;
                    } else {
                        config = value;
                    }
                }
                case "--watch" -> {
                    if (!command.equals("flows")) {
                        err.println("wanopt " + command + ": --watch is only for flows");
                        return Main.USER_ERROR;
                    }
                    watch = true;
                }
                default -> request.add(args[i]);
            }
        }
        if (socket == null) {
            socket = socketOf(config != null ? config : Path.of(DEFAULT_CONFIG), config != null);
        }
        if (command.equals("seed") && request.size() == 2 && !request.get(1).startsWith("--")) {
            // The daemon runs elsewhere: it needs the path as seen from the root.
            request.set(1, Path.of(request.get(1)).toAbsolutePath().normalize().toString());
            int status = ask(socket, request, out, err);
            return status == Main.OK ? followProgress(socket, List.of("seed", "--status"), out, err) : status;
        }
        if (request.equals(List.of("cache", "clear", "--yes"))) {
            int status = ask(socket, request, out, err);
            return status == Main.OK ? followProgress(socket, List.of("cache", "clear", "--status"), out, err) : status;
        }
        if (!watch) {
            return ask(socket, request, out, err);
        }
        while (true) {
            ByteArrayOutputStream screen = new ByteArrayOutputStream();
            int status = ask(socket, request, new PrintStream(screen, true, StandardCharsets.UTF_8), err);
            if (status != Main.OK) {
                return status;
            }
            out.print("\033[H\033[2J" + screen.toString(StandardCharsets.UTF_8));
            out.flush();
            try {
                Thread.sleep(WATCH_INTERVAL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Main.OK;
            }
        }
    }

    /**
     * Asks {@code statusRequest} every {@value #PROGRESS_POLL_MILLIS} ms and prints its line until it no
     * longer says "running": 0 when it then says "done", 1 otherwise.
     */
    private static int followProgress(Path socket, List<String> statusRequest, PrintStream out, PrintStream err) {
        while (true) {
            try {
                Thread.sleep(PROGRESS_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Main.OK;
            }
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int status = ask(socket, statusRequest, new PrintStream(line, true, StandardCharsets.UTF_8), err);
            if (status != Main.OK) {
                return status;
            }
            String progress = line.toString(StandardCharsets.UTF_8);
            out.print(progress);
            out.flush();
            if (!progress.contains(": running,")) {
                return progress.contains(": done,") ? Main.OK : Main.RUNTIME_FAILURE;
            }
        }
    }

    /** {@code management.admin-socket} of {@code config}; the default when it is not there and need not be. */
    private static Path socketOf(Path config, boolean required) throws IOException {
        Config reference = ConfigFactory.defaultReference();
        if (!Files.exists(config)) {
            if (required) {
                throw new NoSuchFileException(config.toString());
            }
            return Path.of(reference.getString(SOCKET_KEY));
        }
        try {
            Config file = ConfigFactory.parseFile(config.toFile()).withFallback(reference).resolve();
            return Path.of(file.getString(SOCKET_KEY));
        } catch (ConfigException e) {
            throw new IOException(config + ": cannot read " + SOCKET_KEY + ": " + e.getMessage(), e);
        }
    }

    /** Sends one request and prints the answer; the daemon's exit status, or 1 when it cannot be asked. */
    private static int ask(Path socket, List<String> request, PrintStream out, PrintStream err) {
        byte[] answer;
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer line = ByteBuffer.wrap((String.join("\t", request) + "\n").getBytes(StandardCharsets.UTF_8));
            while (line.hasRemaining()) {
                channel.write(line);
            }
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(64 << 10);
            while (channel.read(buffer.clear()) >= 0) {
                received.write(buffer.array(), 0, buffer.position());
            }
            answer = received.toByteArray();
        } catch (IOException e) {
            err.println("wanopt: cannot reach the appliance at " + socket + ": " + reason(e, socket));
            return Main.RUNTIME_FAILURE;
        }
        String text = new String(answer, StandardCharsets.UTF_8);
        int newline = text.indexOf('\n');
        if (!text.startsWith("exit ") || newline < 0 || !text.substring(5, newline).matches("\\d{1,3}")) {
            err.println("wanopt: the appliance at " + socket + " gave no well-formed answer");
            return Main.RUNTIME_FAILURE;
        }
        int status = Integer.parseInt(text.substring(5, newline));
        (status == Main.OK ? out : err).print(text.substring(newline + 1));
        return status;
    }

    private static String reason(IOException e, Path socket) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("Permission denied") || e instanceof AccessDeniedException) {
            return "permission denied (only root and members of the socket's group may use it: ls -l " + socket + ")";
        }
        if (message.contains("No such file") || message.contains("Connection refused")) {
            return "no appliance answers there (is `wanopt run` running with this management.admin-socket?)";
        }
        return message;
    }
}
