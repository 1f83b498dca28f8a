package dev.baton;

import dev.baton.persistence.LogInvariants;
import dev.baton.plan.Plan;
import dev.baton.store.InMemoryRunStore;
import dev.baton.time.ManualTime;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's "Testing with Baton" example, as it is written there: if this changes, the README changes with it. */
class TestingGuideTest {

    @Test
    void aRetryAfterBackoffIsDrivenByManualTimeWithoutSleeping() {
        ManualTime time = new ManualTime();
        InMemoryRunStore store = new InMemoryRunStore();
        AtomicInteger calls = new AtomicInteger();
        try (Orchestrator baton = Orchestrator.builder()
                .store(store)
                .time(time)                                   // clock and scheduler: time moves when the test says
                .executor(Runnable::run)                      // handlers run on the thread that dispatches them
                .retryPolicy(RetryPolicy.builder().maxAttempts(3)
                        .backoff(Duration.ofSeconds(10), Duration.ofSeconds(10)).jitter(0).build())
                .service("payments", ctx -> {
                    if (calls.incrementAndGet() == 1) {
                        throw new RetryableException("gateway busy");
                    }
                    return Map.of("paymentId", "PAY-" + ctx.input().get("orderId"));
                })
                .build()) {

            Plan plan = Plan.builder().params(Map.of("orderId", "ORD1"))
                    .task("pay", "payments", Map.of("orderId", "$task0.orderId"))
                    .build();
            RunHandle run = baton.submit(plan, RunOptions.builder().runId("order-ORD1").build());

            assertThat(run.result()).isNotDone();             // attempt 1 failed; attempt 2 is due in 10 s
            time.advance(Duration.ofSeconds(10));

            RunResult result = run.await(Duration.ofSeconds(1));
            assertThat(result.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(result.output("pay")).isEqualTo(Map.of("paymentId", "PAY-ORD1"));
            assertThat(baton.inspect("order-ORD1").orElseThrow().task("pay").orElseThrow().attempts()).isEqualTo(2);
            assertThat(LogInvariants.check(store.events("order-ORD1"))).isEmpty();
        }
    }
}
