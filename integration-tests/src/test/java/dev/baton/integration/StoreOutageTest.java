package dev.baton.integration;

import dev.baton.Orchestrator;
import dev.baton.RunHandle;
import dev.baton.RunOptions;
import dev.baton.RunResult;
import dev.baton.RunStatus;
import dev.baton.event.RunCompleted;
import dev.baton.event.RunEvent;
import dev.baton.event.TaskCompleted;
import dev.baton.persistence.LogInvariants;
import dev.baton.persistence.RunState;
import dev.baton.persistence.StoreException;
import dev.baton.persistence.tck.ForwardingRunStore;
import dev.baton.plan.Plan;
import dev.baton.store.InMemoryRunStore;
import dev.baton.time.ManualTime;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store goes down while a task runs: the task still finishes, its completion waits in memory (its dependent does
 * not start, the run is not reported complete), the engine retries the append with backoff on its scheduler, and
 * once the store is back the run carries on to a durable end. Time is manual, so the retries happen exactly when the
 * test moves the clock.
 */
class StoreOutageTest {

    /** A store that refuses every append while switched off, and lets the test wait for the first refusal. */
    static final class SwitchableStore extends ForwardingRunStore {
        volatile boolean down;
        final AtomicInteger refused = new AtomicInteger();
        final CountDownLatch firstRefusal = new CountDownLatch(1);

        SwitchableStore() {
            super(new InMemoryRunStore());
        }

        @Override
        public void append(String runId, long expectedSeq, List<RunEvent> events, String owner, Instant now) {
            if (down) {
                refused.incrementAndGet();
                firstRefusal.countDown();
                throw new StoreException("store unavailable (test switch)");
            }
            super.append(runId, expectedSeq, events, owner, now);
        }
    }

    @Test
    void runningTaskFinishesNothingIsReportedUnwrittenAndTheRunResumesWhenTheStoreReturns() throws Exception {
        SwitchableStore store = new SwitchableStore();
        ManualTime time = new ManualTime();
        CountDownLatch slowStarted = new CountDownLatch(1);
        CountDownLatch releaseSlow = new CountDownLatch(1);
        AtomicInteger slowCalls = new AtomicInteger();
        AtomicInteger afterCalls = new AtomicInteger();

        Plan plan = Plan.builder()
                .task("slow", "slow", Map.of())
                .task("after", "after", Map.of("x", "$slow.value"))
                .build();
        try (Orchestrator orchestrator = Orchestrator.builder()
                .store(store)
                .time(time)
                .service("slow", ctx -> {
                    slowCalls.incrementAndGet();
                    slowStarted.countDown();
                    assertThat(releaseSlow.await(30, TimeUnit.SECONDS)).isTrue();
                    return Map.of("value", 41);
                })
                .service("after", ctx -> {
                    afterCalls.incrementAndGet();
                    return Map.of("value", ((Number) ctx.input().get("x")).intValue() + 1);
                })
                .build()) {
            RunHandle handle = orchestrator.submit(plan, RunOptions.builder().runId("outage").build());
            // what the store held at the moment the result was reported: it must already hold the run's end
            CompletableFuture<RunState> stateWhenReported =
                    handle.result().thenApply(r -> store.delegate().run("outage").orElseThrow().state());

            assertThat(slowStarted.await(30, TimeUnit.SECONDS)).isTrue();
            store.down = true;
            releaseSlow.countDown();
            // the running task finishes; writing its completion fails
            assertThat(store.firstRefusal.await(30, TimeUnit.SECONDS)).isTrue();

            // while the store is down, retries keep failing with growing backoff and nothing moves on. The worker
            // schedules the retry just after the refusal, so keep moving time (bounded) until a few retries failed.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (store.refused.get() < 4) {
                assertThat(System.nanoTime()).as("retries while down").isLessThan(deadline);
                time.advance(Duration.ofSeconds(1));
                Thread.onSpinWait();
            }
            assertThat(store.refused.get()).as("append retries while down").isGreaterThan(1);
            assertThat(afterCalls.get()).as("dependent started before the completion was durable").isZero();
            assertThat(handle.result()).as("result reported while the store is down").isNotDone();
            assertThat(store.delegate().events("outage")).noneMatch(e -> e instanceof TaskCompleted);

            // the store returns: the next retry writes the completion and the run carries on to its end
            store.down = false;
            int refusedWhileDown = store.refused.get();
            RunResult result = null;
            for (int i = 0; i < 50 && result == null; i++) {
                time.advance(Duration.ofSeconds(1));
                try {
                    result = handle.result().get(200, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException notYet) {
                    // the dependent runs on a worker thread; move time again and look once more
                }
            }
            assertThat(result).as("run ended after the store returned").isNotNull();
            assertThat(result.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(result.output("after")).isEqualTo(Map.of("value", 42));
            assertThat(stateWhenReported.get(10, TimeUnit.SECONDS)).isEqualTo(RunState.COMPLETED);
            assertThat(slowCalls.get()).as("the finished task did not run again").isEqualTo(1);
            assertThat(afterCalls.get()).isEqualTo(1);
            assertThat(store.refused.get()).isEqualTo(refusedWhileDown);

            List<RunEvent> log = store.delegate().events("outage");
            assertThat(LogInvariants.check(log)).isEmpty();
            assertThat(log.get(log.size() - 1)).isInstanceOf(RunCompleted.class);
            System.out.println("store outage: " + refusedWhileDown + " appends refused while down, run completed");
        }
    }
}
