package dev.baton;

import dev.baton.plan.Plan;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.store.InMemoryRunStore;
import dev.baton.validation.ValidationCode;
import dev.baton.validation.ValidationError;
import dev.baton.validation.ValidationLimits;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Global, per-run and per-service limits are never exceeded, and everything still finishes. */
class LimitsTest {

    private static Plan wide(String service, int n) {
        Plan.Builder b = Plan.builder();
        for (int i = 0; i < n; i++) {
            b.task("t" + i, service, Map.of("i", i));
        }
        return b.build();
    }

    private static TaskHandler tracking(AtomicInteger now, AtomicInteger max) {
        return ctx -> {
            int c = now.incrementAndGet();
            max.accumulateAndGet(c, Math::max);
            for (int i = 0; i < 2_000; i++) {
                Thread.onSpinWait();
            }
            now.decrementAndGet();
            return c;
        };
    }

    @Test
    void validationLimitsSetOnTheBuilderHoldForEverySubmittedPlan() {
        try (Orchestrator o = Orchestrator.builder().store(new InMemoryRunStore())
                .validationLimits(ValidationLimits.builder().maxTasks(2).build())
                .service("a", ctx -> 1)
                .build()) {
            assertThatThrownBy(() -> o.submit(wide("a", 3)))
                    .isInstanceOfSatisfying(InvalidPlanException.class, e -> assertThat(e.errors())
                            .extracting(ValidationError::code).containsExactly(ValidationCode.LIMIT_EXCEEDED));
            assertThat(o.submit(wide("a", 2)).await(Duration.ofSeconds(30)).status()).isEqualTo(RunStatus.COMPLETED);
        }
    }

    @Test
    void aPlanBeyondTheDefaultLimitsRunsUnderRaisedOnesAndIsShownWithItsGroupsAfterwards() {
        int n = ValidationLimits.DEFAULT_MAX_TASKS + 1;
        try (Orchestrator o = Orchestrator.builder().store(new InMemoryRunStore())
                .validationLimits(ValidationLimits.builder().maxTasks(n).build())
                .service("a", ctx -> 1)
                .build()) {
            RunHandle h = o.submit(wide("a", n));
            assertThat(h.await(Duration.ofSeconds(60)).status()).isEqualTo(RunStatus.COMPLETED);
            // a finished run's view is folded from the store: its groups are computed under the same limits
            RunView view = o.inspect(h.runId()).orElseThrow();
            assertThat(view.parallelGroups()).hasSize(1);
            assertThat(view.parallelGroups().get(0)).hasSize(n);
        }
    }

    @Test
    void serviceCapacityIsNeverExceeded() {
        AtomicInteger now = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        try (Orchestrator o = Orchestrator.builder().store(new InMemoryRunStore())
                .service(ServiceDescriptor.of("pool"), tracking(now, max), ServiceOptions.builder().capacity(3).build())
                .build()) {
            RunHandle a = o.submit(wide("pool", 200));
            RunHandle b = o.submit(wide("pool", 200));
            assertThat(a.await(Duration.ofSeconds(30)).status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(b.await(Duration.ofSeconds(30)).status()).isEqualTo(RunStatus.COMPLETED);
        }
        assertThat(max.get()).isBetween(1, 3);
    }

    @Test
    void runAndGlobalLimitsAreNeverExceeded() {
        AtomicInteger now = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        AtomicInteger runNow = new AtomicInteger();
        AtomicInteger runMax = new AtomicInteger();
        try (Orchestrator o = Orchestrator.builder().store(new InMemoryRunStore()).maxParallel(4)
                .service("a", tracking(now, max))
                .service("b", tracking(runNow, runMax))
                .build()) {
            RunHandle limited = o.submit(wide("b", 100), RunOptions.builder().maxParallel(2).build());
            RunHandle other = o.submit(wide("a", 100));
            assertThat(limited.await(Duration.ofSeconds(30)).status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(other.await(Duration.ofSeconds(30)).status()).isEqualTo(RunStatus.COMPLETED);
        }
        assertThat(runMax.get()).isBetween(1, 2);
        assertThat(max.get() + 0).isBetween(1, 4);
    }
}
