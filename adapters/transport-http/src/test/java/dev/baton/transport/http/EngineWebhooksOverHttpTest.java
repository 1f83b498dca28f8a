package dev.baton.transport.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.Orchestrator;
import dev.baton.RunListener;
import dev.baton.RunOptions;
import dev.baton.RunResult;
import dev.baton.event.RunEvent;
import dev.baton.event.WebhookAttempted;
import dev.baton.persistence.LogInvariants;
import dev.baton.plan.Plan;
import dev.baton.store.InMemoryRunStore;
import dev.baton.time.ManualTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Result webhooks wired to run ends, against real receivers on loopback; time moves by hand. */
class EngineWebhooksOverHttpTest {

    private static final String SECRET = "whsec-engine-canary-7c3f19";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ManualTime time = new ManualTime(Instant.parse("2026-03-01T10:00:00Z"));
    private final InMemoryRunStore store = new InMemoryRunStore();
    private final BlockingQueue<WebhookAttempted> heard = new LinkedBlockingQueue<>();
    private final List<RunEvent> allEvents = new CopyOnWriteArrayList<>();
    private final List<FakeServer> servers = new ArrayList<>();

    @AfterEach
    void close() {
        servers.forEach(FakeServer::close);
    }

    private FakeServer receiver(FakeServer.Script script) throws IOException {
        FakeServer s = new FakeServer(script);
        servers.add(s);
        return s;
    }

    private Orchestrator orchestrator(DestinationPolicy policy) {
        WebhookSender sender = WebhookSender.builder().secret(SECRET).scheduler(time).clock(time).destinations(policy)
                .backoff(Duration.ofSeconds(1), Duration.ofSeconds(30)).build();
        return Orchestrator.builder().time(time).store(store).webhooks(sender)
                .service("customer-service", ctx -> Map.of("name", "Ada"))
                .listener(e -> {
                    allEvents.add(e);
                    if (e instanceof WebhookAttempted w) {
                        heard.add(w);
                    }
                })
                .build();
    }

    private static DestinationPolicy loopbackAllowed() {
        return DestinationPolicy.builder().allowHost("127.0.0.1").allowLoopback(true).build();
    }

    private static Plan plan() {
        return Plan.builder().task("task1", "customer-service", Map.of()).build();
    }

    private WebhookAttempted next() throws InterruptedException {
        time.runDue();   // the first attempt starts on the scheduler
        WebhookAttempted a = heard.poll(20, TimeUnit.SECONDS);
        assertThat(a).as("a webhook attempt was recorded").isNotNull();
        return a;
    }

    private List<WebhookAttempted> logged(String runId) {
        return store.events(runId).stream().filter(e -> e instanceof WebhookAttempted)
                .map(e -> (WebhookAttempted) e).toList();
    }

    @Test
    void anEndedRunIsDeliveredOnceWithAValidSignature() throws Exception {
        WebhookSignature verifier = WebhookSignature.verifier(SECRET.getBytes(StandardCharsets.UTF_8),
                Duration.ofMinutes(5), time);
        List<String> verdicts = new CopyOnWriteArrayList<>();
        FakeServer hook = receiver((ex, body) -> {
            try {
                verifier.verify(ex.getRequestHeaders().getFirst(WebhookSignature.HEADER), body);
                verdicts.add("ok");
                FakeServer.respond(ex, 204, "");
            } catch (WebhookException e) {
                verdicts.add(e.code());
                FakeServer.respond(ex, 401, "");
            }
        });
        URI dest = hook.uri("/hooks/runs");
        try (Orchestrator o = orchestrator(loopbackAllowed())) {
            RunResult r = o.submit(plan(), RunOptions.builder().runId("order-ORD456").webhook(dest).build())
                    .await(Duration.ofSeconds(10));
            assertThat(r.isCompleted()).isTrue();
            assertThat(hook.received).as("nothing is sent from the thread that ended the run").isEmpty();
            WebhookAttempted a = next();
            assertThat(a.outcome()).isEqualTo(WebhookAttempted.DELIVERED);
            assertThat(a.attempt()).isEqualTo(1);
            assertThat(a.status()).isEqualTo(204);
            assertThat(a.destination()).isEqualTo(dest.toString());
        }
        assertThat(verdicts).containsExactly("ok");
        assertThat(hook.received).singleElement().satisfies(req -> {
            assertThat(req.method()).isEqualTo("POST");
            assertThat(req.path()).isEqualTo("/hooks/runs");
            @SuppressWarnings("unchecked")
            Map<String, Object> body = JSON.readValue(req.body(), Map.class);
            assertThat(body.keySet()).containsExactly("runId", "status", "results", "error");
            assertThat(body.get("runId")).isEqualTo("order-ORD456");
            assertThat(body.get("status")).isEqualTo("COMPLETED");
            assertThat(body.get("results")).isEqualTo(Map.of("task1", Map.of("name", "Ada")));
            assertThat(body.get("error")).isNull();
        });
        assertThat(logged("order-ORD456")).hasSize(1);
        assertThat(LogInvariants.check(store.events("order-ORD456"))).isEmpty();
        // the secret is nowhere: not in the log, not in what listeners heard, not in the settings
        assertThat(store.events("order-ORD456").toString()).doesNotContain(SECRET);
        assertThat(allEvents.toString()).doesNotContain(SECRET);
    }

    @Test
    void aReceiverThatFailsTwiceThenAcceptsLeavesThreeAttemptsInTheLog() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        FakeServer hook = receiver((ex, body) -> FakeServer.respond(ex, calls.incrementAndGet() <= 2 ? 503 : 200,
                "{\"echo\":\"" + ex.getRequestHeaders().getFirst(WebhookSignature.HEADER) + "\"}"));
        try (Orchestrator o = orchestrator(loopbackAllowed())) {
            RunResult r = o.submit(plan(), RunOptions.builder().runId("flaky-hook").webhook(hook.uri("/h")).build())
                    .await(Duration.ofSeconds(10));
            assertThat(r.isCompleted()).isTrue();
            WebhookAttempted first = next();
            assertThat(first.outcome()).isEqualTo(WebhookAttempted.RETRYING);
            assertThat(first.status()).isEqualTo(503);
            assertThat(first.nextAttemptAt()).isEqualTo(time.instant().plusSeconds(1));
            time.advance(Duration.ofSeconds(1));
            WebhookAttempted second = next();
            assertThat(second.outcome()).isEqualTo(WebhookAttempted.RETRYING);
            assertThat(second.nextAttemptAt()).isEqualTo(time.instant().plusSeconds(2));
            time.advance(Duration.ofSeconds(2));
            assertThat(next().outcome()).isEqualTo(WebhookAttempted.DELIVERED);
        }
        assertThat(calls).hasValue(3);
        assertThat(logged("flaky-hook")).extracting(WebhookAttempted::attempt, WebhookAttempted::outcome,
                WebhookAttempted::status).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, WebhookAttempted.RETRYING, 503),
                org.assertj.core.groups.Tuple.tuple(2, WebhookAttempted.RETRYING, 503),
                org.assertj.core.groups.Tuple.tuple(3, WebhookAttempted.DELIVERED, 200));
        // every attempt was signed afresh; the signature never went into the log
        assertThat(hook.received).extracting(q -> q.headers().getFirst(WebhookSignature.HEADER)).doesNotContainNull();
        assertThat(store.events("flaky-hook").toString()).doesNotContain(SECRET).doesNotContain("v1=");
        assertThat(LogInvariants.check(store.events("flaky-hook"))).isEmpty();
    }

    @Test
    void aRefusedDestinationIsRecordedNotThrownAndNeverCalled() throws Exception {
        FakeServer hook = receiver((ex, body) -> FakeServer.respond(ex, 204, ""));
        DestinationPolicy noLoopback = DestinationPolicy.builder().allowHost("127.0.0.1").build();
        try (Orchestrator o = orchestrator(noLoopback)) {
            RunResult r = o.submit(plan(), RunOptions.builder().runId("refused").webhook(hook.uri("/h")).build())
                    .await(Duration.ofSeconds(10));
            assertThat(r.isCompleted()).isTrue();
            WebhookAttempted a = next();
            assertThat(a.outcome()).isEqualTo(WebhookAttempted.REFUSED);
            assertThat(a.status()).isZero();
            assertThat(a.error()).isNotBlank();
            assertThat(o.inspect("refused").orElseThrow().status().isTerminal()).isTrue();
        }
        assertThat(hook.received).isEmpty();
        assertThat(logged("refused")).hasSize(1);
        assertThat(LogInvariants.check(store.events("refused"))).isEmpty();
    }
}
