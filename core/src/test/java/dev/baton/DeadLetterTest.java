package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeadLetterTest {

    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void copiesItsInputAndAttempts() {
        Map<String, Object> input = new HashMap<>();
        input.put("orderId", "ORD456");
        input.put("note", null);
        List<DeadLetter.AttemptError> attempts = new ArrayList<>(List.of(
                new DeadLetter.AttemptError(1, "TIMEOUT", "timed out after PT20S", T),
                new DeadLetter.AttemptError(2, "RETRYABLE", "429", T.plusSeconds(1))));
        DeadLetter letter = new DeadLetter("run-1", "task2", "order-system", "exec-1", input, attempts, T);
        input.clear();
        attempts.clear();
        assertThat(letter.input()).containsEntry("orderId", "ORD456").containsEntry("note", null);
        assertThat(letter.attempts()).extracting(DeadLetter.AttemptError::attempt).containsExactly(1, 2);
        assertThatThrownBy(() -> letter.input().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        Map<String, Object> same = new HashMap<>();
        same.put("orderId", "ORD456");
        same.put("note", null);
        assertThat(letter).isEqualTo(new DeadLetter("run-1", "task2", "order-system", "exec-1", same,
                List.copyOf(letter.attempts()), T));
        assertThatThrownBy(() -> new DeadLetter.AttemptError(0, "X", "m", T)).hasMessageContaining("attempt");
    }
}
