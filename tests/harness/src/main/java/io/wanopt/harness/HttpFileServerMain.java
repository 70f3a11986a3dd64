package io.wanopt.harness;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The process behind {@link HttpFileServer}: a plain HTTP/1.1 file server (JDK {@code com.sun.net.httpserver})
 * for the files directly in one directory. {@code GET /} lists the file names, one a line; {@code GET|HEAD /NAME}
 * sends a file; {@code PUT /NAME} stores the request body as NAME (written to a temporary name first, then
 * renamed, so a reader never sees half a file). Runs until killed.
 *
 * <p>Usage: {@code java -cp HARNESS io.wanopt.harness.HttpFileServerMain ADDRESS PORT DIRECTORY}
 */
public final class HttpFileServerMain {

    private static final int BACKLOG = 64;
    private static final int WORKER_THREADS = 8;

    private HttpFileServerMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: HttpFileServerMain ADDRESS PORT DIRECTORY");
            System.exit(2);
        }
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
        Path root = Path.of(args[2]).toAbsolutePath().normalize();
        HttpServer server = HttpServer.create(address, BACKLOG);
        server.createContext("/", exchange -> {
            try (exchange) {
                handle(exchange, root);
            } catch (IOException | RuntimeException e) {
                System.err.println(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " failed: " + e);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(WORKER_THREADS));
        server.start();
        System.out.println("serving " + root + " on http://" + args[0] + ":" + server.getAddress().getPort() + "/");
    }

    private static void handle(HttpExchange exchange, Path root) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/") && (method.equals("GET") || method.equals("HEAD"))) {
            String listing;
            try (Stream<Path> files = Files.list(root)) {
                listing = files.filter(Files::isRegularFile).map(file -> file.getFileName() + "\n").sorted()
                        .collect(Collectors.joining());
            }
            send(exchange, 200, listing);
            return;
        }
        Path file = root.resolve(path.substring(1)).normalize();
        // one level only: no directories, no way out of the root
        if (path.length() < 2 || !root.equals(file.getParent())) {
            send(exchange, 404, "not a file of this server: " + path + "\n");
            return;
        }
        switch (method) {
            case "GET", "HEAD" -> {
                if (!Files.isRegularFile(file)) {
                    send(exchange, 404, "no such file: " + path + "\n");
                    return;
                }
                long size = Files.size(file);
                exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
                if (method.equals("HEAD")) {
                    exchange.getResponseHeaders().set("Content-Length", Long.toString(size));
                    exchange.sendResponseHeaders(200, -1);
                    return;
                }
                // 0 means chunked to this API: an empty file gets no body at all instead
                exchange.sendResponseHeaders(200, size == 0 ? -1 : size);
                try (OutputStream body = exchange.getResponseBody()) {
                    Files.copy(file, body);
                }
            }
            case "PUT" -> {
                Path partial = Files.createTempFile(root, ".upload-", ".part");
                try {
                    Files.copy(exchange.getRequestBody(), partial, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(partial);
                }
                send(exchange, 201, "stored " + path + "\n");
            }
            default -> {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD, PUT");
                send(exchange, 405, "method not allowed: " + method + "\n");
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream body = exchange.getResponseBody()) {
            body.write(bytes);
        }
    }
}
