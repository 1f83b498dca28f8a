package dev.baton.examples;

import dev.baton.RunResult;
import dev.baton.RunStatus;
import dev.baton.store.InMemoryRunStore;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
}
