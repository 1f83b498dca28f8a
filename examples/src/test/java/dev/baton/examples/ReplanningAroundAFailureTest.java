package dev.baton.examples;

import dev.baton.RunResult;
import dev.baton.RunStatus;
import dev.baton.event.PlanRevised;
import dev.baton.persistence.LogInvariants;
import dev.baton.store.InMemoryRunStore;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class ReplanningAroundAFailureTest {

    @Test
    void theRevisionMovesTheFailedLookUpAndKeepsTheCustomer() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        InMemoryRunStore store = new InMemoryRunStore();
        AtomicInteger customerCalls = new AtomicInteger();

        RunResult r = ReplanningAroundAFailure.run(store, new PrintStream(buf, true, StandardCharsets.UTF_8),
                customerCalls);

        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(r.output("reply")).isEqualTo(Map.of("message", "Dear Ada, your order is delayed (from the archive)."));
        assertThat(customerCalls).as("once per run: assist-2 kept its customer look-up").hasValue(2);
        PlanRevised revised = store.events("assist-2").stream().filter(PlanRevised.class::isInstance)
                .map(PlanRevised.class::cast).findFirst().orElseThrow();
        assertThat(revised.kept()).containsExactly("customer");
        assertThat(revised.executionIds()).containsEntry("order", "assist-2/order@2");
        assertThat(LogInvariants.check(store.events("assist-2"))).isEmpty();
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("Run assist-1 (no re-planning): FAILED")
                .contains("catalog version 1").contains("Run assist-2: COMPLETED under plan version 2")
                .contains("order via order-archive [assist-2/order@2]");
    }
}
