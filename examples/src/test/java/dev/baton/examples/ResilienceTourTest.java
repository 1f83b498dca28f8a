package dev.baton.examples;

import dev.baton.RunResult;
import dev.baton.RunStatus;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ResilienceTourTest {

    @Test
    void everyScenarioEndsCompleted() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        RunResult[] r = ResilienceTour.run(new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(r).extracting(RunResult::status).containsOnly(RunStatus.COMPLETED);
        assertThat(r[0].output("price")).isEqualTo(Map.of("price", 42));
        assertThat(r[2].output("book")).isEqualTo(Map.of("booked", "order-77/book"));
        assertThat(out).contains("breaker OPEN").contains("CIRCUIT_OPEN").contains("redriven: COMPLETED");
    }
}
