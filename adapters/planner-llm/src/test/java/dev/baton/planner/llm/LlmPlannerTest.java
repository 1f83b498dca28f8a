package dev.baton.planner.llm;

import dev.baton.NotActionableException;
import dev.baton.Orchestrator;
import dev.baton.PlanningFailedException;
import dev.baton.RunResult;
import dev.baton.ServiceOptions;
import dev.baton.event.RunEvent;
import dev.baton.plan.Plan;
import dev.baton.planner.Action;
import dev.baton.planner.PlannerException;
import dev.baton.planner.PlanningRequest;
import dev.baton.planner.ServiceCatalog;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.store.InMemoryRunStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LlmPlannerTest {

    private static final String KEY = "sk-test-0123456789-secret";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static final String GOOD = """
            {"tasks": [
              {"id": "task0", "input": {"customerId": "CUST789", "orderId": "ORD456"}},
              {"id": "task1", "service": "customer-service", "input": {"customerId": "$task0.customerId"}},
              {"id": "task2", "service": "order-system", "input": {"orderId": "$task0.orderId"}},
              {"id": "task3", "service": "ai-agent", "input": {"customer": "$task1", "order": "$task2.details"}}
            ], "parallel_groups": [["task1", "task2"], ["task3"]]}""";

    private static final String CYCLE = """
            {"tasks": [
              {"id": "task1", "service": "customer-service", "input": {"customerId": "$task3.customerId"}},
              {"id": "task2", "service": "order-system", "input": {"orderId": "$task0.orderId"}},
              {"id": "task3", "service": "ai-agent", "input": {"customer": "$task1", "order": "$task2.details"}}
            ]}""";

    private static final String NOT_ACTIONABLE = """
            {"tasks": [{"id": "task0", "input": {}},
                       {"id": "final", "input": {"error": "No service can issue refunds"}}]}""";

    private ReplayServer server;
    private final List<Duration> slept = new CopyOnWriteArrayList<>();
    private final List<Orchestrator> toClose = new ArrayList<>();
    private final InMemoryRunStore store = new InMemoryRunStore();

    @BeforeEach
    void start() throws Exception {
        server = new ReplayServer();
    }

    @AfterEach
    void stop() {
        toClose.forEach(Orchestrator::close);
        server.close();
    }

    private LlmPlanner.Builder planner() {
        return LlmPlanner.builder().baseUrl(server.baseUrl()).model("test-model").apiKey(KEY)
                .requestTimeout(Duration.ofSeconds(5)).sleeper(slept::add);
    }

    private static ServiceCatalog catalog() {
        return ServiceCatalog.of(
                ServiceDescriptor.builder("customer-service").description("Finds a customer by id").version("1.2")
                        .inputSchema(Map.of("type", "object", "properties", Map.of("customerId", Map.of("type", "string"))))
                        .outputSchema(Map.of("type", "object", "properties", Map.of("name", Map.of("type", "string"))))
                        .build(),
                ServiceDescriptor.builder("order-system").description("Order details").build(),
                ServiceDescriptor.builder("ai-agent").description("Writes the reply").build());
    }

    private static PlanningRequest request() {
        return PlanningRequest.first(Action.of("Assist customer with delayed order",
                Map.of("customerId", "CUST789", "orderId", "ORD456")), catalog());
    }

    private Orchestrator orchestrator(LlmPlanner planner, int attempts) {
        Orchestrator.Builder b = Orchestrator.builder().store(store).planner(planner).planningAttempts(attempts);
        for (ServiceDescriptor d : catalog().services()) {
            b.service(d, ctx -> Map.of("details", Map.of("echo", ctx.input())), ServiceOptions.defaults());
        }
        Orchestrator o = b.build();
        toClose.add(o);
        return o;
    }

    @Test
    void repliesLeaveNoKeyBehindInThePlannersReader() {
        // canonicalizing, the reader's factory would keep every distinct key of every reply the endpoint sent
        assertThat(plannerAt("http://127.0.0.1:9").mapper.getFactory().isEnabled(
                com.fasterxml.jackson.core.JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)).isFalse();
    }

    @Test
    void readsAGoodPlanFromAFencedReplyWithProseAround() {
        server.reply("Sure! Here is the plan:\n```json\n" + GOOD + "\n```\nLet me know if you need more.");
        Plan plan = planner().build().plan(request());

        assertThat(plan.tasks()).extracting(t -> t.id()).containsExactly("task0", "task1", "task2", "task3");
        assertThat(plan.parallelGroups()).containsExactly(List.of("task1", "task2"), List.of("task3"));
        ReplayServer.Received req = server.requests.get(0);
        assertThat(req.path()).isEqualTo("/v1/chat/completions");
        assertThat(req.authorization()).isEqualTo("Bearer " + KEY);
        assertThat(req.body()).contains("\"model\":\"test-model\"", "customer-service", "Finds a customer by id",
                "1.2", "input_schema", "output_schema", "Assist customer with delayed order", "CUST789")
                .doesNotContain("previous_errors").doesNotContain(KEY);
    }

    @Test
    void aPlanWithACycleIsSentBackWithItsErrorsAndTheFixedPlanRuns() {
        server.reply(CYCLE).reply(GOOD);
        Orchestrator o = orchestrator(planner().build(), 3);

        RunResult r = o.submit(Action.builder("Assist customer with delayed order")
                .param("customerId", "CUST789").param("orderId", "ORD456").runId("llm-run-1").build()).await(WAIT);

        assertThat(r.isCompleted()).isTrue();
        assertThat(server.requests).hasSize(2);
        assertThat(server.requests.get(0).body()).doesNotContain("previous_errors");
        assertThat(server.requests.get(1).body()).contains("previous_errors", "CYCLE", "attempt\\\" : 2");
        List<RunEvent> events = store.events("llm-run-1");
        assertThat(events.get(0).toString()).contains("planner=llm:test-model", "planningAttempts=2", "CYCLE")
                .doesNotContain(KEY);
    }

    @Test
    void aRevisionRequestShowsTheCompletedWorkTheFailureAndCatalogVersions() {
        server.reply(GOOD);
        Plan current = planner().build().plan(request());
        server.reply(GOOD);
        dev.baton.planner.Revision rev = new dev.baton.planner.Revision(current, 1,
                List.of(new dev.baton.planner.Revision.CompletedTask("task1", "customer-service", "r/task1",
                        Map.of("customerId", "CUST789"), Map.of("name", "Grace"))),
                new dev.baton.planner.Revision.FailedTask("task2", "order-system", Map.of(), "HANDLER_ERROR",
                        "order system is down", 3));
        planner().build().plan(PlanningRequest.revise(request().action(), catalog(), rev));

        assertThat(server.requests).hasSize(2);
        assertThat(server.requests.get(0).body()).doesNotContain("completed_tasks").contains("catalog_version");
        assertThat(server.requests.get(1).body()).contains("Revise the running plan", "completed_tasks", "Grace",
                "failed_task", "order system is down", "HANDLER_ERROR", "current_plan", "plan_version");
    }

    @Test
    void aNotActionableAnswerEndsTheSubmissionAndNothingRuns() {
        server.reply("I am sorry.\n" + NOT_ACTIONABLE);
        Orchestrator o = orchestrator(planner().build(), 3);

        assertThatThrownBy(() -> o.submit(Action.builder("Refund the order").runId("refund").build()))
                .isInstanceOfSatisfying(NotActionableException.class, e -> {
                    assertThat(e.code()).isEqualTo("NOT_ACTIONABLE");
                    assertThat(e.reason()).isEqualTo("No service can issue refunds");
                });
        assertThat(server.requests).hasSize(1);
        assertThat(store.run("refund")).isEmpty();
    }

    @Test
    void proseWithoutJsonIsATypedPlanningError() {
        server.reply("I would first look up the customer, then the order, then write a reply.");
        assertThatThrownBy(() -> planner().build().plan(request()))
                .isInstanceOfSatisfying(PlannerException.class, e -> {
                    assertThat(e.code()).isEqualTo("NO_PLAN_IN_REPLY");
                    assertThat(e.replannable()).isTrue();
                });

        server.reply("Still just words.").reply("{ not json at all");
        Orchestrator o = orchestrator(planner().build(), 2);
        assertThatThrownBy(() -> o.submit(Action.of("Assist", Map.of())))
                .isInstanceOfSatisfying(PlanningFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo("PLANNING_FAILED");
                    assertThat(e.attempts()).hasSize(2);
                    assertThat(e.attempts().get(0).problems().get(0).code()).isEqualTo("NO_PLAN_IN_REPLY");
                });
        assertThat(server.requests.get(2).body()).contains("previous_errors", "NO_PLAN_IN_REPLY");
    }

    @Test
    void jsonThatIsNotAPlanIsFedBackAsUnreadable() {
        server.reply("{\"tasks\": \"none\"}");
        assertThatThrownBy(() -> planner().build().plan(request()))
                .isInstanceOfSatisfying(PlannerException.class, e -> {
                    assertThat(e.code()).isEqualTo("UNREADABLE_PLAN");
                    assertThat(e.problems()).isNotEmpty();
                    assertThat(e.problems().get(0).code()).isEqualTo("INVALID_STRUCTURE");
                });
    }

    @Test
    void anEndpointThatDoesNotAnswerInTimeIsATimeout() {
        server.hang();
        LlmPlanner p = planner().requestTimeout(Duration.ofMillis(300)).build();
        assertThatThrownBy(() -> p.plan(request()))
                .isInstanceOfSatisfying(PlannerException.class, e -> {
                    assertThat(e.code()).isEqualTo("PLANNER_TIMEOUT");
                    assertThat(e.replannable()).isFalse();
                });
        assertThat(slept).isEmpty();
    }

    @Test
    void retriesOn429And5xxHonouringRetryAfter() {
        Instant now = Instant.parse("2026-03-01T10:00:00Z");
        server.replyRaw(429, Map.of("Retry-After", "7"), "{\"error\":\"slow down\"}")
                .replyRaw(503, Map.of("Retry-After", "Sun, 01 Mar 2026 10:00:03 GMT"), "{}")
                .replyRaw(502, Map.of(), "bad gateway")
                .reply(GOOD);
        Plan plan = planner().clock(Clock.fixed(now, ZoneOffset.UTC)).build().plan(request());

        assertThat(plan.tasks()).hasSize(4);
        assertThat(server.requests).hasSize(4);
        assertThat(slept).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(3), Duration.ofSeconds(4));
    }

    @Test
    void givesUpAfterTheRetryLimitAndNeverRetriesOther4xx() {
        server.replyRaw(500, Map.of(), "oops").replyRaw(500, Map.of(), "oops");
        assertThatThrownBy(() -> planner().maxRetries(1).build().plan(request()))
                .isInstanceOfSatisfying(PlannerException.class, e -> {
                    assertThat(e.code()).isEqualTo("PLANNER_UNAVAILABLE");
                    assertThat(e.getMessage()).contains("HTTP 500", "2 attempts");
                });
        assertThat(slept).containsExactly(Duration.ofSeconds(1));

        server.replyRaw(400, Map.of(), "{\"error\":\"bad request\"}");
        assertThatThrownBy(() -> planner().build().plan(request()))
                .isInstanceOfSatisfying(PlannerException.class, e -> assertThat(e.getMessage()).contains("HTTP 400"));
        assertThat(server.requests).hasSize(3);
    }

    private LlmPlanner plannerAt(String baseUrl) {
        return LlmPlanner.builder().baseUrl(java.net.URI.create(baseUrl)).model("test-model").apiKey(KEY)
                .requestTimeout(Duration.ofSeconds(5)).sleeper(slept::add).build();
    }

    /** The planner's failure to reach its endpoint: PLANNER_UNAVAILABLE, naming the endpoint, never the key. */
    private static String unreachable(LlmPlanner p, String endpoint) {
        PlannerException e = (PlannerException) org.assertj.core.api.Assertions.catchThrowable(() -> p.plan(request()));
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo("PLANNER_UNAVAILABLE");
        assertThat(e.getMessage()).startsWith("could not reach " + endpoint + ": ").doesNotContain(KEY)
                .doesNotContainIgnoringCase("exception").doesNotEndWith("null");
        return e.getMessage().substring(("could not reach " + endpoint + ": ").length());
    }

    /** A loopback port that accepts each connection and closes it at once, before reading or answering. */
    private static final class ClosingServer implements AutoCloseable {
        private final java.net.ServerSocket socket;
        private final Thread acceptor;

        ClosingServer() throws java.io.IOException {
            socket = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        socket.accept().close();
                    } catch (java.io.IOException closed) {
                        return;
                    }
                }
            }, "closing-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws java.io.IOException {
            socket.close();
            try {
                acceptor.join(WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void aRefusedConnectionIsToldInPlainWords() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String base = "http://127.0.0.1:" + closedPort + "/v1";
        // before: "could not reach ...: ClosedChannelException"
        assertThat(unreachable(plannerAt(base), base + "/chat/completions")).isEqualTo("the connection was refused");
        assertThat(slept).isEmpty();
    }

    @Test
    void aConnectionClosedBeforeAReplyIsToldInPlainWords() throws Exception {
        try (ClosingServer closing = new ClosingServer()) {
            String base = "http://127.0.0.1:" + closing.port() + "/v1";
            // before: "could not reach ...: HTTP/1.1 header parser received no bytes"
            assertThat(unreachable(plannerAt(base), base + "/chat/completions"))
                    .isEqualTo("the connection was closed before a reply");

            String tls = "https://127.0.0.1:" + closing.port() + "/v1";
            assertThat(unreachable(plannerAt(tls), tls + "/chat/completions")).startsWith("the TLS handshake failed");
        }
    }

    @Test
    void aKeyInAFailuresMessageIsRemovedBeforeTheMessageIsShortened() {
        // a key that straddles the cut of a long message would otherwise be left half in
        String message = "x".repeat(270) + " Authorization: Bearer " + KEY + " and more";
        java.util.function.UnaryOperator<String> redact = m -> m.replace(KEY, "***");
        for (Throwable t : List.of(new java.io.IOException(message),
                new javax.net.ssl.SSLHandshakeException(message), new java.net.ConnectException(message))) {
            String said = LlmPlanner.describe(t, redact);
            assertThat(said).as(t.getClass().getSimpleName()).doesNotContain(KEY.substring(0, 5));
            assertThat(redact.apply(LlmPlanner.describe(t))).as("redacted after the cut, the key's start is left")
                    .contains(KEY.substring(0, 5));
        }
    }

    @Test
    void eachKindOfFailureInTheCauseChainIsToldInPlainWords() {
        java.net.ConnectException unresolved = new java.net.ConnectException();
        unresolved.initCause(new java.nio.channels.UnresolvedAddressException());
        assertThat(LlmPlanner.describe(unresolved)).isEqualTo("the host was not found");
        assertThat(LlmPlanner.describe(new java.io.IOException("lookup", new java.net.UnknownHostException("llm.example"))))
                .isEqualTo("the host was not found");

        java.net.ConnectException refused = new java.net.ConnectException();
        refused.initCause(new java.nio.channels.ClosedChannelException());
        assertThat(LlmPlanner.describe(refused)).isEqualTo("the connection was refused");
        assertThat(LlmPlanner.describe(new java.net.ConnectException("Connection refused")))
                .isEqualTo("the connection was refused");
        assertThat(LlmPlanner.describe(new java.net.ConnectException("Network is unreachable")))
                .isEqualTo("the connection could not be made (Network is unreachable)");
        assertThat(LlmPlanner.describe(new java.net.NoRouteToHostException("No route to host")))
                .isEqualTo("there is no route to the host");

        assertThat(LlmPlanner.describe(new javax.net.ssl.SSLHandshakeException("PKIX path building failed")))
                .isEqualTo("the TLS handshake failed (PKIX path building failed)");
        assertThat(LlmPlanner.describe(new javax.net.ssl.SSLException("Unrecognized SSL message, plaintext connection?")))
                .isEqualTo("the TLS connection failed (Unrecognized SSL message, plaintext connection?)");

        assertThat(LlmPlanner.describe(new java.io.IOException("HTTP/1.1 header parser received no bytes",
                new java.io.EOFException("EOF reached while reading"))))
                .isEqualTo("the connection was closed before a reply");
        assertThat(LlmPlanner.describe(new java.io.IOException("HTTP/1.1 header parser received no bytes",
                new java.net.SocketException("Connection reset"))))
                .isEqualTo("the connection was reset before a reply");
        assertThat(LlmPlanner.describe(new java.io.IOException("fixed content-length: 1000, bytes received: 3",
                new java.io.EOFException("EOF reached while reading"))))
                .isEqualTo("the connection was closed before the whole reply came (fixed content-length: 1000, bytes received: 3)");
        assertThat(LlmPlanner.describe(new java.nio.channels.ClosedChannelException()))
                .isEqualTo("the connection was closed before a reply");

        // a failure of no known kind: its message, or, with none in the whole chain, that it gave none
        assertThat(LlmPlanner.describe(new java.io.IOException("proxy said no"))).isEqualTo("proxy said no");
        assertThat(LlmPlanner.describe(new java.io.IOException(new IllegalStateException("pool shut down"))))
                .isEqualTo("pool shut down");
        assertThat(LlmPlanner.describe(new java.io.IOException(new IllegalStateException())))
                .isEqualTo("the exchange failed without saying why (IllegalStateException)");
    }

    @Test
    void theApiKeyNeverAppearsInExceptionsOrToString() {
        server.replyRaw(401, Map.of(), "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + "\"}}");
        LlmPlanner p = planner().build();
        assertThat(p.toString()).doesNotContain(KEY).contains("***", "test-model");
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> p.plan(request()));
        assertThat(t).isInstanceOf(PlannerException.class);
        for (Throwable c = t; c != null; c = c.getCause()) {
            assertThat(String.valueOf(c.getMessage())).doesNotContain(KEY);
            assertThat(c.toString()).doesNotContain(KEY);
        }

        server.replyRaw(401, Map.of(), "{\"error\":\"" + KEY + "\"}");
        Orchestrator o = orchestrator(p, 3);
        Throwable viaSubmit = org.assertj.core.api.Assertions.catchThrowable(() -> o.submit(Action.of("x", Map.of())));
        assertThat(viaSubmit).isInstanceOf(PlanningFailedException.class);
        for (Throwable c = viaSubmit; c != null; c = c.getCause()) {
            assertThat(String.valueOf(c.getMessage())).doesNotContain(KEY);
        }
        assertThat(((PlanningFailedException) viaSubmit).attempts().toString()).doesNotContain(KEY);
    }

    @Test
    void theKeyComesFromTheEnvironmentWhenNamed() {
        server.reply(GOOD);
        LlmPlanner p = LlmPlanner.builder().baseUrl(server.baseUrl()).model("m").apiKeyFromEnv("MY_KEY")
                .environment(Map.of("MY_KEY", KEY)::get).sleeper(slept::add).build();
        p.plan(request());
        assertThat(server.requests.get(0).authorization()).isEqualTo("Bearer " + KEY);

        assertThatThrownBy(() -> LlmPlanner.builder().baseUrl(server.baseUrl()).model("m").apiKeyFromEnv("NOPE")
                .environment(name -> null).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("NOPE");
        assertThatThrownBy(() -> LlmPlanner.builder().baseUrl(java.net.URI.create("ftp://x/")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LlmPlanner.builder().model("m").build()).isInstanceOf(IllegalStateException.class);
        assertThat(p.name()).isEqualTo("llm:m");
    }

    @Test
    void aBodyThatTricklesOrNeverEndsIsATimeoutWithinTheRequestTimeout() {
        server.trickle();
        LlmPlanner p = planner().requestTimeout(Duration.ofMillis(300)).build();
        // the client's own timeout stops at the headers: before, this waited for the server to give up (30 s)
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
                assertThatThrownBy(() -> p.plan(request()))
                        .isInstanceOfSatisfying(PlannerException.class, e -> {
                            assertThat(e.code()).isEqualTo("PLANNER_TIMEOUT");
                            assertThat(e.getMessage()).contains("within PT0.3S");
                        }));
        assertThat(slept).isEmpty();
    }

    @Test
    void aReplyBodyIsBoundedInSizeAndALongContentIsStillReadAsAReply() {
        LlmPlanner small = planner().planJson(dev.baton.json.PlanJson.withLimits(
                dev.baton.validation.ValidationLimits.builder().maxPlanBytes(1024).build())).build();
        server.reply("x".repeat(2 << 20));
        assertThatThrownBy(() -> small.plan(request()))
                .isInstanceOfSatisfying(PlannerException.class, e -> {
                    assertThat(e.code()).isEqualTo("PLANNER_UNAVAILABLE");
                    assertThat(e.getMessage()).contains("answered with more than " + ((1 << 20) + 2048) + " bytes");
                });

        // 21 M characters of prose is past Jackson's default string limit, yet within the reply bound: the model's
        // reply without a plan, not an endpoint that is "not a chat completion"
        server.reply("x".repeat(21_000_000));
        assertThatThrownBy(() -> planner().build().plan(request()))
                .isInstanceOfSatisfying(PlannerException.class, e -> assertThat(e.code()).isEqualTo("NO_PLAN_IN_REPLY"));
    }

    @Test
    void aKeyThatCannotBeAHeaderIsRefusedWithoutQuotingIt() {
        assertThatThrownBy(() -> planner().apiKey(KEY + "\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control character").satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY));
        assertThatThrownBy(() -> planner().apiKey(KEY + "\u2011x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside ASCII at index " + KEY.length())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY));
        assertThatThrownBy(() -> LlmPlanner.builder().baseUrl(server.baseUrl()).model("m").apiKeyFromEnv("MY_KEY")
                .environment(Map.of("MY_KEY", KEY + "\r")::get).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MY_KEY")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY));
        assertThat(server.requests).isEmpty();
    }

    @Test
    void aNoteOrAnExampleBeforeThePlanDoesNotHideIt() {
        String plan = "{\"tasks\": [{\"id\": \"task1\", \"service\": \"order-system\", \"input\": {}}]}";
        LlmPlanner p = planner().build();
        // before: the first object was the only one read, and each of these was UNREADABLE_PLAN
        assertThat(p.readPlan("The input looks like {\"orderId\": \"ORD456\"}. Plan:\n" + plan).tasks())
                .extracting(t -> t.id()).containsExactly("task1");
        assertThat(p.readPlan("```json\n{\"note\": \"draft\"}\n```\nFinal:\n```json\n" + plan + "\n```").tasks())
                .hasSize(1);
        // none reads: the first candidate's problems are fed back, as before
        PlannerException alone = (PlannerException) org.assertj.core.api.Assertions.catchThrowable(
                () -> p.readPlan("{\"a\": 1}"));
        assertThatThrownBy(() -> p.readPlan("{\"a\": 1} and {\"tasks\": 2}"))
                .isInstanceOfSatisfying(PlannerException.class, e -> {
                    assertThat(e.code()).isEqualTo("UNREADABLE_PLAN");
                    assertThat(e.problems()).isEqualTo(alone.problems());
                });
    }

    @Test
    void aReplyWithAnExponentPastTheReadersLimitIsFedBackAsAnUnreadablePlan() {
        // before: BigDecimal's NumberFormatException escaped the planner
        assertThatThrownBy(() -> planner().build().readPlan(
                "{\"tasks\": [{\"id\": \"t1\", \"service\": \"s\", \"input\": {\"x\": 1e9999999999}}]}"))
                .isInstanceOfSatisfying(PlannerException.class, e -> {
                    assertThat(e.code()).isEqualTo(PlannerException.UNREADABLE_PLAN);
                    assertThat(e.problems()).singleElement().satisfies(p -> {
                        assertThat(p.code()).isEqualTo("LIMIT_EXCEEDED");
                        assertThat(p.message()).startsWith("line 1, column ").contains("the limit of 1000 places");
                    });
                });
    }

    @Test
    void aCandidateWhoseReaderFailsOtherwiseIsAnUnreadablePlanWithAShortMessageAndALaterOneStillReads() {
        LlmPlanner p = planner().build();
        String huge = "x".repeat(100_000);
        assertThatThrownBy(() -> p.readPlan("{\"tasks\": []}", json -> {
            throw new IllegalStateException(huge);
        })).isInstanceOfSatisfying(PlannerException.class, e -> {
            assertThat(e.code()).isEqualTo(PlannerException.UNREADABLE_PLAN);
            assertThat(e.getMessage()).isEqualTo("the model's reply is not a readable plan: 1 problem(s)"
                    + " (reading it failed with java.lang.IllegalStateException)");
            assertThat(e.replannable()).isTrue();
            assertThat(e.problems()).singleElement().satisfies(problem -> {
                assertThat(problem.code()).isEqualTo(PlannerException.UNREADABLE_PLAN);
                assertThat(problem.message()).doesNotContain("xxx").hasSizeLessThan(200);
            });
        });
        String plan = "{\"tasks\": [{\"id\": \"task1\", \"service\": \"order-system\", \"input\": {}}]}";
        assertThat(p.readPlan("{\"a\": 1} then " + plan, json -> {
            if (json.contains("\"a\"")) {
                throw new IllegalStateException(huge);
            }
            return dev.baton.json.PlanJson.defaults().read(json);
        }).tasks()).extracting(t -> t.id()).containsExactly("task1");
    }

    /** A parameter holding {@code levels} nested arrays around a number. */
    private static PlanningRequest nested(int levels) {
        Object v = 1;
        for (int i = 0; i < levels; i++) {
            v = List.of(v);
        }
        return PlanningRequest.first(Action.of("deep", Map.of("p", v)), catalog());
    }

    @Test
    void paramsNestedAsDeepAsAnActionAllowsAreWrittenIntoThePrompt() {
        // the parameters object and 999 arrays: the deepest value an Action holds; the prompt adds its own levels
        // above it, past Jackson's default write limit of 1,000 (before: UncheckedIOException out of plan)
        server.reply(GOOD);
        assertThat(planner().build().plan(nested(999)).tasks()).hasSize(4);
        assertThat(server.requests.get(0).body().chars().filter(c -> c == '[').count()).isGreaterThan(999);
    }

    @Test
    void aRequestThatCannotBeWrittenIsPlannerUnavailableWithAShortReason() {
        com.fasterxml.jackson.databind.ObjectMapper shallow = new com.fasterxml.jackson.databind.ObjectMapper(
                com.fasterxml.jackson.core.JsonFactory.builder().streamWriteConstraints(
                        com.fasterxml.jackson.core.StreamWriteConstraints.builder().maxNestingDepth(10).build()).build());
        assertThatThrownBy(() -> LlmPlanner.requestBody(nested(900), "m", shallow))
                .isInstanceOfSatisfying(PlannerException.class, e -> {
                    assertThat(e.code()).isEqualTo(PlannerException.PLANNER_UNAVAILABLE);
                    assertThat(e.replannable()).isFalse();
                    // before: an UncheckedIOException whose message followed the path through every level
                    assertThat(e.getMessage()).startsWith("the planning request cannot be written as JSON: ")
                            .contains("nesting depth").doesNotContain("StreamWriteConstraints", "[").hasSizeLessThan(400);
                });
    }

    @Test
    void theReplyLimitIsTwiceThePlanLimitPlusAMebibyteAndSaturatesInsteadOfOverflowing() {
        long cap = Integer.MAX_VALUE - 8L;
        long largestExact = (cap - (1 << 20)) / 2;
        assertThat(LlmPlanner.replyLimit(1024)).isEqualTo(2048 + (1 << 20));
        assertThat(LlmPlanner.replyLimit(16L << 20)).isEqualTo(33 << 20);
        assertThat(LlmPlanner.replyLimit(largestExact)).isEqualTo(2 * largestExact + (1 << 20));
        assertThat(LlmPlanner.replyLimit(largestExact + 1)).isEqualTo(cap);
        // before: 2 * limit overflowed, to 1,048,574 bytes for Long.MAX_VALUE and below zero just under it
        assertThat(LlmPlanner.replyLimit(Long.MAX_VALUE)).isEqualTo(cap);
        assertThat(LlmPlanner.replyLimit(Long.MAX_VALUE / 2 + 1)).isEqualTo(cap);
        assertThat(planner().planJson(dev.baton.json.PlanJson.withLimits(dev.baton.validation.ValidationLimits.builder()
                .maxPlanBytes(Long.MAX_VALUE).build())).build().maxReplyBytes()).isEqualTo(cap);
    }

    @Test
    void theBackoffDoublesUpToTheLongestDelayWithoutOverflowingForHugeDelays() {
        LlmPlanner usual = planner().build();
        assertThat(java.util.stream.IntStream.rangeClosed(0, 5).mapToObj(usual::backoff)).extracting(Duration::toSeconds)
                .containsExactly(1L, 2L, 4L, 8L, 16L, 30L);
        assertThat(usual.backoff(20)).isEqualTo(Duration.ofSeconds(30));
        // before: ArithmeticException out of Duration.multipliedBy
        Duration longest = Duration.ofSeconds(Long.MAX_VALUE);
        long quarter = Long.MAX_VALUE / 4 + 1; // doubled once it fits, twice it does not
        LlmPlanner huge = planner().retryDelays(Duration.ofSeconds(quarter), longest).build();
        assertThat(huge.backoff(1)).isEqualTo(Duration.ofSeconds(2 * quarter));
        assertThat(huge.backoff(2)).isEqualTo(longest);
        assertThat(huge.backoff(20)).isEqualTo(longest);
    }

    @Test
    void aRefusalWithoutAnApiKeySaysNoneIsConfigured() {
        server.replyRaw(401, Map.of(), "").replyRaw(401, Map.of(), "");
        LlmPlanner keyless = LlmPlanner.builder().baseUrl(server.baseUrl()).model("m").sleeper(slept::add).build();
        // before: "answered HTTP 401: " and nothing else to go on
        assertThatThrownBy(() -> keyless.plan(request())).isInstanceOfSatisfying(PlannerException.class, e -> {
            assertThat(e.code()).isEqualTo("PLANNER_UNAVAILABLE");
            assertThat(e.getMessage()).contains("HTTP 401 (no API key is configured)");
        });
        assertThat(server.requests.get(0).authorization()).isNull();
        assertThatThrownBy(() -> planner().build().plan(request()))
                .satisfies(e -> assertThat(e.getMessage()).contains("HTTP 401").doesNotContain("no API key"));
        assertThat(slept).isEmpty();
    }
}
