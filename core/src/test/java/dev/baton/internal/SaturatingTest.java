package dev.baton.internal;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class SaturatingTest {

    @Test
    void withinRangeEveryOperationIsExact() {
        assertThat(Saturating.nanos(Duration.ofSeconds(3, 7))).isEqualTo(3_000_000_007L);
        assertThat(Saturating.millis(Duration.ofSeconds(-2))).isEqualTo(-2_000L);
        assertThat(Saturating.add(Long.MAX_VALUE - 1, 1)).isEqualTo(Long.MAX_VALUE);
        assertThat(Saturating.add(-5, 3)).isEqualTo(-2);
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(Saturating.plus(t, Duration.ofDays(1))).isEqualTo(Instant.parse("2026-01-02T00:00:00Z"));
        assertThat(Saturating.minus(t, Duration.ofDays(1))).isEqualTo(Instant.parse("2025-12-31T00:00:00Z"));
    }

    @Test
    void pastTheRangeEveryOperationStopsAtItsEdge() {
        Duration huge = Duration.ofSeconds(Long.MAX_VALUE);
        assertThat(Saturating.nanos(huge)).isEqualTo(Long.MAX_VALUE);
        assertThat(Saturating.nanos(huge.negated())).isEqualTo(Long.MIN_VALUE);
        assertThat(Saturating.millis(huge)).isEqualTo(Long.MAX_VALUE);
        assertThat(Saturating.millis(huge.negated())).isEqualTo(Long.MIN_VALUE);
        assertThat(Saturating.add(Long.MAX_VALUE, 1)).isEqualTo(Long.MAX_VALUE);
        assertThat(Saturating.add(Long.MIN_VALUE, -1)).isEqualTo(Long.MIN_VALUE);
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(Saturating.plus(t, huge)).isEqualTo(Instant.MAX);
        assertThat(Saturating.plus(t, huge.negated())).isEqualTo(Instant.MIN);
        assertThat(Saturating.minus(t, huge)).isEqualTo(Instant.MIN);
        assertThat(Saturating.minus(t, huge.negated())).isEqualTo(Instant.MAX);
    }
}
