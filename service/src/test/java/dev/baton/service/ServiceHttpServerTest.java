package dev.baton.service;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceHttpServerTest {

    private final HttpClient client = HttpClient.newHttpClient();
    private ServiceHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private HttpResponse<String> post(String service, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(service))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String wire(String executionId, int attempt) {
        return "{\"runId\":\"r\",\"taskId\":\"t\",\"executionId\":\"" + executionId + "\",\"attempt\":" + attempt
                + ",\"service\":\"orders\",\"input\":{\"id\":\"ORD1\"}}";
    }

    @Test
    void bodiesLeaveNoKeyBehindInTheSharedReader() {
        // every body a peer sends is read by one static mapper: canonicalizing, its factory would keep each distinct
        // key (up to 50,000 characters) for every later body
        assertThat(ServiceHttpServer.JSON.getFactory().isEnabled(
                com.fasterxml.jackson.core.JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)).isFalse();
    }

    @Test
    void servesTheWireFormatAndDedupes() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        server = ServiceHttpServer.builder().service("orders", IdempotentService.builder(
                r -> Map.of("order", r.input().get("id"), "n", calls.incrementAndGet())).build()).start();

        HttpResponse<String> first = post("orders", "e1", wire("e1", 1));
        HttpResponse<String> second = post("orders", "e1", wire("e1", 2));
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).contains("\"order\":\"ORD1\"").contains("\"n\":1");
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(calls).hasValue(1);
    }

    @Test
    void theCorrelationIdReachesTheHandlerDecodedAsTheTransportEncodesIt() throws Exception {
        java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        server = ServiceHttpServer.builder().service("orders", IdempotentService.builder(r -> {
            seen.add(String.valueOf(r.correlationId()));
            return Map.of();
        }).build()).start();
        String[][] cases = {
                {"%E6%B3%A8%E6%96%87-42", "\u6ce8\u6587-42"}, // UTF-8, percent-encoded
                {"plain-id_1", "plain-id_1"},
                {"100%25", "100%"},
                {"50%-off+%zz", "50%-off+%zz"}, // a % that is not an escape stays, + stays
        };
        int n = 0;
        for (String[] c : cases) {
            String id = "e" + n++;
            HttpRequest request = HttpRequest.newBuilder(server.uri("orders")).header("Content-Type", "application/json")
                    .header("Idempotency-Key", id).header("Baton-Correlation-Id", c[0])
                    .POST(HttpRequest.BodyPublishers.ofString(wire(id, 1))).build();
            assertThat(client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
        assertThat(seen).containsExactly(cases[0][1], cases[1][1], cases[2][1], cases[3][1]);
        assertThat(ServiceHttpServer.decodeCorrelationId("%4")).isEqualTo("%4");
        assertThat(ServiceHttpServer.decodeCorrelationId("%\u0663\u0663")).isEqualTo("%\u0663\u0663");
    }

    @Test
    void decimalsReachTheHandlerExactlyAndGoBackExactly() throws Exception {
        java.util.List<Object> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        server = ServiceHttpServer.builder().service("orders", IdempotentService.builder(r -> {
            seen.add(r.input().get("amount"));
            seen.add(r.input().get("rate"));
            return Map.of("amount", r.input().get("amount"));
        }).build()).start();

        HttpResponse<String> answer = post("orders", "e1", "{\"runId\":\"r\",\"taskId\":\"t\",\"executionId\":\"e1\","
                + "\"attempt\":1,\"service\":\"orders\",\"input\":{\"amount\":12345678901234567890.125,\"rate\":0.1}}");

        // before: the amount reached the handler as the Double 1.2345678901234567E19
        assertThat(seen).containsExactly(new java.math.BigDecimal("12345678901234567890.125"), 0.1);
        assertThat(answer.body()).isEqualTo("{\"amount\":12345678901234567890.125}");
    }

    @Test
    void mapsFailuresToStatuses() throws Exception {
        server = ServiceHttpServer.builder()
                .service("retry", IdempotentService.builder(r -> {
                    throw new ServiceException("busy", true);
                }).build())
                .service("reject", IdempotentService.builder(r -> {
                    throw new ServiceException("bad order", false);
                }).build())
                .start();
        assertThat(post("retry", null, wire("a", 1)).statusCode()).isEqualTo(503);
        HttpResponse<String> rejected = post("reject", null, wire("b", 1));
        assertThat(rejected.statusCode()).isEqualTo(422);
        assertThat(rejected.body()).contains("bad order");
        assertThat(post("reject", null, "{nope").statusCode()).isEqualTo(400);
        assertThat(post("reject", "other", wire("b", 1)).statusCode()).isEqualTo(400);
        HttpResponse<String> health = client.send(HttpRequest.newBuilder(server.uri("health")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
    }

    @Test
    void everyOtherFailureIsA503NotADroppedConnection() throws Exception {
        ResultStore unreadable = new ResultStore() {
            @Override
            public java.util.Optional<StoredResult> get(String id) {
                throw new IllegalStateException("database down");
            }

            @Override
            public void put(String id, StoredResult result, java.time.Duration retention) {
            }
        };
        server = ServiceHttpServer.builder()
                .service("error", IdempotentService.builder(r -> {
                    throw new AssertionError("handler bug");
                }).build())
                .service("store", IdempotentService.builder(r -> "ok").store(unreadable).build())
                .service("object", IdempotentService.builder(r -> new Object()).build())
                .start();
        // before: each of these closed the connection without an answer
        HttpResponse<String> error = post("error", null, wire("a", 1));
        assertThat(error.statusCode()).isEqualTo(503);
        assertThat(error.body()).contains("java.lang.AssertionError").doesNotContain("handler bug");
        HttpResponse<String> store = post("store", null, wire("b", 1));
        assertThat(store.statusCode()).isEqualTo(503);
        assertThat(store.body()).contains("the result store failed");
        HttpResponse<String> object = post("object", null, wire("c", 1));
        assertThat(object.statusCode()).isEqualTo(503);
        assertThat(object.body()).contains("not JSON");
        assertThat(post("store", null, wire("d", 1)).statusCode()).isEqualTo(503);
    }

    @Test
    void aTooLargeBodyIsAnswered400AndAPathThatIsNotTheServiceIs404() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        server = ServiceHttpServer.builder().service("orders", IdempotentService.builder(
                r -> calls.incrementAndGet()).build()).start();
        // before: the server answered without reading the body and the client saw a reset connection
        HttpResponse<String> big = post("orders", null, "{\"input\": \"" + "x".repeat(12 << 20) + "\"}");
        assertThat(big.statusCode()).isEqualTo(400);
        assertThat(big.body()).contains("too large");
        // before: the JDK server handed /orders-v2 to the /orders context and the orders handler ran
        assertThat(post("orders-v2", null, wire("e", 1)).statusCode()).isEqualTo(404);
        assertThat(post("orders/", null, wire("e", 1)).statusCode()).isEqualTo(200);
        // before: the first object was taken and the rest ignored
        assertThat(post("orders", null, wire("f", 1) + " {\"executionId\": \"g\"}").statusCode()).isEqualTo(400);
        assertThat(calls).hasValue(1);
    }
}
