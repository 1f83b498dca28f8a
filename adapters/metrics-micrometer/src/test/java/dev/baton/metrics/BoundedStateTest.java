package dev.baton.metrics;

import dev.baton.Orchestrator;
import dev.baton.RetryPolicy;
import dev.baton.RetryableException;
import dev.baton.RunHandle;
import dev.baton.RunStatus;
import dev.baton.plan.Plan;
import dev.baton.store.InMemoryRunStore;
import dev.baton.time.ManualTime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** What the metrics keep per run and attempt stays bounded, and goes when the runs end or leave. */
class BoundedStateTest {

    private final ManualTime time = new ManualTime(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryRunStore store = new InMemoryRunStore();
    private final Deque<CompletableFuture<Object>> held = new ArrayDeque<>();

    private CompletableFuture<Object> hold() {
        CompletableFuture<Object> f = new CompletableFuture<>();
        held.addLast(f);
        return f;
    }

    private static double count(SimpleMeterRegistry r, String name, String... tags) {
        return r.get(name).tags(tags).counter().count();
    }

    private static Plan twoSteps() {
        return Plan.builder().task("first", "step", Map.of()).task("second", "step", Map.of("x", "$first")).build();
    }

    @Test
    void tenThousandRunsLeaveNoStateBehind() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (BatonMetrics metrics = BatonMetrics.builder(registry).build();
             Orchestrator o = metrics.instrument(Orchestrator.builder().time(time).executor(Runnable::run)
                     .service("step", ctx -> "done")).build()) {
            metrics.bindTo(o);
            for (int i = 0; i < 10_000; i++) {
                assertThat(o.submit(twoSteps()).result().getNow(null).status()).isEqualTo(RunStatus.COMPLETED);
            }
            assertThat(metrics.trackedRuns()).isZero();
            assertThat(metrics.trackedAttempts()).isZero();
            assertThat(count(registry, "baton.runs.started")).isEqualTo(10_000);
            assertThat(count(registry, "baton.runs.ended", "status", "COMPLETED")).isEqualTo(10_000);
            assertThat(count(registry, "baton.tasks.attempts.started", "service", "step")).isEqualTo(20_000);
            assertThat(count(registry, "baton.tasks.attempts.ended", "service", "step", "outcome", "COMPLETED"))
                    .isEqualTo(20_000);
        }
    }

    @Test
    void runningAttemptsAreKeptWhileTheyRunOnly() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (BatonMetrics metrics = BatonMetrics.builder(registry).build();
             Orchestrator o = metrics.instrument(Orchestrator.builder().time(time).executor(Runnable::run)
                     .asyncService("step", ctx -> hold())).build()) {
            List<RunHandle> handles = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                handles.add(o.submit(Plan.builder().task("a", "step", Map.of()).task("b", "step", Map.of()).build()));
            }
            assertThat(metrics.trackedRuns()).isEqualTo(100);
            assertThat(metrics.trackedAttempts()).isEqualTo(200); // no dependency: both tasks of each run start
            time.advance(Duration.ofMillis(5));
            while (!held.isEmpty()) {
                held.pollFirst().complete("done");
            }
            assertThat(handles).allSatisfy(h -> assertThat(h.result().getNow(null).status())
                    .isEqualTo(RunStatus.COMPLETED));
            assertThat(metrics.trackedRuns()).isZero();
            assertThat(metrics.trackedAttempts()).isZero();
            assertThat(registry.get("baton.tasks.attempts.duration").tags("service", "step", "outcome", "COMPLETED")
                    .timer().mean(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(5.0);
        }
    }

    @Test
    void pastTheBoundTheLeastRecentlyActiveRunsMakeRoomAndTheirEndsStillCount() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (BatonMetrics metrics = BatonMetrics.builder(registry).maxTrackedRuns(100).build();
             Orchestrator o = metrics.instrument(Orchestrator.builder().time(time).executor(Runnable::run)
                     .asyncService("step", ctx -> hold())).build()) {
            metrics.bindTo(o); // a run dropped to make room is looked up again at its next event
            List<RunHandle> handles = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                handles.add(o.submit(Plan.builder().task("a", "step", Map.of()).build()));
                time.advance(Duration.ofMillis(1));
                assertThat(metrics.trackedRuns()).isLessThanOrEqualTo(100);
            }
            assertThat(metrics.trackedRuns()).isBetween(90, 100);
            assertThat(metrics.trackedAttempts()).isEqualTo(metrics.trackedRuns());
            // the newest runs are the ones kept: completing the last one times its attempt and its run
            held.pollLast().complete("last");
            assertThat(registry.get("baton.tasks.attempts.duration").tags("service", "step", "outcome", "COMPLETED")
                    .timer().count()).isEqualTo(1);
            assertThat(registry.get("baton.runs.duration").tags("status", "COMPLETED").timer().count()).isEqualTo(1);

            while (!held.isEmpty()) {
                held.pollFirst().complete("done");
            }
            assertThat(handles).allSatisfy(h -> assertThat(h.result().getNow(null).status())
                    .isEqualTo(RunStatus.COMPLETED));
            assertThat(count(registry, "baton.tasks.attempts.started", "service", "step")).isEqualTo(1_000);
            assertThat(count(registry, "baton.tasks.attempts.ended", "service", "step", "outcome", "COMPLETED"))
                    .isEqualTo(1_000);
            assertThat(count(registry, "baton.runs.ended", "status", "COMPLETED")).isEqualTo(1_000);
            assertThat(registry.get("baton.tasks.attempts.duration").tags("service", "step", "outcome", "COMPLETED")
                    .timer().count()).isBetween(1L, 100L);
            assertThat(registry.find("baton.tasks.attempts.ended").tag("service", BatonMetrics.UNKNOWN_SERVICE)
                    .counters()).isEmpty();
            assertThat(metrics.trackedRuns()).isZero();
            assertThat(metrics.trackedAttempts()).isZero();
        }
    }

    @Test
    void everyAttemptOfARunDroppedToMakeRoomThatFailsAfterwardsStillCounts() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (BatonMetrics metrics = BatonMetrics.builder(registry).maxTrackedRuns(2).build();
             Orchestrator o = metrics.instrument(Orchestrator.builder().time(time).executor(Runnable::run)
                     .retryPolicy(RetryPolicy.builder().maxAttempts(1).build())
                     .asyncService("step", ctx -> hold())).build()) {
            metrics.bindTo(o);
            // two attempts of one run running side by side, then two newer runs: the first run makes room
            RunHandle both = o.submit(Plan.builder().task("a", "step", Map.of()).task("b", "step", Map.of()).build());
            for (int i = 0; i < 2; i++) {
                time.advance(Duration.ofMillis(1));
                o.submit(Plan.builder().task("c", "step", Map.of()).build());
            }
            assertThat(metrics.trackedAttempts()).as("attempts kept once the first run made room").isEqualTo(1);

            CompletableFuture<Object> a = held.pollFirst();
            CompletableFuture<Object> b = held.pollFirst();
            a.completeExceptionally(new IllegalStateException("a failed"));
            b.completeExceptionally(new IllegalStateException("b failed"));
            assertThat(both.result().getNow(null).status()).isEqualTo(RunStatus.FAILED);

            assertThat(count(registry, "baton.tasks.attempts.started", "service", "step")).isEqualTo(4);
            assertThat(count(registry, "baton.tasks.attempts.ended", "service", "step", "outcome", "FAILED"))
                    .as("the failed attempts of the run that made room, counted untimed").isEqualTo(2);
            while (!held.isEmpty()) {
                held.pollFirst().complete("done");
            }
        }
    }

    @Test
    void anAttemptLeftByCloseIsDroppedAndTheNextOrchestratorCountsItsResumedRun() {
        SimpleMeterRegistry first = new SimpleMeterRegistry();
        BatonMetrics before = BatonMetrics.builder(first).statusMaxAge(Duration.ZERO).build();
        Orchestrator o1 = before.instrument(Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .shutdownTimeout(Duration.ZERO).asyncService("svc", ctx -> hold())).build();
        before.bindTo(o1);
        RunHandle h = o1.submit(Plan.builder().task("a", "svc", Map.of()).build());
        // busy: readings of the gauges keep what runs
        first.get("baton.runs.active").gauge().value();
        first.get("baton.runs.active").gauge().value();
        assertThat(before.trackedAttempts()).isEqualTo(1);

        time.advance(Duration.ofSeconds(1));
        o1.close(); // the attempt's end is never written: the run stays in the store, unfinished
        assertThat(h.result()).isCompletedExceptionally();
        assertThat(before.trackedAttempts()).isEqualTo(1);
        assertThat(first.get("baton.runs.active").gauge().value()).isZero(); // first idle reading
        assertThat(before.trackedAttempts()).isEqualTo(1);
        first.get("baton.runs.active").gauge().value();                     // second: what it kept goes
        assertThat(before.trackedRuns()).isZero();
        assertThat(before.trackedAttempts()).isZero();
        assertThat(count(first, "baton.tasks.attempts.started", "service", "svc")).isEqualTo(1);
        assertThat(first.find("baton.tasks.attempts.ended").counters()).isEmpty();
        before.close();

        held.clear();
        SimpleMeterRegistry second = new SimpleMeterRegistry();
        try (BatonMetrics after = BatonMetrics.builder(second).statusMaxAge(Duration.ZERO).build();
             Orchestrator o2 = after.instrument(Orchestrator.builder().store(store).time(time)
                     .executor(Runnable::run).asyncService("svc", ctx -> hold())).build()) {
            // build() resumed the run and started its task again: its service is not known until bindTo
            assertThat(held).hasSize(1);
            assertThat(after.trackedAttempts()).isEqualTo(1);
            assertThat(second.find("baton.tasks.attempts.started").tag("service", "svc").counter()).isNull();
            after.bindTo(o2);
            assertThat(count(second, "baton.tasks.attempts.started", "service", "svc")).isEqualTo(1);

            time.advance(Duration.ofSeconds(2));
            held.pollFirst().complete("resumed");
            assertThat(o2.inspect(h.runId()).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(Meters.value(second.get("baton.tasks.attempts.duration")
                    .tags("service", "svc", "outcome", "COMPLETED").timer()))
                    .isEqualTo(Meters.timer(1, Duration.ofSeconds(2)));
            // from the run's creation under the first orchestrator to its end under the second
            assertThat(Meters.value(second.get("baton.runs.duration").tags("status", "COMPLETED").timer()))
                    .isEqualTo(Meters.timer(1, Duration.ofSeconds(3)));
            assertThat(count(second, "baton.runs.started")).isZero(); // created under the first
            assertThat(after.trackedRuns()).isZero();
        }
    }

    @Test
    void aRedrivenRunIsLookedUpOnceAndCountsUnderItsServices() {
        AtomicBoolean down = new AtomicBoolean(true);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (BatonMetrics metrics = BatonMetrics.builder(registry).build();
             Orchestrator o = metrics.instrument(Orchestrator.builder().time(time).executor(Runnable::run)
                     .retryPolicy(RetryPolicy.builder().maxAttempts(1).build())
                     .service("fickle", ctx -> {
                         if (down.get()) {
                             throw new RetryableException("down");
                         }
                         return "up";
                     })
                     .service("then", ctx -> "next")).build()) {
            metrics.bindTo(o);
            RunHandle h = o.submit(Plan.builder().task("f", "fickle", Map.of())
                    .task("t", "then", Map.of("x", "$f")).build());
            assertThat(h.result().getNow(null).status()).isEqualTo(RunStatus.FAILED);
            assertThat(metrics.trackedRuns()).isZero();

            down.set(false);
            time.advance(Duration.ofMinutes(1));
            RunHandle again = o.redrive(o.deadLetters().get(0));
            assertThat(again.result().getNow(null).status()).isEqualTo(RunStatus.COMPLETED);

            assertThat(count(registry, "baton.tasks.attempts.started", "service", "fickle")).isEqualTo(2);
            assertThat(count(registry, "baton.tasks.attempts.ended", "service", "fickle", "outcome", "FAILED"))
                    .isEqualTo(1);
            assertThat(count(registry, "baton.tasks.attempts.ended", "service", "fickle", "outcome", "COMPLETED"))
                    .isEqualTo(1);
            assertThat(count(registry, "baton.tasks.attempts.started", "service", "then")).isEqualTo(1);
            assertThat(count(registry, "baton.tasks.skipped", "service", "then")).isEqualTo(1);
            assertThat(count(registry, "baton.tasks.dead.letters", "service", "fickle")).isEqualTo(1);
            assertThat(registry.find("baton.tasks.attempts.started").tag("service", BatonMetrics.UNKNOWN_SERVICE)
                    .counter()).isNull();
            assertThat(count(registry, "baton.runs.started")).isEqualTo(1);
            assertThat(count(registry, "baton.runs.ended", "status", "FAILED")).isEqualTo(1);
            assertThat(count(registry, "baton.runs.ended", "status", "COMPLETED")).isEqualTo(1);
            // the second end is timed from the run's creation
            assertThat(Meters.value(registry.get("baton.runs.duration").tags("status", "COMPLETED").timer()))
                    .isEqualTo(Meters.timer(1, Duration.ofMinutes(1)));
            assertThat(metrics.trackedRuns()).isZero();
        }
    }
}
