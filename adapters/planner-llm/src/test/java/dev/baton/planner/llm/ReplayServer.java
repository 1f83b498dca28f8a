package dev.baton.planner.llm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A chat-completions endpoint on loopback that replays recorded replies in order and records every request; made with
 * a responder, it answers each request past the recorded replies from what the request holds.
 */
final class ReplayServer implements AutoCloseable {

    /** One recorded reply. */
    record Reply(int status, Map<String, String> headers, String body, boolean hang, boolean trickle) {
    }

    /** One received request. */
    record Received(String path, String authorization, String body) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Reply> replies = new ConcurrentLinkedQueue<>();
    final List<Received> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final Function<Received, Reply> responder;

    ReplayServer() throws IOException {
        this(null);
    }

    /** @param responder answers a request once no recorded reply is left; {@code null} for HTTP 500 */
    ReplayServer(Function<Received, Reply> responder) throws IOException {
        this.responder = responder;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    }

    ReplayServer reply(String content) {
        return replyRaw(200, Map.of(), completion(content));
    }

    /** A chat completion whose message content is the given text. */
    static Reply ok(String content) {
        return new Reply(200, Map.of(), completion(content), false, false);
    }

    ReplayServer replyRaw(int status, Map<String, String> headers, String body) {
        replies.add(new Reply(status, headers, body, false, false));
        return this;
    }

    /** The next request gets no answer until the server closes. */
    ReplayServer hang() {
        replies.add(new Reply(0, Map.of(), "", true, false));
        return this;
    }

    /** The next request gets its headers and the start of a body, then nothing more until the server closes. */
    ReplayServer trickle() {
        replies.add(new Reply(200, Map.of(), "{\"choices\": [", false, true));
        return this;
    }

    static String completion(String content) {
        try {
            return MAPPER.writeValueAsString(Map.of("id", "chatcmpl-1", "object", "chat.completion", "model", "test-model",
                    "choices", List.of(Map.of("index", 0, "finish_reason", "stop",
                            "message", Map.of("role", "assistant", "content", content)))));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Received received = new Received(ex.getRequestURI().getPath(), ex.getRequestHeaders().getFirst("Authorization"),
                body);
        requests.add(received);
        Reply r = replies.poll();
        if (r == null && responder != null) {
            r = responder.apply(received);
        }
        if (r == null) {
            r = new Reply(500, Map.of(), "{\"error\":\"no recorded reply left\"}", false, false);
        }
        if (r.trickle()) {
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write(r.body().getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        if (r.hang() || r.trickle()) {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
            return;
        }
        byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
        r.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(r.status(), bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
