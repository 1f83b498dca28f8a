package dev.baton;

import dev.baton.persistence.LogInvariants;
import dev.baton.persistence.RunStore;
import dev.baton.persistence.tck.ForwardingRunStore;
import dev.baton.plan.Plan;
import dev.baton.store.InMemoryRunStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** close() leaves unfinished runs recoverable; a new orchestrator on the same store resumes them. */
class RecoveryTest {

    /** An orchestrator whose service "svc" counts each start down and never finishes: its runs stay in flight. */
    private static Orchestrator stalling(RunStore store, CountDownLatch started) {
        return Orchestrator.builder().store(store).shutdownTimeout(Duration.ZERO)
                .asyncService("svc", ctx -> {
                    started.countDown();
                    return new java.util.concurrent.CompletableFuture<>();
                }).build();
    }

    @Test
    void closeLeavesTheRunRecoverableAndANewOrchestratorFinishesItWithoutRerunningCompletedTasks() throws Exception {
        InMemoryRunStore store = new InMemoryRunStore();
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        List<String> executionIdsOfB = new CopyOnWriteArrayList<>();
        CountDownLatch bStarted = new CountDownLatch(1);
        CountDownLatch releaseFirstB = new CountDownLatch(1);
        TaskHandler counting = ctx -> {
            calls.computeIfAbsent(ctx.taskId(), k -> new AtomicInteger()).incrementAndGet();
            if (ctx.taskId().equals("b")) {
                executionIdsOfB.add(ctx.executionId() + "#" + ctx.attempt());
                if (ctx.attempt() == 1) {
                    bStarted.countDown();
                    releaseFirstB.await(10, TimeUnit.SECONDS); // the first instance "hangs" here
                }
            }
            return Map.of("from", ctx.taskId());
        };
        Plan plan = Plan.builder().task("a", "svc", Map.of()).task("b", "svc", Map.of("x", "$a"))
                .task("c", "svc", Map.of("y", "$b.from")).build();

        Orchestrator first = Orchestrator.builder().store(store).service("svc", counting)
                .shutdownTimeout(Duration.ZERO).build();
        RunHandle h = first.submit(plan, RunOptions.builder().runId("crashy").build());
        assertThat(bStarted.await(10, TimeUnit.SECONDS)).isTrue();
        first.close();
        assertThatThrownBy(() -> h.await(Duration.ofSeconds(5))).isInstanceOf(OrchestratorClosedException.class);
        assertThat(store.unfinishedRuns()).containsExactly("crashy");

        try (Orchestrator second = Orchestrator.builder().store(store).service("svc", counting).build()) {
            RunResult r = second.submit(plan, RunOptions.builder().runId("crashy").build()).await(Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.output("c")).isEqualTo(Map.of("from", "c"));
            assertThat(calls.get("a")).hasValue(1);
            assertThat(executionIdsOfB).containsExactly("crashy/b#1", "crashy/b#2");
            RunView v = second.inspect("crashy").orElseThrow();
            assertThat(v.task("b").orElseThrow().attempts()).isEqualTo(2);
        }
        // The first instance's late completion is fenced off by the log's sequence check.
        releaseFirstB.countDown();
        assertThat(LogInvariants.check(store.events("crashy"))).isEmpty();
        assertThat(store.unfinishedRuns()).isEmpty();
    }

    @Test
    void recoverResumesUnfinishedRunsAtBuild() throws Exception {
        InMemoryRunStore store = new InMemoryRunStore();
        CountDownLatch started = new CountDownLatch(1);
        Orchestrator first = stalling(store, started);
        first.submit(Plan.builder().task("a", "svc", Map.of()).build(), RunOptions.builder().runId("r").build());
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        first.close();

        try (Orchestrator second = Orchestrator.builder().store(store).service("svc", ctx -> "done").build()) {
            OrchestratorTest.awaitCondition(() -> store.unfinishedRuns().isEmpty());
            assertThat(second.inspect("r").orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(second.recover()).isZero();
        }
    }

    @Test
    void aRunThatCannotBeReadDoesNotKeepTheOthersFromBeingRecovered() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean unreadable = new java.util.concurrent.atomic.AtomicBoolean();
        ForwardingRunStore store = new ForwardingRunStore(new InMemoryRunStore()) {
            @Override
            public List<dev.baton.event.RunEvent> events(String runId) {
                if (unreadable.get() && runId.equals("bad")) {
                    throw new dev.baton.persistence.StoreException("log of 'bad' unreadable");
                }
                return super.events(runId);
            }
        };
        CountDownLatch started = new CountDownLatch(3);
        Orchestrator first = stalling(store, started);
        Plan plan = Plan.builder().task("a", "svc", Map.of()).build();
        for (String id : List.of("bad", "good1", "good2")) {
            first.submit(plan, RunOptions.builder().runId(id).build());
        }
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        first.close();
        assertThat(store.unfinishedRuns()).containsExactlyInAnyOrder("bad", "good1", "good2");

        unreadable.set(true);
        try (Orchestrator second = Orchestrator.builder().store(store).service("svc", ctx -> "done").build()) {
            // build() recovered what it could read; before the fix it threw and recovered nothing
            OrchestratorTest.awaitCondition(() -> store.unfinishedRuns().equals(List.of("bad")));
            assertThat(second.inspect("good1").orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
            unreadable.set(false);
            assertThat(second.recover()).isEqualTo(1); // the next recovery takes it up once it can be read
            OrchestratorTest.awaitCondition(() -> store.unfinishedRuns().isEmpty());
            assertThat(second.inspect("bad").orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
        }
        for (String id : List.of("bad", "good1", "good2")) {
            assertThat(LogInvariants.check(store.events(id))).isEmpty();
        }
    }
}
