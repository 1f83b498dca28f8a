package dev.baton.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small HTTP binding for {@link IdempotentService}s on the JDK's {@code HttpServer}, speaking the HTTP transport's
 * wire format: {@code POST /<service>} with the JSON body {@code {"runId","taskId","executionId","attempt","service",
 * "input"}} answers {@code 200} with the output as JSON; a retryable {@link ServiceException} or any other failure
 * (an {@code Error}, an output that is not JSON) answers {@code 503}, a non-retryable one {@code 422}, a malformed
 * request or one over 8 MiB {@code 400}, a path other than the service's own {@code 404} (all with
 * {@code {"error": "..."}}). {@code GET /health} answers {@code 200} while the server runs. An
 * {@code Idempotency-Key} header, when present, must equal the body's execution id.
 *
 * <p>For examples and tests: it binds loopback by default and runs handlers on a fixed pool it owns and shuts down in
 * {@link #close()}. Thread-safe.
 */
public final class ServiceHttpServer implements AutoCloseable {

    /**
     * Reads one JSON document: a body with more after its object is malformed, not a request. Decimals are read
     * exactly (a Double only where it is exact).
     */
    // No key is kept: Jackson's factory would otherwise hold every distinct key its parsers met, in a table shared
    // by every later body (thousands of keys of up to 50,000 characters, hundreds of MB from hostile peers).
    static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .disable(com.fasterxml.jackson.core.JsonFactory.Feature.CANONICALIZE_FIELD_NAMES).build())
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .registerModule(ExactDecimals.MODULE);
    private static final int MAX_REQUEST_BYTES = 8 * 1024 * 1024;
    /** How much of a too large body is read and dropped before answering; past it the connection is closed. */
    private static final long MAX_DRAINED_BYTES = 64L * 1024 * 1024;

    private final HttpServer server;
    private final ExecutorService pool;

    private ServiceHttpServer(Builder b) throws IOException {
        this.server = HttpServer.create(b.address, 64);
        this.pool = Executors.newFixedThreadPool(b.threads, r -> {
            Thread t = new Thread(r, "baton-service-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        for (Map.Entry<String, IdempotentService> e : b.services.entrySet()) {
            server.createContext("/" + e.getKey(), handler(e.getKey(), e.getValue()));
        }
        server.createContext("/health", ex -> respond(ex, 200, Map.of("status", "UP")));
        server.start();
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * An HTTP handler that decodes the wire format, runs the service and encodes the answer; for embedding in a
     * server of your own.
     *
     * @param serviceName the service name expected in requests
     * @param service     the service
     * @return the handler
     */
    public static HttpHandler handler(String serviceName, IdempotentService service) {
        Objects.requireNonNull(serviceName, "serviceName");
        Objects.requireNonNull(service, "service");
        return exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                String context = exchange.getHttpContext().getPath();
                // the JDK server hands a context every path it prefixes: /orders-v2 is not /orders
                if (!path.equals(context) && !path.equals(context + "/")) {
                    respond(exchange, 404, Map.of("error", "no service at " + path));
                    return;
                }
                if (!"POST".equals(exchange.getRequestMethod())) {
                    respond(exchange, 405, Map.of("error", "use POST"));
                    return;
                }
                ServiceRequest request;
                try {
                    String correlation = exchange.getRequestHeaders().getFirst("Baton-Correlation-Id");
                    request = readRequest(exchange.getRequestBody(),
                            correlation == null ? null : decodeCorrelationId(correlation));
                } catch (IllegalArgumentException e) {
                    respond(exchange, 400, Map.of("error", e.getMessage()));
                    return;
                }
                String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
                if (key != null && !key.equals(request.executionId())) {
                    respond(exchange, 400, Map.of("error", "Idempotency-Key does not match executionId"));
                    return;
                }
                byte[] output;
                try {
                    output = JSON.writeValueAsBytes(service.execute(request));
                } catch (ServiceException e) {
                    respond(exchange, e.retryable() ? 503 : 422, Map.of("error", String.valueOf(e.getMessage())));
                    return;
                } catch (JsonProcessingException e) {
                    respond(exchange, 503, Map.of("error", "the service's output is not JSON"));
                    return;
                } catch (RuntimeException | Error e) {
                    // any other failure is a 503 too, not a dropped connection; an Error still reaches its thread
                    respond(exchange, 503, Map.of("error", "the service failed: " + e.getClass().getName()));
                    if (e instanceof Error error) {
                        throw error;
                    }
                    return;
                }
                respondBytes(exchange, 200, output);
            }
        };
    }

    /**
     * The correlation id a {@code Baton-Correlation-Id} header carries. Baton's HTTP transport sends the id as UTF-8
     * with every byte outside visible ASCII, and {@code %} itself, as {@code %XX}, so that any id fits a header; this
     * undoes that. A {@code %} not followed by two hex digits (from a sender that does not encode) is kept as it is,
     * {@code +} stays {@code +}, and bytes that are not UTF-8 read as U+FFFD.
     *
     * @param headerValue the header's value
     * @return the correlation id
     */
    public static String decodeCorrelationId(String headerValue) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(headerValue.length());
        int plain = 0; // start of the characters copied as they are: whole runs, so a surrogate pair stays whole
        for (int i = 0; i + 2 < headerValue.length(); i++) {
            int hi = headerValue.charAt(i) == '%' ? hex(headerValue.charAt(i + 1)) : -1;
            int lo = hi < 0 ? -1 : hex(headerValue.charAt(i + 2));
            if (lo >= 0) {
                bytes.writeBytes(headerValue.substring(plain, i).getBytes(StandardCharsets.UTF_8));
                bytes.write(hi << 4 | lo);
                i += 2;
                plain = i + 1;
            }
        }
        if (plain == 0) {
            return headerValue; // nothing encoded: the common case, an ASCII id
        }
        bytes.writeBytes(headerValue.substring(plain).getBytes(StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** An ASCII hex digit's value, else -1 (not Character.digit, which takes other scripts' digits too). */
    private static int hex(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    }

    /**
     * Decodes a wire body.
     *
     * @param body          the request body
     * @param correlationId the correlation id, decoded ({@link #decodeCorrelationId}), or {@code null}
     * @return the request
     * @throws IllegalArgumentException when the body is not a valid wire body
     * @throws IOException              when reading fails
     */
    @SuppressWarnings("unchecked")
    public static ServiceRequest readRequest(InputStream body, String correlationId) throws IOException {
        byte[] bytes = body.readNBytes(MAX_REQUEST_BYTES + 1);
        if (bytes.length > MAX_REQUEST_BYTES) {
            // read the rest (up to a bound) so that the client sees the 400 rather than a reset connection
            // (read, not skip: skipping the JDK server's body stream stalled instead of reaching its end)
            byte[] sink = new byte[8192];
            long left = MAX_DRAINED_BYTES;
            for (int n; left > 0 && (n = body.read(sink, 0, (int) Math.min(sink.length, left))) >= 0; ) {
                left -= n;
            }
            throw new IllegalArgumentException("request body too large: more than " + MAX_REQUEST_BYTES + " bytes");
        }
        Map<String, Object> m;
        try {
            m = JSON.readValue(bytes, Map.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("request body is not a JSON object");
        }
        if (m == null) {
            throw new IllegalArgumentException("request body is not a JSON object");
        }
        Object input = m.get("input");
        Object attempt = m.get("attempt");
        if (!(input instanceof Map) || !(attempt instanceof Number)) {
            throw new IllegalArgumentException("request body needs an object 'input' and a number 'attempt'");
        }
        try {
            return new ServiceRequest(str(m, "runId"), str(m, "taskId"), str(m, "executionId"),
                    ((Number) attempt).intValue(), str(m, "service"), (Map<String, Object>) input, correlationId);
        } catch (NullPointerException e) {
            throw new IllegalArgumentException("request body misses a field: " + e.getMessage());
        }
    }

    private static String str(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("request body needs a string '" + key + "'");
        }
        return s;
    }

    private static void respond(HttpExchange exchange, int status, Object body) throws IOException {
        respondBytes(exchange, status, JSON.writeValueAsBytes(body));
    }

    private static void respondBytes(HttpExchange exchange, int status, byte[] bytes) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** @return the port the server listens on */
    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * @param service a service name
     * @return the URL the transport should POST that service's attempts to
     */
    public URI uri(String service) {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":" + port() + "/"
                + service);
    }

    /** Stops the server at once and its handler threads. Idempotent. */
    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }

    @Override
    public String toString() {
        return "ServiceHttpServer[" + server.getAddress() + "]";
    }

    /**
     * Builds and starts a {@link ServiceHttpServer}. Not thread-safe.
     */
    public static final class Builder {
        private final Map<String, IdempotentService> services = new LinkedHashMap<>();
        private InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        private int threads = 8;

        private Builder() {
        }

        /**
         * @param name    the service name; served at {@code /<name>}
         * @param service the service
         * @return this builder
         */
        public Builder service(String name, IdempotentService service) {
            Objects.requireNonNull(name, "name");
            if (name.isEmpty() || name.contains("/") || name.equals("health")) {
                throw new IllegalArgumentException("service name must be a non-empty path segment other than "
                        + "'health', was '" + name + "'");
            }
            services.put(name, Objects.requireNonNull(service, "service"));
            return this;
        }

        /**
         * @param address where to listen; default loopback on a free port
         * @return this builder
         */
        public Builder address(InetSocketAddress address) {
            this.address = Objects.requireNonNull(address, "address");
            return this;
        }

        /**
         * @param threads handler threads; at least 1; default 8
         * @return this builder
         */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, was " + threads);
            }
            this.threads = threads;
            return this;
        }

        /**
         * @return the started server
         * @throws IOException when the address cannot be bound
         */
        public ServiceHttpServer start() throws IOException {
            return new ServiceHttpServer(this);
        }
    }
}
