package io.wanopt.proxy.admin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The daemon's admin channel: a Unix domain socket, mode 0660, owned by the daemon's user and the
 * admin group, so the kernel lets only root and that group's members connect; there is no network
 * port. One request per connection: the CLI's arguments separated by tabs, then a newline; the
 * answer is {@code exit N}, a newline and the command's output, and the connection is closed.
 */
public final class AdminSocket implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AdminSocket.class.getName());
    /** Longest request: a command line, not data. */
    static final int MAX_REQUEST = 4096;
    /** A client that has not sent its request (or read its answer) by then is dropped. */
    private static final long CLIENT_TIMEOUT_SECONDS = 10;
    /** The file type bits of a socket in {@code unix:mode}. */
    private static final int SOCKET_TYPE = 0140000;
    private static final int TYPE_MASK = 0170000;

    private final Path path;
    private final ServerSocketChannel server;
    private final AdminCommands commands;
    private final ExecutorService workers = Executors.newFixedThreadPool(2, daemonThreads("wanopt-admin"));
    private final ScheduledExecutorService timeouts = Executors.newSingleThreadScheduledExecutor(
            daemonThreads("wanopt-admin-timeout"));
    private final Thread acceptor;

    private AdminSocket(Path path, ServerSocketChannel server, AdminCommands commands) {
        this.path = path;
        this.server = server;
        this.commands = commands;
        this.acceptor = daemonThreads("wanopt-admin-accept").newThread(this::acceptLoop);
    }

    /**
     * Binds {@code path} (its directory is created if missing), gives it mode 0660 and {@code group}
     * (empty: the daemon's own) and starts answering. A socket left by a crashed daemon is replaced;
     * one a running daemon answers on is not.
     */
    public static AdminSocket open(Path path, String group, AdminCommands commands) throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        removeStale(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
            if (!group.isEmpty()) {
                GroupPrincipal principal;
                try {
                    principal = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
                } catch (UserPrincipalNotFoundException e) {
                    throw new IOException("admin group \"" + group + "\" does not exist (groupadd " + group
                            + ", or set management.admin-group = \"\")", e);
                }
                Files.setAttribute(path, "posix:group", principal);
            }
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(path);
            throw e;
        }
        AdminSocket socket = new AdminSocket(path, server, commands);
        socket.acceptor.start();
        LOG.info(() -> "admin socket " + path + " (mode 0660" + (group.isEmpty() ? "" : ", group " + group) + ")");
        return socket;
    }

    private static void removeStale(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode");
        if ((mode & TYPE_MASK) != SOCKET_TYPE) {
            throw new IOException(path + " exists and is not a socket; not replacing it");
        }
        boolean answered;
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            answered = true;
        } catch (IOException e) {
            answered = false;
        }
        if (answered) {
            throw new IOException("another appliance answers on " + path + "; stop it first");
        }
        // Nobody listens: left by a daemon that did not stop cleanly.
        Files.delete(path);
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                workers.execute(() -> answer(client));
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.log(Level.WARNING, "admin socket accept failed: " + e.getMessage());
            }
        }
    }

    private void answer(SocketChannel client) {
        ScheduledFuture<?> timeout = timeouts.schedule(() -> closeQuietly(client), CLIENT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        try (client) {
            byte[] request = readRequest(client);
            AdminCommands.Reply reply;
            if (request == null) {
                reply = new AdminCommands.Reply(2, "request longer than " + MAX_REQUEST + " bytes or without its newline\n");
            } else {
                String line = new String(request, StandardCharsets.UTF_8);
                List<String> args = line.isEmpty() ? List.of() : Arrays.asList(line.split("\t", -1));
                try {
                    reply = commands.run(args);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "admin command " + args + " failed", e);
                    reply = new AdminCommands.Reply(1, "the appliance failed to answer: " + e + "\n");
                }
            }
            ByteBuffer answer = ByteBuffer.wrap(("exit " + reply.status() + "\n" + reply.text())
                    .getBytes(StandardCharsets.UTF_8));
            while (answer.hasRemaining()) {
                client.write(answer);
            }
        } catch (IOException e) {
            LOG.fine(() -> "admin client went away: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            timeout.cancel(false);
        }
    }

    /** The request line without its newline, or null when it is too long or the client stopped before it. */
    private static byte[] readRequest(SocketChannel client) throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(512);
        while (request.size() <= MAX_REQUEST) {
            buffer.clear();
            int read = client.read(buffer);
            if (read < 0) {
                return null;
            }
            for (int i = 0; i < read; i++) {
                byte b = buffer.get(i);
                if (b == '\n') {
                    return request.toByteArray();
                }
                request.write(b);
            }
        }
        return null;
    }

    private static void closeQuietly(SocketChannel client) {
        try {
            client.close();
        } catch (IOException e) {
            // already gone
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    public Path path() {
        return path;
    }

    /** Stops answering and removes the socket file. */
    @Override
    public void close() throws IOException {
        server.close();
        workers.shutdownNow();
        timeouts.shutdownNow();
        Files.deleteIfExists(path);
    }
}
