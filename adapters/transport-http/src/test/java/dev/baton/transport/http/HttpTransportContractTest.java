package dev.baton.transport.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.baton.transport.TaskTransport;
import dev.baton.transport.tck.ServiceAnswer;
import dev.baton.transport.tck.ServiceCall;
import dev.baton.transport.tck.ServiceScript;
import dev.baton.transport.tck.TaskTransportContractTest;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The transport contract kit run on {@link HttpTransport}, against real HTTP services on loopback. The service side
 * reads each call back from the wire format the transport documents (the JSON body and the {@code Idempotency-Key}
 * and percent-encoded {@code Baton-Correlation-Id} headers) and answers as that format says: 200 with the JSON output, 503 with
 * {@code Retry-After} in seconds, 422 with the reason, 200 with a body that is not JSON, 500 when the script throws.
 */
class HttpTransportContractTest extends TaskTransportContractTest {

    // decimals read exactly, so that the kit compares what was sent, not a Double's rounding of it
    private static final ObjectMapper WIRE = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    private final List<ExecutorService> pools = new CopyOnWriteArrayList<>();

    @Override
    protected TaskTransport transportTo(String service, ServiceScript script) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        ExecutorService pool = Executors.newCachedThreadPool();
        server.setExecutor(pool);
        server.createContext("/", exchange -> {
            try (exchange) {
                answer(exchange, script);
            }
        });
        server.start();
        servers.add(server);
        pools.add(pool);
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/tasks");
        return HttpTransport.builder().service(service, url).build();
    }

    @Override
    protected TaskTransport transportToUnreachable(String service) throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort(); // closed again at once: nothing listens there
        }
        return HttpTransport.builder().service(service, URI.create("http://127.0.0.1:" + port + "/tasks")).build();
    }

    @Override
    protected void releaseServices() {
        servers.forEach(s -> s.stop(0));
        pools.forEach(ExecutorService::shutdownNow);
        servers.clear();
        pools.clear();
    }

    private static void answer(HttpExchange exchange, ServiceScript script) throws IOException {
        Map<?, ?> body = WIRE.readValue(exchange.getRequestBody(), Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> input = (Map<String, Object>) body.get("input");
        ServiceCall call = new ServiceCall((String) body.get("runId"), (String) body.get("taskId"),
                (String) body.get("service"), (String) body.get("executionId"),
                ((Number) body.get("attempt")).intValue(), input,
                exchange.getRequestHeaders().getFirst(HttpTransport.IDEMPOTENCY_KEY),
                correlationId(exchange.getRequestHeaders().getFirst(HttpTransport.CORRELATION_ID)));
        ServiceAnswer answer;
        try {
            answer = script.answer(call);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // the service is being stopped
        } catch (RuntimeException e) {
            send(exchange, 500, "internal error: " + e.getMessage());
            return;
        }
        if (answer instanceof ServiceAnswer.Output o) {
            send(exchange, 200, WIRE.writeValueAsString(o.value()));
        } else if (answer instanceof ServiceAnswer.Unavailable u) {
            if (u.retryAfter() != null) {
                exchange.getResponseHeaders().set("Retry-After", Long.toString(u.retryAfter().getSeconds()));
            }
            send(exchange, 503, u.reason());
        } else if (answer instanceof ServiceAnswer.Rejected r) {
            send(exchange, 422, r.reason());
        } else {
            send(exchange, 200, "<html>not JSON</html>");
        }
    }

    private static String correlationId(String header) {
        return header == null ? null : HttpTransport.decodeCorrelationId(header);
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
