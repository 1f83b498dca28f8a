package dev.baton;

import dev.baton.plan.Plan;
import dev.baton.store.InMemoryRunStore;
import dev.baton.persistence.LogInvariants;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Concurrency claims, on 2 submitting threads. */
class StressTest {

    @Test
    void thousandConcurrentSubmitsOfOneRunIdGiveExactlyOneRun() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        InMemoryRunStore store = new InMemoryRunStore();
        try (Orchestrator o = Orchestrator.builder().store(store).service("svc", ctx -> calls.incrementAndGet()).build()) {
            Plan plan = Plan.builder().task("a", "svc", Map.of()).task("b", "svc", Map.of("x", "$a")).build();
            RunOptions opts = RunOptions.builder().runId("the-one").build();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<RunHandle>> fs = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                fs.add(pool.submit(() -> {
                    go.await();
                    return o.submit(plan, opts);
                }));
            }
            go.countDown();
            Set<RunResult> results = new HashSet<>();
            for (Future<RunHandle> f : fs) {
                RunHandle h = f.get();
                assertThat(h.runId()).isEqualTo("the-one");
                try {
                    results.add(h.await(Duration.ofSeconds(30)));
                } catch (AwaitTimeoutException e) {
                    throw new AssertionError("stuck: " + o.inspect("the-one") + " events " + store.events("the-one"), e);
                }
            }
            pool.shutdown();
            assertThat(results).hasSize(1);
            assertThat(calls).hasValue(2);
            assertThat(store.runs(dev.baton.persistence.RunFilter.all(100))).hasSize(1);
            assertThat(LogInvariants.check(store.events("the-one"))).isEmpty();
        }
    }

    @Test
    void tenThousandRunsOfTwentyTasksCallEveryHandlerExactlyOnce() throws Exception {
        int runs = 10_000;
        ConcurrentHashMap<String, AtomicInteger> calls = new ConcurrentHashMap<>(runs * 20 * 2);
        Plan.Builder b = Plan.builder().params(Map.of("n", 1));
        for (int i = 0; i < 20; i++) {
            // layered: 4 layers of 5, each task reading two of the layer before
            int layer = i / 5;
            if (layer == 0) {
                b.task("t" + i, "svc", Map.of("p", "$task0.n"));
            } else {
                int base = (layer - 1) * 5;
                b.task("t" + i, "svc", Map.of("x", "$t" + (base + i % 5), "y", "$t" + (base + (i + 1) % 5)));
            }
        }
        Plan plan = b.build();
        InMemoryRunStore store = new InMemoryRunStore();
        try (Orchestrator o = Orchestrator.builder().store(store)
                .service("svc", ctx -> calls.computeIfAbsent(ctx.executionId(), k -> new AtomicInteger()).incrementAndGet())
                .build()) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<List<RunHandle>>> parts = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                parts.add(pool.submit(() -> {
                    List<RunHandle> hs = new ArrayList<>();
                    for (int i = 0; i < runs / 2; i++) {
                        hs.add(o.submit(plan));
                    }
                    return hs;
                }));
            }
            int completed = 0;
            for (Future<List<RunHandle>> part : parts) {
                for (RunHandle h : part.get()) {
                    if (h.await(Duration.ofSeconds(60)).status() == RunStatus.COMPLETED) {
                        completed++;
                    }
                }
            }
            pool.shutdown();
            assertThat(completed).isEqualTo(runs);
        }
        assertThat(calls).hasSize(runs * 20);
        assertThat(calls.values()).allSatisfy(c -> assertThat(c.get()).isEqualTo(1));
    }
}
