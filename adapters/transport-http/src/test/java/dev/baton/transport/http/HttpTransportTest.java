package dev.baton.transport.http;

import dev.baton.NonRetryableException;
import dev.baton.RetryableException;
import dev.baton.service.IdempotentService;
import dev.baton.service.ServiceHttpServer;
import dev.baton.service.ServiceRequest;
import dev.baton.time.ManualTime;
import dev.baton.transport.TaskRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

class HttpTransportTest {

    static final String CANARY = "canary-7f3a9c1e-secret-token";

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private FakeServer server(FakeServer.Script script) throws IOException {
        FakeServer s = new FakeServer(script);
        closeables.add(s);
        return s;
    }

    private HttpTransport.Builder transport(URI url) {
        return HttpTransport.builder().service("orders", url).requestTimeout(Duration.ofSeconds(10));
    }

    static TaskRequest request(int attempt) {
        return new TaskRequest("run-1", "task1", "orders", "run-1/task1", attempt, Map.of("orderId", "ORD456"),
                null, "corr-9");
    }

    static Object await(CompletableFuture<Object> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    static HttpTransportException failure(HttpTransport t, TaskRequest r) throws Exception {
        try {
            Object v = t.dispatch(r).toCompletableFuture().get(20, TimeUnit.SECONDS);
            return fail("expected a failure, got " + v);
        } catch (ExecutionException e) {
            // the engine sees the core's verdict; the HTTP details are its cause
            Throwable surfaced = e.getCause();
            HttpTransportException details = HttpTransport.details(surfaced).orElseThrow();
            assertThat(surfaced.getCause()).isSameAs(details);
            if (details.retryable()) {
                assertThat(surfaced).isInstanceOfSatisfying(RetryableException.class,
                        re -> assertThat(re.retryAfter()).isEqualTo(details.retryAfter()));
            } else {
                assertThat(surfaced).isInstanceOf(NonRetryableException.class);
            }
            assertThat(surfaced.getMessage()).isEqualTo("[" + details.code() + "] " + details.getMessage());
            return details;
        }
    }

    @Test
    void bodiesLeaveNoKeyBehindInTheSharedReader() {
        // every body a peer sends is read by one static mapper: canonicalizing, its factory would keep each distinct
        // key (up to 50,000 characters) for every later body
        assertThat(HttpTransport.JSON.getFactory().isEnabled(
                com.fasterxml.jackson.core.JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)).isFalse();
    }

    @Test
    void postsTheWireBodyAndHeadersAndReturnsTheJsonOutput() throws Exception {
        FakeServer s = server((ex, body) -> FakeServer.respond(ex, 200, "{\"status\":\"shipped\",\"items\":[1,2]}"));
        HttpTransport t = transport(s.uri("/orders")).credentialEnv("orders", "ORDERS_TOKEN")
                .env(name -> name.equals("ORDERS_TOKEN") ? "tok-123" : null).build();

        Object out = await(t.dispatch(request(2)).toCompletableFuture());

        assertThat(out).isEqualTo(Map.of("status", "shipped", "items", List.of(1, 2)));
        FakeServer.Received r = s.received.get(0);
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/orders");
        assertThat(r.body()).isEqualTo("{\"runId\":\"run-1\",\"taskId\":\"task1\",\"executionId\":\"run-1/task1\","
                + "\"attempt\":2,\"service\":\"orders\",\"input\":{\"orderId\":\"ORD456\"}}");
        assertThat(r.headers().getFirst("Idempotency-Key")).isEqualTo("run-1/task1");
        assertThat(r.headers().getFirst("Baton-Attempt")).isEqualTo("2");
        assertThat(r.headers().getFirst("Baton-Correlation-Id")).isEqualTo("corr-9");
        assertThat(r.headers().getFirst("Authorization")).isEqualTo("Bearer tok-123");
        assertThat(r.headers().getFirst("Content-Type")).isEqualTo("application/json");
    }

    @Test
    void theCredentialIsReadAtCallTime() throws Exception {
        FakeServer s = server((ex, body) -> FakeServer.respond(ex, 200, "{}"));
        AtomicInteger version = new AtomicInteger(1);
        HttpTransport t = transport(s.uri("/orders")).credentialEnv("orders", "ORDERS_TOKEN")
                .env(name -> "tok-" + version.get()).build();
        await(t.dispatch(request(1)).toCompletableFuture());
        version.set(2);
        await(t.dispatch(request(2)).toCompletableFuture());
        assertThat(s.received).extracting(r -> r.headers().getFirst("Authorization"))
                .containsExactly("Bearer tok-1", "Bearer tok-2");
    }

    @Test
    void anEmptySuccessBodyIsNull() throws Exception {
        FakeServer s = server((ex, body) -> FakeServer.respond(ex, 204, ""));
        assertThat(await(transport(s.uri("/o")).build().dispatch(request(1)).toCompletableFuture())).isNull();
    }

    @Test
    void retryableStatusesCarryRetryAfterInSecondsOrAsAnHttpDate() throws Exception {
        ManualTime clock = new ManualTime(Instant.parse("2026-03-01T10:00:00Z"));
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                Instant.parse("2026-03-01T10:00:30Z").atOffset(ZoneOffset.UTC));
        AtomicInteger call = new AtomicInteger();
        FakeServer s = server((ex, body) -> {
            switch (call.incrementAndGet()) {
                case 1 -> {
                    ex.getResponseHeaders().set("Retry-After", "7");
                    FakeServer.respond(ex, 429, "{\"error\":\"slow down\"}");
                }
                case 2 -> {
                    ex.getResponseHeaders().set("Retry-After", date);
                    FakeServer.respond(ex, 503, "");
                }
                case 3 -> FakeServer.respond(ex, 500, "{\"error\":\"boom\"}");
                case 4 -> FakeServer.respond(ex, 408, "");
                default -> {
                    ex.getResponseHeaders().set("Retry-After", "soon");
                    FakeServer.respond(ex, 502, "");
                }
            }
        });
        HttpTransport t = transport(s.uri("/orders")).clock(clock).build();

        HttpTransportException e429 = failure(t, request(1));
        assertThat(e429.code()).isEqualTo(HttpTransportException.UNAVAILABLE);
        assertThat(e429.retryable()).isTrue();
        assertThat(e429.retryAfter()).contains(Duration.ofSeconds(7));
        assertThat(e429.status()).hasValue(429);
        assertThat(e429.getMessage()).contains("429").contains("slow down");

        HttpTransportException e503 = failure(t, request(2));
        assertThat(e503.retryAfter()).contains(Duration.ofSeconds(30));
        HttpTransportException e500 = failure(t, request(3));
        assertThat(e500.retryable()).isTrue();
        assertThat(e500.retryAfter()).isEmpty();
        assertThat(failure(t, request(4)).retryable()).isTrue();
        HttpTransportException bad = failure(t, request(5));
        assertThat(bad.retryable()).isTrue();
        assertThat(bad.retryAfter()).isEmpty();
    }

    @Test
    void otherClientErrorsFailWithoutRetry() throws Exception {
        for (int status : new int[] {400, 401, 403, 404, 409, 422}) {
            FakeServer s = server((ex, body) -> {
                ex.getResponseHeaders().set("Retry-After", "5");
                FakeServer.respond(ex, status, "{\"error\":\"no\"}");
            });
            HttpTransportException e = failure(transport(s.uri("/orders")).build(), request(1));
            assertThat(e.code()).isEqualTo(HttpTransportException.REJECTED);
            assertThat(e.retryable()).as("status %d", status).isFalse();
            assertThat(e.retryAfter()).isEmpty();
            assertThat(e.status()).hasValue(status);
        }
    }

    @Test
    void aRefusedConnectionIsRetryable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        HttpTransportException e = failure(
                transport(URI.create("http://127.0.0.1:" + port + "/orders")).build(), request(1));
        assertThat(e.code()).isEqualTo(HttpTransportException.CONNECT_FAILED);
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void aSlowServiceTimesOutRetryably() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        FakeServer s = server((ex, body) -> {
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            FakeServer.respond(ex, 200, "{}");
        });
        HttpTransport t = transport(s.uri("/orders")).requestTimeout(Duration.ofMillis(300)).build();
        try {
            HttpTransportException e = failure(t, request(1));
            assertThat(e.code()).isEqualTo(HttpTransportException.TIMEOUT);
            assertThat(e.retryable()).isTrue();
        } finally {
            release.countDown();
        }
    }

    @Test
    void aBodyThatNeverEndsTimesOutAsAWhole() throws Exception {
        // the headers come at once, so only a bound on the whole exchange (not the JDK's request timeout) ends it
        FakeServer s = server((ex, body) -> FakeServer.stallAfterHeaders(ex));
        HttpTransport t = transport(s.uri("/orders")).requestTimeout(Duration.ofMillis(300)).build();
        long start = System.nanoTime();
        HttpTransportException e = failure(t, request(1));
        assertThat(e.code()).isEqualTo(HttpTransportException.TIMEOUT);
        assertThat(e.retryable()).isTrue();
        assertThat(e.getMessage()).contains("whole response").contains("PT0.3S");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void theAttemptDeadlineCapsTheRequestTimeout() throws Exception {
        ManualTime clock = new ManualTime(Instant.parse("2026-03-01T10:00:00Z"));
        FakeServer s = server((ex, body) -> FakeServer.respond(ex, 200, "{}"));
        HttpTransport t = transport(s.uri("/orders")).clock(clock).build();
        TaskRequest late = new TaskRequest("r", "t", "orders", "r/t", 1, Map.of(),
                Instant.parse("2026-03-01T09:59:59Z"), null);
        HttpTransportException e = failure(t, late);
        assertThat(e.code()).isEqualTo(HttpTransportException.TIMEOUT);
        assertThat(s.received).isEmpty();
    }

    @Test
    void aTooLargeResponseFailsWhileStreaming() throws Exception {
        FakeServer s = server((ex, body) -> {
            ex.sendResponseHeaders(200, 0);               // chunked: no declared length
            byte[] chunk = new byte[8192];
            java.util.Arrays.fill(chunk, (byte) ' ');
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < 256; i++) {
                    out.write(chunk);
                }
            } catch (IOException expected) {
                // the client stops reading
            }
        });
        HttpTransportException e = failure(transport(s.uri("/orders")).maxResponseBytes(64 * 1024).build(),
                request(1));
        assertThat(e.code()).isEqualTo(HttpTransportException.RESPONSE_TOO_LARGE);
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void aTooLargeDeclaredResponseIsRefusedWithoutReading() throws Exception {
        FakeServer s = server((ex, body) -> FakeServer.respond(ex, 200, "[" + "1,".repeat(5000) + "1]"));
        HttpTransportException e = failure(transport(s.uri("/orders")).maxResponseBytes(1000).build(), request(1));
        assertThat(e.code()).isEqualTo(HttpTransportException.RESPONSE_TOO_LARGE);
    }

    @Test
    void aNonJsonSuccessBodyIsNotRetryable() throws Exception {
        for (String notJson : List.of("<html>", "{\"ok\":true} <html>", "{\"ok\":true}{\"ok\":false}", "[1,2")) {
            FakeServer s = server((ex, body) -> FakeServer.respond(ex, 200, notJson));
            HttpTransportException e = failure(transport(s.uri("/orders")).build(), request(1));
            assertThat(e.code()).as(notJson).isEqualTo(HttpTransportException.INVALID_RESPONSE);
            assertThat(e.retryable()).isFalse();
        }
    }

    @Test
    void unknownServicesAndMissingCredentialsFailWithoutACall() throws Exception {
        FakeServer s = server((ex, body) -> FakeServer.respond(ex, 200, "{}"));
        HttpTransport t = transport(s.uri("/orders")).credentialEnv("orders", "ORDERS_TOKEN").env(n -> null).build();
        HttpTransportException missing = failure(t, request(1));
        assertThat(missing.code()).isEqualTo(HttpTransportException.CREDENTIAL_MISSING);
        assertThat(missing.getMessage()).contains("ORDERS_TOKEN");
        HttpTransportException unknown = failure(t, new TaskRequest("r", "t", "billing", "r/t", 1, Map.of(),
                null, null));
        assertThat(unknown.code()).isEqualTo(HttpTransportException.NO_ENDPOINT);
        assertThat(s.received).isEmpty();
    }

    @Test
    void aCredentialThatCannotBeSentInAHeaderIsRefusedNamingTheVariableAndServiceNeverTheValue() throws Exception {
        FakeServer s = server((ex, body) -> FakeServer.respond(ex, 200, "{}"));
        Map<String, String> expected = Map.of(
                CANARY + "\n", "holds a line break at its end (a trailing newline?)",
                CANARY + "\r\n", "holds a line break at index " + CANARY.length(),
                " " + CANARY, "holds whitespace at its start",
                CANARY + "\u0000x", "holds a control character at index " + CANARY.length(),
                CANARY + "\u00e9", "holds a non-ASCII character at its end",
                CANARY + "\u6ce8", "holds a non-ASCII character at its end");
        for (Map.Entry<String, String> c : expected.entrySet()) {
            HttpTransport t = transport(s.uri("/orders")).credentialEnv("orders", "ORDERS_TOKEN")
                    .env(n -> c.getKey()).build();
            HttpTransportException e = failure(t, request(1));
            assertThat(e.code()).isEqualTo(HttpTransportException.CREDENTIAL_INVALID);
            assertThat(e.retryable()).isFalse();
            assertThat(e.service()).isEqualTo("orders");
            assertThat(e.getMessage()).isEqualTo("the environment variable 'ORDERS_TOKEN' holding the credential of "
                    + "service 'orders' " + c.getValue() + "; a bearer token is visible ASCII only, so nothing was sent");
            java.io.StringWriter trace = new java.io.StringWriter();
            e.printStackTrace(new java.io.PrintWriter(trace));
            assertThat(trace.toString()).doesNotContain(CANARY);
        }
        assertThat(s.received).isEmpty();
    }

    @Test
    void aRequestTheHttpClientRefusesToBuildFailsTypedWithoutAnyHeaderValueInTheMessage() throws Exception {
        // the engine's execution ids are ASCII, but the transport is public: one the JDK refuses as a header value
        String executionId = "run-1/" + CANARY + "-\u6ce8\u6587";
        FakeServer s = server((ex, body) -> FakeServer.respond(ex, 200, "{}"));
        HttpTransport t = transport(s.uri("/orders")).credentialEnv("orders", "ORDERS_TOKEN")
                .env(n -> "tok-" + CANARY).build();

        HttpTransportException e = failure(t, new TaskRequest("run-1", "task1", "orders", executionId, 1, Map.of(),
                null, "corr-9"));

        assertThat(e.code()).isEqualTo(HttpTransportException.INVALID_REQUEST);
        assertThat(e.retryable()).isFalse();
        assertThat(e.service()).isEqualTo("orders");
        assertThat(e.getCause()).as("the client's exception quotes the value").isNull();
        assertThat(e.getMessage()).startsWith("the request to service 'orders' cannot be built (")
                .contains("[REDACTED]").doesNotContain(CANARY).doesNotContain("\u6ce8");
        assertThat(s.received).isEmpty();
    }

    @Test
    void everyCorrelationIdARunAcceptsIsSentPercentEncodedAsUtf8AndDecodesBack() throws Exception {
        StringBuilder visible = new StringBuilder();
        for (char c = 0x21; c <= 0x7e; c++) {
            if (c != '%') {
                visible.append(c);
            }
        }
        Map<String, String> sent = new java.util.LinkedHashMap<>();
        sent.put("\u6ce8\u6587-42", "%E6%B3%A8%E6%96%87-42");
        sent.put("line\r\nbreak\u0000", "line%0D%0Abreak%00");
        sent.put(" 100% sure ", "%20100%25%20sure%20");
        sent.put("caf\u00e9 \ud83d\ude80", "caf%C3%A9%20%F0%9F%9A%80");
        sent.put(visible.toString(), visible.toString());
        sent.put("\u6ce8".repeat(256), "%E6%B3%A8".repeat(256));
        FakeServer s = server((ex, body) -> FakeServer.respond(ex, 200, "{}"));
        HttpTransport t = transport(s.uri("/orders")).build();

        for (Map.Entry<String, String> c : sent.entrySet()) {
            String id = dev.baton.RunOptions.builder().correlationId(c.getKey()).build().correlationId().orElseThrow();
            await(t.dispatch(new TaskRequest("run-1", "task1", "orders", "run-1/task1", 1, Map.of(), null, id))
                    .toCompletableFuture());
            String header = s.received.get(s.received.size() - 1).headers().getFirst(HttpTransport.CORRELATION_ID);
            assertThat(header).as(id).isEqualTo(c.getValue());
            assertThat(HttpTransport.decodeCorrelationId(header)).isEqualTo(id);
        }
    }

    @Test
    void decodingKeepsAPercentSignThatIsNotAnEscapeAndLeavesPlusAlone() {
        assertThat(HttpTransport.decodeCorrelationId("50%-off+more%2")).isEqualTo("50%-off+more%2");
        assertThat(HttpTransport.decodeCorrelationId("%e6%b3%a8x%4G")).isEqualTo("\u6ce8x%4G");
        // a digit of another script is not a hex digit
        assertThat(HttpTransport.decodeCorrelationId("%\u0664\u0661")).isEqualTo("%\u0664\u0661");
        assertThat(HttpTransport.decodeCorrelationId("raw \ud83d\ude80")).isEqualTo("raw \ud83d\ude80");
    }

    @Test
    void aResolverGivesUrlsOfServicesNotConfigured() throws Exception {
        FakeServer s = server((ex, body) -> FakeServer.respond(ex, 200, "\"" + ex.getRequestURI().getPath() + "\""));
        HttpTransport t = HttpTransport.builder().resolver(name -> s.uri("/svc/" + name)).build();
        assertThat(await(t.dispatch(request(1)).toCompletableFuture())).isEqualTo("/svc/orders");
    }

    @Test
    void cancellingTheFutureAbortsTheExchange() throws Exception {
        CountDownLatch streaming = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        CountDownLatch aborted = new CountDownLatch(1);
        FakeServer s = server((ex, body) -> {
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            byte[] chunk = new byte[16 * 1024];
            java.util.Arrays.fill(chunk, (byte) ' ');
            try {
                out.write('[');
                out.flush();
                streaming.countDown();
                cancelled.await(20, TimeUnit.SECONDS);
                for (int i = 0; i < 100_000; i++) {
                    out.write(chunk);
                    out.flush();
                }
            } catch (IOException e) {
                aborted.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        HttpTransport t = transport(s.uri("/orders")).maxResponseBytes(Long.MAX_VALUE).build();
        CompletableFuture<Object> f = t.dispatch(request(1)).toCompletableFuture();
        assertThat(streaming.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(f.cancel(true)).isTrue();
        cancelled.countDown();
        assertThat(aborted.await(20, TimeUnit.SECONDS)).as("the server saw the connection go").isTrue();
    }

    @Test
    void aFlappingServiceIsClassifiedCallByCall() throws Exception {
        AtomicInteger call = new AtomicInteger();
        FakeServer s = server((ex, body) -> {
            if (call.incrementAndGet() % 2 == 1) {
                FakeServer.respond(ex, 503, "");
            } else {
                FakeServer.respond(ex, 200, "{\"call\":" + call.get() + "}");
            }
        });
        HttpTransport t = transport(s.uri("/orders")).build();
        for (int i = 1; i <= 6; i += 2) {
            assertThat(failure(t, request(i)).retryable()).isTrue();
            assertThat(await(t.dispatch(request(i + 1)).toCompletableFuture())).isEqualTo(Map.of("call", i + 1));
        }
    }

    @Test
    void aConnectionDroppedAfterTheWorkIsRetryableAndTheKitRunsTheEffectOnce() throws Exception {
        AtomicInteger effects = new AtomicInteger();
        IdempotentService kit = IdempotentService.builder(r -> Map.of("charged", effects.incrementAndGet())).build();
        AtomicInteger calls = new AtomicInteger();
        FakeServer s = server((ex, body) -> {
            ServiceRequest r = ServiceHttpServer.readRequest(new java.io.ByteArrayInputStream(body), null);
            Object out = kit.execute(r);
            if (calls.incrementAndGet() == 1) {
                throw new IOException("dropping the connection after doing the work");
            }
            FakeServer.respond(ex, 200, new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(out));
        });
        HttpTransport t = transport(s.uri("/orders")).build();

        HttpTransportException dropped = failure(t, request(1));
        assertThat(dropped.code()).isEqualTo(HttpTransportException.CONNECT_FAILED);
        assertThat(dropped.retryable()).isTrue();
        assertThat(await(t.dispatch(request(2)).toCompletableFuture())).isEqualTo(Map.of("charged", 1));
        assertThat(effects).hasValue(1);
    }

    @Test
    void worksAgainstTheKitsHttpBinding() throws Exception {
        AtomicInteger effects = new AtomicInteger();
        ServiceHttpServer kit = ServiceHttpServer.builder()
                .service("orders", IdempotentService.builder(r -> Map.of("n", effects.incrementAndGet(),
                        "attempt", r.attempt(), "corr", String.valueOf(r.correlationId()))).build())
                .start();
        closeables.add(kit);
        HttpTransport t = transport(kit.uri("orders")).build();
        assertThat(await(t.dispatch(request(1)).toCompletableFuture()))
                .isEqualTo(Map.of("n", 1, "attempt", 1, "corr", "corr-9"));
        assertThat(await(t.dispatch(request(2)).toCompletableFuture()))
                .isEqualTo(Map.of("n", 1, "attempt", 1, "corr", "corr-9"));
        assertThat(effects).hasValue(1);
    }

    @Test
    void theCredentialNeverAppearsEvenWhenTheServiceEchoesIt() throws Exception {
        AtomicInteger call = new AtomicInteger();
        FakeServer s = server((ex, body) -> {
            String echoed = ex.getRequestHeaders().getFirst("Authorization");
            int status = call.incrementAndGet() == 1 ? 401 : 500;
            FakeServer.respond(ex, status, "{\"error\":\"bad token " + echoed + "\"}");
        });
        HttpTransport t = transport(s.uri("/orders")).credentialEnv("orders", "ORDERS_TOKEN")
                .env(n -> CANARY).build();

        for (int i = 1; i <= 2; i++) {
            HttpTransportException e = failure(t, request(i));
            assertThat(s.received.get(i - 1).headers().getFirst("Authorization")).isEqualTo("Bearer " + CANARY);
            assertThat(e.getMessage()).doesNotContain(CANARY).contains("[REDACTED]");
            assertThat(e.toString()).doesNotContain(CANARY);
            java.io.StringWriter trace = new java.io.StringWriter();
            e.printStackTrace(new java.io.PrintWriter(trace));
            assertThat(trace.toString()).doesNotContain(CANARY);
        }
        assertThat(t.toString()).doesNotContain(CANARY).contains("ORDERS_TOKEN");
    }

    @Test
    void noPartOfTheCredentialAppearsWhenTheErrorSnippetIsCutInsideIt() throws Exception {
        // the snippet keeps 512 bytes: the echoed token straddles the cut, 15 of its characters before it
        String pad = "x".repeat(HttpTransport.ERROR_SNIPPET_BYTES - "{\"error\":\"Bearer ".length() - 15);
        FakeServer s = server((ex, body) -> FakeServer.respond(ex, 401, "{\"error\":\"" + pad
                + ex.getRequestHeaders().getFirst("Authorization") + "\"}"));
        HttpTransport t = transport(s.uri("/orders")).credentialEnv("orders", "ORDERS_TOKEN")
                .env(n -> CANARY).build();
        HttpTransportException e = failure(t, request(1));
        assertThat(e.getMessage()).endsWith("Bearer [REDACTED]...").doesNotContain(CANARY.substring(0, 15));
    }

    @Test
    void configurationIsCheckedAsItIsMade() {
        assertThatThrownBy(() -> HttpTransport.builder().service("x", URI.create("ftp://h/x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ftp://h/x");
        assertThatThrownBy(() -> HttpTransport.builder().requestTimeout(Duration.ZERO))
                .hasMessageContaining("requestTimeout");
        assertThatThrownBy(() -> HttpTransport.builder().maxResponseBytes(0)).hasMessageContaining("maxResponseBytes");
        assertThatThrownBy(() -> HttpTransport.builder().build()).isInstanceOf(IllegalStateException.class);
    }
}
