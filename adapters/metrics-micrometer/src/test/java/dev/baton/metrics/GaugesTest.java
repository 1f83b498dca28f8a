package dev.baton.metrics;

import dev.baton.Orchestrator;
import dev.baton.RetryPolicy;
import dev.baton.RunHandle;
import dev.baton.RunStatus;
import dev.baton.ServiceOptions;
import dev.baton.plan.Plan;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.time.ManualTime;
import dev.baton.transport.HealthListener;
import dev.baton.transport.HealthSource;
import dev.baton.transport.ServiceHealth;
import dev.baton.transport.TaskRequest;
import dev.baton.transport.TaskTransport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The gauges follow {@code Orchestrator.status()}; they are read when the registry reads them, and go at close. */
class GaugesTest {

    private final ManualTime time = new ManualTime(Instant.parse("2026-01-01T00:00:00Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Deque<CompletableFuture<Object>> held = new ArrayDeque<>();
    private Orchestrator o;
    private BatonMetrics metrics;

    @AfterEach
    void close() {
        if (o != null) {
            o.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }

    private CompletableFuture<Object> hold() {
        CompletableFuture<Object> f = new CompletableFuture<>();
        held.addLast(f);
        return f;
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    private double gauge(String name, String service) {
        return registry.get(name).tag("service", service).gauge().value();
    }

    private Orchestrator gated(BatonMetrics m) {
        return m.instrument(Orchestrator.builder().time(time).executor(Runnable::run)
                .asyncService(ServiceDescriptor.of("gate"), ctx -> hold(), ServiceOptions.builder().capacity(1).build()))
                .build();
    }

    private static Plan one() {
        return Plan.builder().task("a", "gate", Map.of()).build();
    }

    @Test
    void activeRunsRunningTasksInFlightAndQueuedTrackTheStatus() {
        metrics = BatonMetrics.builder(registry).statusMaxAge(Duration.ZERO).build();
        o = gated(metrics);
        metrics.bindTo(o);
        assertThat(gauge("baton.runs.active")).isZero();
        assertThat(gauge("baton.service.capacity", "gate")).isEqualTo(1.0);

        RunHandle first = o.submit(one());
        RunHandle second = o.submit(one());
        RunHandle third = o.submit(one());
        assertThat(gauge("baton.runs.active")).isEqualTo(3.0);
        assertThat(gauge("baton.tasks.running")).isEqualTo(1.0);
        assertThat(gauge("baton.service.in.flight", "gate")).isEqualTo(1.0);
        assertThat(gauge("baton.service.queued", "gate")).isEqualTo(2.0);

        held.pollFirst().complete(1);
        assertThat(first.result().getNow(null).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(gauge("baton.runs.active")).isEqualTo(2.0);
        assertThat(gauge("baton.service.in.flight", "gate")).isEqualTo(1.0);
        assertThat(gauge("baton.service.queued", "gate")).isEqualTo(1.0);

        held.pollFirst().complete(2);
        held.pollFirst().complete(3);
        assertThat(second.result().getNow(null).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(third.result().getNow(null).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(gauge("baton.runs.active")).isZero();
        assertThat(gauge("baton.tasks.running")).isZero();
        assertThat(gauge("baton.service.in.flight", "gate")).isZero();
        assertThat(gauge("baton.service.queued", "gate")).isZero();
    }

    @Test
    void oneReadingServesTheGaugesForTheMaximumAge() {
        metrics = BatonMetrics.builder(registry).statusMaxAge(Duration.ofHours(1)).build();
        o = gated(metrics);
        metrics.bindTo(o);
        assertThat(gauge("baton.service.in.flight", "gate")).isZero(); // read at bind's first gauge read
        o.submit(one());
        assertThat(gauge("baton.service.in.flight", "gate")).isZero(); // the same reading
        assertThat(gauge("baton.runs.active")).isZero();
        held.pollFirst().complete(1);
    }

    @Test
    void servicesRegisteredLaterGetTheirGaugesAtTheirFirstEvent() {
        metrics = BatonMetrics.builder(registry).statusMaxAge(Duration.ZERO).build();
        o = gated(metrics);
        metrics.bindTo(o);
        assertThat(registry.find("baton.service.in.flight").tag("service", "late").gauge()).isNull();
        o.registerService("late", ctx -> "here");
        assertThat(o.submit(Plan.builder().task("l", "late", Map.of()).build()).result().getNow(null).status())
                .isEqualTo(RunStatus.COMPLETED);
        assertThat(gauge("baton.service.in.flight", "late")).isZero();
        assertThat(registry.get("baton.tasks.attempts.started").tag("service", "late").counter().count())
                .isEqualTo(1.0);
    }

    /** A health source the test flips. */
    private static final class FlipSource implements HealthSource {
        private final Map<String, ServiceHealth> health = new ConcurrentHashMap<>();
        private final List<HealthListener> listeners = new CopyOnWriteArrayList<>();

        void set(String service, ServiceHealth h) {
            ServiceHealth before = health.put(service, h);
            for (HealthListener l : listeners) {
                l.onChange(service, before == null ? ServiceHealth.UNKNOWN : before, h, Instant.EPOCH);
            }
        }

        @Override
        public ServiceHealth health(String service) {
            return health.getOrDefault(service, ServiceHealth.UNKNOWN);
        }

        @Override
        public Subscription subscribe(HealthListener listener) {
            listeners.add(listener);
            return () -> listeners.remove(listener);
        }
    }

    @Test
    void tasksWaitingForHealthAreGaugedAndOneThatGivesUpWaitingEndsNoAttempt() {
        FlipSource source = new FlipSource();
        source.set("remote", ServiceHealth.UNHEALTHY);
        TaskTransport answers = new TaskTransport() {
            @Override
            public CompletionStage<Object> dispatch(TaskRequest request) {
                return CompletableFuture.completedFuture("answered");
            }
        };
        metrics = BatonMetrics.builder(registry).statusMaxAge(Duration.ZERO).build();
        o = metrics.instrument(Orchestrator.builder().time(time).executor(Runnable::run).healthSource(source)
                .healthWindow(Duration.ofMinutes(10)).retryPolicy(RetryPolicy.none())
                .remoteService(ServiceDescriptor.of("remote"), answers, ServiceOptions.defaults())).build();
        metrics.bindTo(o);

        RunHandle gaveUp = o.submit(Plan.builder().task("r", "remote", Map.of()).build());
        assertThat(gauge("baton.service.waiting.health", "remote")).isEqualTo(1.0);
        assertThat(gauge("baton.service.queued", "remote")).isZero();
        time.advance(Duration.ofMinutes(10));
        assertThat(gaveUp.result().getNow(null).status()).isEqualTo(RunStatus.FAILED);
        assertThat(gauge("baton.service.waiting.health", "remote")).isZero();

        RunHandle waited = o.submit(Plan.builder().task("r", "remote", Map.of()).build());
        assertThat(gauge("baton.service.waiting.health", "remote")).isEqualTo(1.0);
        source.set("remote", ServiceHealth.HEALTHY);
        assertThat(waited.result().getNow(null).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(gauge("baton.service.waiting.health", "remote")).isZero();

        // the task that gave up waiting failed without an attempt: one attempt started and ended, the waited one
        assertThat(registry.get("baton.tasks.attempts.started").tag("service", "remote").counter().count())
                .isEqualTo(1.0);
        assertThat(registry.find("baton.tasks.attempts.ended").tag("service", "remote").counters())
                .singleElement().satisfies(c -> {
                    assertThat(c.getId().getTag("outcome")).isEqualTo("COMPLETED");
                    assertThat(c.count()).isEqualTo(1.0);
                });
        assertThat(registry.get("baton.runs.ended").tag("status", "FAILED").counter().count()).isEqualTo(1.0);
    }

    @Test
    void closeRemovesTheGaugesKeepsTheCountersAndStopsCounting() {
        metrics = BatonMetrics.builder(registry).statusMaxAge(Duration.ZERO).build();
        o = gated(metrics);
        metrics.bindTo(o);
        RunHandle h = o.submit(one());
        held.pollFirst().complete(1);
        assertThat(h.result().getNow(null).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(registry.find("baton.runs.active").gauge()).isNotNull();

        metrics.close();
        metrics.close(); // idempotent
        assertThat(registry.find("baton.runs.active").gauge()).isNull();
        assertThat(registry.find("baton.service.in.flight").gauges()).isEmpty();
        assertThat(registry.find("baton.breaker.state").gauges()).isEmpty();
        assertThat(registry.get("baton.runs.started").counter().count()).isEqualTo(1.0);

        o.submit(one());
        held.pollFirst().complete(2);
        assertThat(registry.get("baton.runs.started").counter().count()).isEqualTo(1.0);
        assertThat(metrics.trackedRuns()).isZero();
        assertThatThrownBy(() -> metrics.bindTo(o)).isInstanceOf(IllegalStateException.class);

        // a new binder on the same registry takes over the counters and registers gauges of its own
        BatonMetrics next = BatonMetrics.builder(registry).statusMaxAge(Duration.ZERO).build();
        try {
            next.bindTo(o);
            assertThat(gauge("baton.service.capacity", "gate")).isEqualTo(1.0);
            assertThat(registry.get("baton.runs.started").counter().count()).isEqualTo(1.0);
        } finally {
            next.close();
        }
    }

    @Test
    void closeLetsGoOfWhatItKeptOfUnfinishedRuns() {
        metrics = BatonMetrics.builder(registry).build();
        o = gated(metrics);
        metrics.bindTo(o);
        o.submit(one());
        assertThat(metrics.trackedRuns()).isEqualTo(1);
        assertThat(metrics.trackedAttempts()).isEqualTo(1);

        metrics.close();
        assertThat(metrics.trackedRuns()).isZero();
        assertThat(metrics.trackedAttempts()).isZero();
        held.pollFirst().complete("after close");
        assertThat(metrics.trackedRuns()).isZero();
    }

    @Test
    void aBinderBindsOneOrchestrator() {
        metrics = BatonMetrics.builder(registry).build();
        o = gated(metrics);
        metrics.bindTo(o);
        assertThatThrownBy(() -> metrics.bindTo(o)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("bound");
    }
}
