package dev.baton.store;

import dev.baton.event.RunCompleted;
import dev.baton.event.RunCreated;
import dev.baton.event.RunSettings;
import dev.baton.persistence.RunFilter;
import dev.baton.plan.Plan;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InMemoryRunStoreRetentionTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Plan PLAN = Plan.builder().task("t", "svc", Map.of()).build();

    @Test
    void endedRunsOlderThanTheRetentionAreDroppedAsTimePasses() {
        InMemoryRunStore store = new InMemoryRunStore(Duration.ofMinutes(10));
        int runs = 1_000;
        for (int i = 0; i < runs; i++) {
            Instant at = T0.plusSeconds(i);
            String id = "r" + i;
            store.append(id, 0, List.of(new RunCreated(id, 1, at, PLAN,
                    new RunSettings(null, 0, "GROUPS", "FAIL_FAST", null, null)), new RunCompleted(id, 2, at)), null, at);
        }
        // at most the retention window plus one sweep interval of ended runs is kept
        int kept = store.runs(RunFilter.all(RunFilter.MAX_LIMIT)).size();
        assertThat(kept).isLessThanOrEqualTo(600 + 256).isGreaterThanOrEqualTo(600);
        assertThat(store.run("r999")).isPresent();
        assertThat(store.run("r0")).isEmpty();
        assertThat(store.retention()).contains(Duration.ofMinutes(10));
    }

    @Test
    void aRetentionTooLongForTheClocksArithmeticKeepsEveryRun() {
        // Duration.ofSeconds(Long.MAX_VALUE) says "keep for ever"; the sweep's cutoff must not overflow
        InMemoryRunStore store = new InMemoryRunStore(Duration.ofSeconds(Long.MAX_VALUE));
        int runs = 600; // more than two sweeps
        for (int i = 0; i < runs; i++) {
            Instant at = T0.plusSeconds(i);
            String id = "r" + i;
            store.append(id, 0, List.of(new RunCreated(id, 1, at, PLAN,
                    new RunSettings(null, 0, "GROUPS", "FAIL_FAST", null, null)), new RunCompleted(id, 2, at)), null, at);
        }
        assertThat(store.runs(RunFilter.all(RunFilter.MAX_LIMIT))).hasSize(runs);
        assertThat(store.purge(T0.plusSeconds(runs))).isEqualTo(runs); // an explicit purge still works
    }

    @Test
    void retentionMustBePositive() {
        assertThatThrownBy(() -> new InMemoryRunStore(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retention");
    }
}
