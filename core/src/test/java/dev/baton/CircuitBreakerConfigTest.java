package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CircuitBreakerConfigTest {

    @Test
    void hasDocumentedDefaultsAndIsEqualByValue() {
        CircuitBreakerConfig d = CircuitBreakerConfig.defaults();
        assertThat(d.slidingWindowSize()).isEqualTo(100);
        assertThat(d.minimumCalls()).isEqualTo(10);
        assertThat(d.failureRateThreshold()).isEqualTo(50.0);
        assertThat(d.waitInOpen()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.permittedCallsInHalfOpen()).isEqualTo(5);
        assertThat(d.slowCallThreshold()).isEmpty();
        assertThat(d.slowCallRateThreshold()).isEqualTo(100.0);
        assertThat(CircuitBreakerConfig.builder().build()).isEqualTo(d).hasSameHashCodeAs(d);
        CircuitBreakerConfig slow = CircuitBreakerConfig.builder().slowCallThreshold(Duration.ofSeconds(1)).build();
        assertThat(slow).isNotEqualTo(d);
        assertThat(slow.slowCallThreshold()).contains(Duration.ofSeconds(1));
    }

    @Test
    void rejectsBadSettingsNamingThemAndTheValue() {
        assertThatThrownBy(() -> CircuitBreakerConfig.builder().slidingWindowSize(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slidingWindowSize")
                .hasMessageContaining(": 0");
        assertThatThrownBy(() -> CircuitBreakerConfig.builder().slidingWindowSize(100_001))
                .hasMessageContaining("slidingWindowSize").hasMessageContaining("100001");
        assertThatThrownBy(() -> CircuitBreakerConfig.builder().minimumCalls(-1))
                .hasMessageContaining("minimumCalls").hasMessageContaining("-1");
        assertThatThrownBy(() -> CircuitBreakerConfig.builder().failureRateThreshold(0))
                .hasMessageContaining("failureRateThreshold").hasMessageContaining("0.0");
        assertThatThrownBy(() -> CircuitBreakerConfig.builder().failureRateThreshold(101))
                .hasMessageContaining("failureRateThreshold").hasMessageContaining("101.0");
        assertThatThrownBy(() -> CircuitBreakerConfig.builder().waitInOpen(Duration.ZERO))
                .hasMessageContaining("waitInOpen").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> CircuitBreakerConfig.builder().permittedCallsInHalfOpen(0))
                .hasMessageContaining("permittedCallsInHalfOpen");
        assertThatThrownBy(() -> CircuitBreakerConfig.builder().slowCallThreshold(Duration.ofMillis(-5)))
                .hasMessageContaining("slowCallThreshold").hasMessageContaining("-0.005");
        assertThatThrownBy(() -> CircuitBreakerConfig.builder().slowCallRateThreshold(Double.NaN))
                .hasMessageContaining("slowCallRateThreshold").hasMessageContaining("NaN");
    }

    @Test
    void minimumCallsAboveTheWindowUseTheWindowSize() {
        CircuitBreaker b = CircuitBreaker.of("x", CircuitBreakerConfig.builder().slidingWindowSize(3)
                .minimumCalls(50).build(), new MutableClock());
        for (int i = 0; i < 3; i++) {
            b.onError(Duration.ZERO, new RuntimeException());
        }
        assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);
    }
}
