package dev.baton.metrics;

import dev.baton.CircuitBreakerConfig;
import dev.baton.Orchestrator;
import dev.baton.RetryPolicy;
import dev.baton.RetryableException;
import dev.baton.RunHandle;
import dev.baton.RunOptions;
import dev.baton.RunResult;
import dev.baton.RunStatus;
import dev.baton.ServiceOptions;
import dev.baton.event.RunEvent;
import dev.baton.plan.Plan;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.time.ManualTime;
import dev.baton.transport.WebhookAttempt;
import dev.baton.transport.WebhookOutcome;
import dev.baton.transport.WebhookTransport;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One scripted day of an orchestrator, on manual time and a direct executor, so every count and every duration is
 * exact: a task that fails twice then succeeds, a task that times out then succeeds, a dead-lettered task with a
 * skipped dependent, a cancelled run, and a breaker that opens, refuses a call, half-opens and closes again.
 */
class ScriptedScenarioTest {

    private static final URI HOOK = URI.create("https://hooks.example.org/runs");
    private static final Set<String> SERVICES = Set.of("flaky", "slow", "broken", "ok", "gate", "fragile");

    private final ManualTime time = new ManualTime(Instant.parse("2026-01-01T00:00:00Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final BatonMetrics metrics = BatonMetrics.builder(registry).statusMaxAge(Duration.ZERO).build();
    private final Map<String, Deque<CompletableFuture<Object>>> pending = new ConcurrentHashMap<>();
    private final List<RunEvent> events = new CopyOnWriteArrayList<>();
    private Orchestrator o;

    private CompletableFuture<Object> hold(String service) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        pending.computeIfAbsent(service, s -> new ArrayDeque<>()).addLast(f);
        return f;
    }

    /** The latest attempt of a service still waiting; earlier ones were timed out or cancelled. */
    private CompletableFuture<Object> latest(String service) {
        CompletableFuture<Object> f = pending.get(service).pollLast();
        assertThat(f).isNotNull();
        assertThat(f).isNotDone();
        return f;
    }

    /** A webhook transport whose first attempt of each delivery is answered 503 and whose second is accepted. */
    private final class TwiceTransport implements WebhookTransport {
        @Override
        public CompletionStage<WebhookAttempt> deliver(URI destination, RunResult result, int firstAttempt,
                                                       Consumer<? super WebhookAttempt> onAttempt) {
            CompletableFuture<WebhookAttempt> done = new CompletableFuture<>();
            onAttempt.accept(new WebhookAttempt(result.runId(), destination, firstAttempt, WebhookOutcome.RETRYING, 503,
                    "HTTP 503", time.instant(), Duration.ofSeconds(10)));
            time.schedule(Duration.ofSeconds(10), () -> {
                WebhookAttempt a = new WebhookAttempt(result.runId(), destination, firstAttempt + 1,
                        WebhookOutcome.DELIVERED, 204, null, time.instant(), null);
                onAttempt.accept(a);
                done.complete(a);
            });
            return done;
        }
    }

    private static RetryPolicy retries(int attempts) {
        return RetryPolicy.builder().maxAttempts(attempts).backoff(Duration.ofSeconds(1), Duration.ofSeconds(1))
                .jitter(0).abortOn(IllegalStateException.class).build();
    }

    private Orchestrator build() {
        CircuitBreakerConfig tripsAtOnce = CircuitBreakerConfig.builder().slidingWindowSize(2).minimumCalls(2)
                .failureRateThreshold(50).waitInOpen(Duration.ofSeconds(30)).permittedCallsInHalfOpen(1).build();
        return metrics.instrument(Orchestrator.builder().time(time).executor(Runnable::run)
                        .retryPolicy(retries(3))
                        .webhooks(new TwiceTransport())
                        .listener(events::add)
                        .asyncService("flaky", ctx -> hold("flaky"))
                        .asyncService(ServiceDescriptor.of("slow"), ctx -> hold("slow"),
                                ServiceOptions.builder().timeout(Duration.ofSeconds(5)).retryPolicy(retries(2)).build())
                        .asyncService(ServiceDescriptor.of("broken"), ctx -> hold("broken"),
                                ServiceOptions.builder().retryPolicy(retries(2)).build())
                        .service("ok", ctx -> "fine")
                        .asyncService("gate", ctx -> hold("gate"))
                        .asyncService(ServiceDescriptor.of("fragile"), ctx -> hold("fragile"),
                                ServiceOptions.builder().retryPolicy(retries(2)).circuitBreaker(tripsAtOnce).build()))
                .build();
    }

    @AfterEach
    void close() {
        if (o != null) {
            o.close();
        }
        metrics.close();
    }

    private RunHandle submit(String runId, Plan plan, RunOptions.Builder options) {
        return o.submit(plan, options.runId(runId).build());
    }

    private static RunStatus status(RunHandle h) {
        RunResult r = h.result().getNow(null);
        assertThat(r).as("run %s has ended", h.runId()).isNotNull();
        return r.status();
    }

    private double gauge(String name, String service) {
        return registry.get(name).tag("service", service).gauge().value();
    }

    @Test
    void everyMeterHasItsExactValueAfterTheScript() {
        o = build();
        metrics.bindTo(o);

        // A: flaky fails twice, then succeeds; its result's webhook is refused once, then delivered
        RunHandle a = submit("run-A", Plan.builder().task("a", "flaky", Map.of()).build(),
                RunOptions.builder().webhook(HOOK));
        time.advance(Duration.ofMillis(100));
        latest("flaky").completeExceptionally(new RetryableException("first"));
        time.advance(Duration.ofSeconds(1));
        time.advance(Duration.ofMillis(200));
        latest("flaky").completeExceptionally(new RetryableException("second"));
        time.advance(Duration.ofSeconds(1));
        time.advance(Duration.ofMillis(300));
        assertThat(gauge("baton.service.in.flight", "flaky")).isEqualTo(1.0);
        assertThat(registry.get("baton.tasks.running").gauge().value()).isEqualTo(1.0);
        assertThat(registry.get("baton.runs.active").gauge().value()).isEqualTo(1.0);
        latest("flaky").complete("third time");
        assertThat(status(a)).isEqualTo(RunStatus.COMPLETED);                  // at 2.6 s

        // B: slow times out after 5 s, then succeeds in 50 ms
        RunHandle b = submit("run-B", Plan.builder().task("t", "slow", Map.of()).build(), RunOptions.builder());
        time.advance(Duration.ofSeconds(5));
        time.advance(Duration.ofSeconds(1));
        time.advance(Duration.ofMillis(50));
        latest("slow").complete("late but fine");
        assertThat(status(b)).isEqualTo(RunStatus.COMPLETED);                  // 2.6 s .. 8.65 s

        // C: broken fails twice and is dead-lettered; its dependent on "ok" is skipped
        RunHandle c = submit("run-C", Plan.builder().task("b", "broken", Map.of())
                .task("after", "ok", Map.of("x", "$b")).build(), RunOptions.builder());
        time.advance(Duration.ofMillis(10));
        latest("broken").completeExceptionally(new RetryableException("down"));
        time.advance(Duration.ofSeconds(1));
        time.advance(Duration.ofMillis(20));
        latest("broken").completeExceptionally(new RetryableException("still down"));
        assertThat(status(c)).isEqualTo(RunStatus.FAILED);                     // 8.65 s .. 9.68 s
        assertThat(o.deadLetters()).hasSize(1);

        // D: cancelled while its gate task runs; the pending dependent is cancelled without an attempt
        RunHandle d = submit("run-D", Plan.builder().task("g", "gate", Map.of())
                .task("next", "ok", Map.of("x", "$g")).build(), RunOptions.builder());
        time.advance(Duration.ofMillis(400));
        assertThat(d.cancel()).isTrue();
        assertThat(status(d)).isEqualTo(RunStatus.CANCELLED);                  // 9.68 s .. 10.08 s

        // E: two failures open fragile's breaker; the third run's first attempt is refused, its retry waits out
        // the 30 s in open, passes as the half-open trial and closes the breaker
        RunHandle e1 = submit("run-E1", Plan.builder().task("e", "fragile", Map.of()).build(), RunOptions.builder());
        latest("fragile").completeExceptionally(new IllegalStateException("no"));
        assertThat(gauge("baton.breaker.state", "fragile")).isEqualTo(0.0);
        RunHandle e2 = submit("run-E2", Plan.builder().task("e", "fragile", Map.of()).build(), RunOptions.builder());
        latest("fragile").completeExceptionally(new IllegalStateException("no"));
        assertThat(status(e1)).isEqualTo(RunStatus.FAILED);
        assertThat(status(e2)).isEqualTo(RunStatus.FAILED);
        assertThat(gauge("baton.breaker.state", "fragile")).isEqualTo(2.0);
        RunHandle e3 = submit("run-E3", Plan.builder().task("e", "fragile", Map.of()).build(), RunOptions.builder());
        assertThat(pending.get("fragile")).isEmpty(); // refused: the service was not called
        time.advance(Duration.ofSeconds(30));
        assertThat(gauge("baton.breaker.state", "fragile")).isEqualTo(1.0);
        time.advance(Duration.ofMillis(100));
        latest("fragile").complete("recovered");
        assertThat(status(e3)).isEqualTo(RunStatus.COMPLETED);                 // 10.08 s .. 40.18 s
        assertThat(gauge("baton.breaker.state", "fragile")).isEqualTo(0.0);

        Map<String, String> expected = new TreeMap<>();
        expected.put("baton.runs.started{}", "7");
        expected.put("baton.runs.ended{status=COMPLETED}", "3");
        expected.put("baton.runs.ended{status=FAILED}", "3");
        expected.put("baton.runs.ended{status=CANCELLED}", "1");
        expected.put("baton.runs.duration{status=COMPLETED}", Meters.timer(3, Duration.ofMillis(2_600 + 6_050 + 30_100)));
        expected.put("baton.runs.duration{status=FAILED}", Meters.timer(3, Duration.ofMillis(1_030)));
        expected.put("baton.runs.duration{status=CANCELLED}", Meters.timer(1, Duration.ofMillis(400)));
        expected.put("baton.runs.active{}", "0.0");
        expected.put("baton.tasks.running{}", "0.0");
        expected.put("baton.webhooks.attempts{outcome=RETRYING}", "1");
        expected.put("baton.webhooks.attempts{outcome=DELIVERED}", "1");
        for (String s : SERVICES) {
            for (String gauge : List.of("in.flight", "queued", "waiting.health", "capacity")) {
                expected.put("baton.service." + gauge + "{service=" + s + "}", "0.0");
            }
            expected.put("baton.breaker.state{service=" + s + "}", "0.0");
        }
        perService(expected, "flaky", 3, 2, 0, 0);
        attempts(expected, "flaky", "FAILED", 2, Duration.ofMillis(300));
        attempts(expected, "flaky", "COMPLETED", 1, Duration.ofMillis(300));
        perService(expected, "slow", 2, 1, 0, 0);
        attempts(expected, "slow", "TIMEOUT", 1, Duration.ofSeconds(5));
        attempts(expected, "slow", "COMPLETED", 1, Duration.ofMillis(50));
        perService(expected, "broken", 2, 1, 1, 0);
        attempts(expected, "broken", "FAILED", 2, Duration.ofMillis(30));
        perService(expected, "ok", 0, 0, 0, 1);
        perService(expected, "gate", 1, 0, 0, 0);
        attempts(expected, "gate", "CANCELLED", 1, Duration.ofMillis(400));
        perService(expected, "fragile", 4, 1, 0, 0);
        attempts(expected, "fragile", "FAILED", 2, Duration.ZERO);
        attempts(expected, "fragile", "CIRCUIT_OPEN", 1, Duration.ZERO);
        attempts(expected, "fragile", "COMPLETED", 1, Duration.ofMillis(100));
        expected.put("baton.breaker.transitions{from=CLOSED,service=fragile,to=OPEN}", "1");
        expected.put("baton.breaker.transitions{from=OPEN,service=fragile,to=HALF_OPEN}", "1");
        expected.put("baton.breaker.transitions{from=HALF_OPEN,service=fragile,to=CLOSED}", "1");

        assertThat(Meters.all(registry)).isEqualTo(expected);
        assertThat(metrics.trackedRuns()).isZero();
        assertThat(metrics.trackedAttempts()).isZero();

        // no meter is tagged with anything but the documented keys, nor with any run, task or execution id
        Set<String> ids = new HashSet<>();
        for (RunEvent ev : events) {
            ids.add(ev.runId());
            if (ev.taskId() != null) {
                ids.add(ev.taskId());
                ids.add(ev.runId() + "/" + ev.taskId());
            }
        }
        assertThat(ids).contains("run-A", "after", "run-C/b");
        for (Meter m : registry.getMeters()) {
            for (Tag t : m.getId().getTags()) {
                assertThat(t.getKey()).isIn("service", "status", "outcome", "from", "to");
                assertThat(t.getValue()).as(Meters.id(m)).isNotIn(ids);
            }
        }
    }

    @Test
    void anAttemptCutShortByItsRunsTimeoutEndsAsATimeout() {
        o = build();
        metrics.bindTo(o);

        // gate has no timeout of its own: the run's timeout of 3 s ends its attempt
        RunHandle h = submit("run-T", Plan.builder().task("g", "gate", Map.of()).build(),
                RunOptions.builder().timeout(Duration.ofSeconds(3)));
        time.advance(Duration.ofSeconds(3));
        assertThat(status(h)).isEqualTo(RunStatus.FAILED);

        assertThat(Meters.all(registry)).containsEntry(
                "baton.tasks.attempts.ended{outcome=TIMEOUT,service=gate}", "1").containsEntry(
                "baton.tasks.attempts.duration{outcome=TIMEOUT,service=gate}", Meters.timer(1, Duration.ofSeconds(3)));
        assertThat(registry.find("baton.tasks.attempts.ended").tag("outcome", "FAILED").counters()).isEmpty();
    }

    private static void perService(Map<String, String> expected, String service, long started, long retries,
                                   long deadLetters, long skipped) {
        expected.put("baton.tasks.attempts.started{service=" + service + "}", String.valueOf(started));
        expected.put("baton.tasks.retries{service=" + service + "}", String.valueOf(retries));
        expected.put("baton.tasks.dead.letters{service=" + service + "}", String.valueOf(deadLetters));
        expected.put("baton.tasks.skipped{service=" + service + "}", String.valueOf(skipped));
    }

    private static void attempts(Map<String, String> expected, String service, String outcome, long count,
                                 Duration total) {
        expected.put("baton.tasks.attempts.ended{outcome=" + outcome + ",service=" + service + "}",
                String.valueOf(count));
        expected.put("baton.tasks.attempts.duration{outcome=" + outcome + ",service=" + service + "}",
                Meters.timer(count, total));
    }
}
