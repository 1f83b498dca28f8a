package dev.baton.examples;

import dev.baton.RunResult;
import dev.baton.RunStatus;
import dev.baton.store.InMemoryRunStore;
import dev.baton.plan.Plan;
import dev.baton.event.RunCreated;
import dev.baton.event.RunSettings;
import dev.baton.store.jdbc.JdbcRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class OrderFulfilmentTest {

    @Test
    void runsPaymentAndStockThenDeliveryAndNotification() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        RunResult r = OrderFulfilment.run(new InMemoryRunStore(), new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);

        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(r.output("delivery")).isEqualTo(Map.of("eta", "2 days", "carrier", "FastShip", "from", "WH-EAST"));
        assertThat(out).contains("Plan groups: [[payment, stock], [delivery, notify]]")
                .contains("ID:      order-ORD123")
                .contains("Status:  completed")
                .contains("payment-service")
                .contains("\"paymentId\": \"PAY-ORD123\"");
    }

    @Test
    void runsOnTheEmbeddedStoreAndASecondRunReturnsTheStoredOne(@TempDir Path dir) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(OrderFulfilment.runIn(dir, o, e)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("started (attempt 1)");
        out.reset();
        assertThat(OrderFulfilment.runIn(dir, o, e)).isZero();
        // the stored run, not a second charge: no task starts again
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("started").contains("Status:  completed");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aStoredRunOfAnotherPlanUnderTheSameIdIsOneLineNotAStackTrace(@TempDir Path dir) {
        try (JdbcRunStore store = JdbcRunStore.embedded(dir)) {
            Plan other = Plan.builder().task("t", "svc", Map.of()).build();
            store.append("order-ORD123", 0, List.of(new RunCreated("order-ORD123", 1, Instant.now(), other,
                    new RunSettings(null, 0, "GROUPS", "FAIL_FAST", null, null))), null, Instant.now());
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = OrderFulfilment.runIn(dir, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String message = err.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(1);
        assertThat(message).contains("order-ORD123").contains("different plan").contains("remove that directory")
                .doesNotContain("\tat ").hasLineCount(1);
    }
}
