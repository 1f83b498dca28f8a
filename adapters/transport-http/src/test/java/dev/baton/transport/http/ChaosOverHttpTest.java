package dev.baton.transport.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.CircuitBreakerConfig;
import dev.baton.Orchestrator;
import dev.baton.RetryPolicy;
import dev.baton.RunHandle;
import dev.baton.RunOptions;
import dev.baton.RunResult;
import dev.baton.ServiceOptions;
import dev.baton.plan.Plan;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.service.IdempotentService;
import dev.baton.service.ServiceHttpServer;
import dev.baton.service.ServiceRequest;
import dev.baton.store.InMemoryRunStore;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 300 runs of a 10-task plan over an HTTP service that fails 30% of calls: half before doing the work (503), half
 * after doing it (the connection drops, as if the answer came too late). With retries every run completes and, thanks
 * to the kit's dedupe by execution id, every effect happens exactly once. Failure choices are a seeded hash of
 * (execution id, attempt), printed, so a failing seed can be replayed.
 */
class ChaosOverHttpTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyRunCompletesAndEveryEffectHappensOnce() throws Exception {
        long seed = Long.getLong("chaos.seed", System.nanoTime());
        System.out.println("ChaosOverHttpTest seed=" + seed + " (rerun with -Dchaos.seed=" + seed + ")");
        Map<String, AtomicInteger> effects = new ConcurrentHashMap<>();
        IdempotentService kit = IdempotentService.builder(r -> {
            effects.computeIfAbsent(r.executionId(), k -> new AtomicInteger()).incrementAndGet();
            return Map.of("task", r.taskId(), "in", r.input());
        }).build();
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger failedBefore = new AtomicInteger();
        AtomicInteger failedAfter = new AtomicInteger();
        try (FakeServer server = new FakeServer((ex, body) -> {
            calls.incrementAndGet();
            ServiceRequest r = ServiceHttpServer.readRequest(new ByteArrayInputStream(body), null);
            long h = mix(seed ^ r.executionId().hashCode() * 31L ^ r.attempt());
            int roll = (int) Math.floorMod(h, 100L);
            if (roll < 15) {
                failedBefore.incrementAndGet();
                FakeServer.respond(ex, 503, "{\"error\":\"chaos\"}");
                return;
            }
            Object out = kit.execute(r);
            if (roll < 30) {
                failedAfter.incrementAndGet();
                throw new IOException("chaos: the work is done but the answer is lost");
            }
            FakeServer.respond(ex, 200, JSON.writeValueAsString(out));
        })) {
            HttpTransport http = HttpTransport.builder().service("work", server.uri("/work")).build();
            try (Orchestrator o = Orchestrator.builder().store(new InMemoryRunStore())
                    .remoteService(ServiceDescriptor.of("work"), http,
                            ServiceOptions.builder().timeout(Duration.ofSeconds(20)).build())
                    .retryPolicy(RetryPolicy.builder().maxAttempts(15)
                            .backoff(Duration.ofMillis(1), Duration.ofMillis(10)).build())
                    .circuitBreaker(CircuitBreakerConfig.builder().failureRateThreshold(100).build())
                    .build()) {
                List<RunHandle> handles = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    handles.add(o.submit(plan(i), RunOptions.builder().runId("chaos-" + i).build()));
                }
                for (RunHandle h : handles) {
                    RunResult r = h.await(Duration.ofSeconds(120));
                    assertThat(r.isCompleted()).as("run %s: %s", r.runId(), r.error()).isTrue();
                    assertThat(r.output("t10")).isEqualTo(Map.of("task", "t10",
                            "in", Map.of("a", Map.of("task", "t8", "in", Map.of("a", "t3", "b", "t7")),
                                    "b", Map.of("task", "t9", "in", Map.of("a", "t4", "b", "t5")))));
                }
            }
        }
        assertThat(effects).hasSize(3000);
        assertThat(effects.values()).allSatisfy(n -> assertThat(n).hasValue(1));
        assertThat(failedBefore.get() + failedAfter.get()).isGreaterThan(300);
        assertThat(calls.get()).isEqualTo(3000 + failedBefore.get() + failedAfter.get());
    }

    /** Ten tasks: five on the params, then five joining earlier outputs. */
    private static Plan plan(int i) {
        Plan.Builder b = Plan.builder().params(Map.of("run", i));
        for (int t = 1; t <= 5; t++) {
            b.task("t" + t, "work", Map.of("run", "$task0.run", "name", "t" + t));
        }
        b.task("t6", "work", Map.of("a", "$t1.task", "b", "$t2.task"));
        b.task("t7", "work", Map.of("a", "$t6.task", "b", "$t3.task"));
        b.task("t8", "work", Map.of("a", "$t3.task", "b", "$t7.task"));
        b.task("t9", "work", Map.of("a", "$t4.task", "b", "$t5.task"));
        b.task("t10", "work", Map.of("a", "$t8", "b", "$t9"));
        return b.build();
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb53a3ca9fe34L;
        return z ^ (z >>> 33);
    }
}
