package dev.baton.transport.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** A real HTTP server on loopback whose answers each test scripts. */
final class FakeServer implements AutoCloseable {

    /** What one test wants the server to do. */
    @FunctionalInterface
    interface Script {
        void handle(HttpExchange exchange, byte[] body) throws IOException;
    }

    /** A request as the server received it. */
    record Received(String method, String path, com.sun.net.httpserver.Headers headers, String body) {
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private volatile Script script;

    FakeServer(Script script) throws IOException {
        this.script = script;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(pool);
        server.createContext("/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            received.add(new Received(ex.getRequestMethod(), ex.getRequestURI().getPath(), ex.getRequestHeaders(),
                    new String(body, StandardCharsets.UTF_8)));
            try {
                this.script.handle(ex, body);
            } finally {
                ex.close();
            }
        });
        server.start();
    }

    void script(Script script) {
        this.script = script;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * Answers 200 at once with the first byte of a JSON body ({@code [}), then sends nothing more until the server
     * closes (which interrupts it) or 30 s pass: a body that never ends, after headers that came in time.
     */
    static void stallAfterHeaders(HttpExchange ex) throws IOException {
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            out.write('[');
            out.flush();
            new CountDownLatch(1).await(30, TimeUnit.SECONDS); // close() interrupts it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException expected) {
            // the client gave up and closed the connection
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
