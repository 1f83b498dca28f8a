package dev.baton;

import dev.baton.event.RunCancelled;
import dev.baton.event.RunEvent;
import dev.baton.event.RunFailed;
import dev.baton.event.TaskStarted;
import dev.baton.persistence.LogInvariants;
import dev.baton.persistence.RunStore;
import dev.baton.persistence.tck.ForwardingRunStore;
import dev.baton.plan.Plan;
import dev.baton.planner.Action;
import dev.baton.planner.Planner;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.store.InMemoryRunStore;
import dev.baton.time.ManualTime;
import dev.baton.transport.HealthSource;
import dev.baton.transport.ServiceHealth;
import dev.baton.transport.TaskTransport;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * User-supplied components (a store, a planner, a transport, a health source, a handler's output or exception) that
 * throw an {@link Error} or misbehave otherwise: the run still ends, with a typed error, and the log keeps its
 * invariants. Before these were handled, each of the hangs below left its run waiting for ever.
 */
class UserComponentErrorsTest {

    private final ManualTime time = new ManualTime(Instant.parse("2026-03-01T10:00:00Z"));
    private final InMemoryRunStore memory = new InMemoryRunStore();

    /** A store whose next append of a batch starting with the given event type throws an Error, once. */
    private static final class ErrorOnce extends ForwardingRunStore {
        private final AtomicReference<Class<? extends RunEvent>> on;

        ErrorOnce(RunStore delegate, Class<? extends RunEvent> on) {
            super(delegate);
            this.on = new AtomicReference<>(on);
        }

        @Override
        public void append(String runId, long expectedSeq, List<RunEvent> events, String owner, Instant now) {
            Class<? extends RunEvent> c = on.get();
            if (c != null && events.stream().anyMatch(c::isInstance) && on.compareAndSet(c, null)) {
                throw new AssertionError("append failed once on " + c.getSimpleName());
            }
            super.append(runId, expectedSeq, events, owner, now);
        }
    }

    /** The in-memory store, with each log it reads passed through {@code reads} (which may replace it, or throw). */
    private RunStore readingThrough(java.util.function.UnaryOperator<List<RunEvent>> reads) {
        return new ForwardingRunStore(memory) {
            @Override
            public List<RunEvent> events(String runId) {
                return reads.apply(super.events(runId));
            }
        };
    }

    private Orchestrator.Builder builder(RunStore store) {
        return Orchestrator.builder().store(store).time(time).executor(Runnable::run);
    }

    private void advance(int seconds) {
        for (int i = 0; i < seconds; i++) {
            time.advance(Duration.ofSeconds(1));
        }
    }

    @Test
    void anErrorFromTheStoreOnATaskStartIsRetriedLikeAnyStoreFailure() {
        // before: the Error escaped submit(), the start stayed in memory and nothing retried it
        try (Orchestrator o = builder(new ErrorOnce(memory, TaskStarted.class)).service("s", c -> 1).build()) {
            RunHandle h = o.submit(Plan.builder().task("a", "s", Map.of()).build());
            advance(30);
            RunResult r = h.await(Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(LogInvariants.check(memory.events(h.runId()))).isEmpty();
        }
    }

    @Test
    void anErrorFromTheStoreOnARunsFailureOrCancelIsRetriedToo() {
        try (Orchestrator o = builder(new ErrorOnce(memory, RunFailed.class)).retryPolicy(RetryPolicy.none())
                .service("s", c -> {
                    throw new NonRetryableException("no");
                }).build()) {
            RunHandle h = o.submit(Plan.builder().task("a", "s", Map.of()).build());
            advance(30);
            assertThat(h.await(Duration.ofSeconds(10)).status()).isEqualTo(RunStatus.FAILED);
            assertThat(LogInvariants.check(memory.events(h.runId()))).isEmpty();
        }
        InMemoryRunStore other = new InMemoryRunStore();
        CompletableFuture<Object> never = new CompletableFuture<>();
        try (Orchestrator o = builder(new ErrorOnce(other, RunCancelled.class)).asyncService("hang", c -> never)
                .build()) {
            RunHandle h = o.submit(Plan.builder().task("a", "hang", Map.of()).build());
            assertThat(h.cancel()).isTrue(); // before: cancel() threw the store's Error and the run hung
            advance(30);
            assertThat(h.await(Duration.ofSeconds(10)).status()).isEqualTo(RunStatus.CANCELLED);
            assertThat(LogInvariants.check(other.events(h.runId()))).isEmpty();
        }
    }

    @Test
    void aRevisionPlannerThatThrowsAnErrorEndsTheRunWithTheOriginalFailure() {
        AtomicInteger revisions = new AtomicInteger();
        Planner planner = request -> {
            if (request.isRevision()) {
                revisions.incrementAndGet();
                throw new AssertionError("revision planner broke");
            }
            return Plan.builder().task("a", "s", Map.of()).build();
        };
        try (Orchestrator o = builder(memory).planner(planner).service("s", c -> {
            throw new NonRetryableException("fails");
        }).build()) {
            RunHandle h = o.submit(Action.builder("x").runId("revise").replanOnFailure(2).build());
            advance(5);
            RunResult r = h.await(Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error().orElseThrow().message()).contains("fails").contains("revision planner broke");
            assertThat(revisions).hasValue(1);
            assertThat(LogInvariants.check(memory.events("revise"))).isEmpty();
        }
    }

    @Test
    void aPlannerThatThrowsAnErrorIsAPlanningFailure() {
        Planner planner = request -> {
            throw new StackOverflowError("planner recursed");
        };
        try (Orchestrator o = builder(memory).planner(planner).service("s", c -> 1).build()) {
            assertThatThrownBy(() -> o.submit(Action.builder("x").build()))
                    .isInstanceOf(PlanningFailedException.class);
        }
    }

    @Test
    void anActionsBadRunIdIsRefusedBeforeThePlannerIsAsked() {
        AtomicInteger calls = new AtomicInteger();
        Planner planner = request -> {
            calls.incrementAndGet();
            return Plan.builder().task("a", "s", Map.of()).build();
        };
        try (Orchestrator o = builder(memory).planner(planner).service("s", c -> 1).build()) {
            assertThatThrownBy(() -> o.submit(Action.builder("x").runId("a/b").build()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("runId");
            assertThat(calls).hasValue(0);
        }
    }

    @Test
    void closeGoesOnPastATransportAndAHealthSubscriptionThatThrowErrors() {
        AtomicBoolean secondClosed = new AtomicBoolean();
        TaskTransport bad = closingWith(() -> {
            throw new NoClassDefFoundError("some/Class");
        });
        TaskTransport good = closingWith(() -> secondClosed.set(true));
        HealthSource health = new HealthSource() {
            @Override
            public ServiceHealth health(String service) {
                return ServiceHealth.HEALTHY;
            }

            @Override
            public Subscription subscribe(dev.baton.transport.HealthListener listener) {
                return () -> {
                    throw new AssertionError("unsubscribe broke");
                };
            }
        };
        Orchestrator o = builder(memory).healthSource(health)
                .remoteService(ServiceDescriptor.of("a"), bad, ServiceOptions.defaults())
                .remoteService(ServiceDescriptor.of("b"), good, ServiceOptions.defaults()).build();
        CompletableFuture<Object> never = new CompletableFuture<>();
        Orchestrator withRun = builder(new InMemoryRunStore()).healthSource(health).shutdownTimeout(Duration.ZERO)
                .asyncService("hang", c -> never).build();
        RunHandle h = withRun.submit(Plan.builder().task("a", "hang", Map.of()).build());
        // before: close() threw the first Error and skipped everything after it
        o.close();
        assertThat(secondClosed).isTrue();
        withRun.close();
        assertThat(h.result()).isCompletedExceptionally(); // the handle learns of the close: the run stays recoverable
    }

    /** A transport that answers every request with 1 and runs {@code onClose} when closed. */
    private static TaskTransport closingWith(Runnable onClose) {
        return new TaskTransport() {
            @Override
            public java.util.concurrent.CompletionStage<Object> dispatch(dev.baton.transport.TaskRequest r) {
                return CompletableFuture.completedFuture(1);
            }

            @Override
            public void close() {
                onClose.run();
            }
        };
    }

    @Test
    void aRunTheStoreCannotReadAtRecoveryDoesNotFailTheBuild() {
        AtomicBoolean readsFail = new AtomicBoolean();
        RunStore store = readingThrough(log -> {
            if (readsFail.get()) {
                throw new AssertionError("cannot read");
            }
            return log;
        });
        Orchestrator first = builder(store).retryPolicy(RetryPolicy.builder().maxAttempts(3)
                .backoff(Duration.ofSeconds(1), Duration.ofSeconds(1)).build())
                .service("s", c -> {
                    throw new IllegalStateException("again");
                }).build();
        first.submit(Plan.builder().task("a", "s", Map.of()).build(), RunOptions.builder().runId("left").build());
        first.close(); // in its retry wait: unfinished, recoverable
        readsFail.set(true);
        // before: build() threw the store's Error
        try (Orchestrator second = builder(store).service("s", c -> 1).build()) {
            readsFail.set(false);
            assertThat(second.status().activeRuns()).isZero(); // left for the next recovery, which reads it again
            assertThat(second.recover()).isEqualTo(1);
            advance(5);
            assertThat(second.inspect("left").orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
        }
    }

    @Test
    void aStoreThatAnswersNoLogIsReportedAsInconsistent() {
        AtomicBoolean nullLogs = new AtomicBoolean();
        RunStore store = readingThrough(log -> nullLogs.get() ? null : log);
        try (Orchestrator o = builder(store).service("s", c -> 1).build()) {
            o.submit(Plan.builder().task("a", "s", Map.of()).build(), RunOptions.builder().runId("done").build());
            nullLogs.set(true);
            assertThatThrownBy(() -> o.inspect("done")).isInstanceOf(BatonException.class)
                    .hasMessageContaining("no log").hasMessageContaining("'done'")
                    .satisfies(e -> assertThat(((BatonException) e).code()).isEqualTo("STORE_INCONSISTENT"));
        }
    }

    @Test
    void outputsWhoseOwnMethodsFailAreInvalidOutputsAndBadExceptionsAreHandlerErrors() {
        Map<String, Object> lying = new java.util.AbstractMap<>() {
            @Override
            public java.util.Set<Map.Entry<String, Object>> entrySet() {
                throw new java.util.ConcurrentModificationException("changed while read");
            }
        };
        RuntimeException unreadable = new RuntimeException() {
            @Override
            public String getMessage() {
                throw new IllegalStateException("no message");
            }
        };
        try (Orchestrator o = builder(memory).retryPolicy(RetryPolicy.none())
                .service("lying", c -> lying)
                .service("unreadable", c -> {
                    throw unreadable;
                })
                .service("long", c -> {
                    throw new NonRetryableException("m".repeat(100_000));
                }).build()) {
            RunError e1 = o.submit(Plan.builder().task("a", "lying", Map.of()).build()).await(Duration.ofSeconds(10))
                    .error().orElseThrow();
            assertThat(e1.code()).isEqualTo("INVALID_OUTPUT");
            assertThat(e1.message()).contains("could not be read as JSON").contains("changed while read");
            RunError e2 = o.submit(Plan.builder().task("a", "unreadable", Map.of()).build())
                    .await(Duration.ofSeconds(10)).error().orElseThrow();
            assertThat(e2.code()).isEqualTo("HANDLER_ERROR"); // before: INTERNAL_ERROR, the engine's own
            assertThat(e2.message()).contains("its message could not be read");
            RunError e3 = o.submit(Plan.builder().task("a", "long", Map.of()).build()).await(Duration.ofSeconds(10))
                    .error().orElseThrow();
            assertThat(e3.message()).hasSizeLessThan(16_500).endsWith("(83616 more characters)");
        }
    }
}
