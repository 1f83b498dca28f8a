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

class PlanningWithDefinitionsTest {

    @Test
    void plansTheActionFromTheSavedDefinitionAndRunsIt() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        InMemoryRunStore store = new InMemoryRunStore();
        RunResult r = PlanningWithDefinitions.run(store, new PrintStream(buf, true, StandardCharsets.UTF_8));

        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(r.output("reply")).isEqualTo(Map.of("message", "Dear Ada, your order is delayed. (friendly)"));
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("Definitions: [assist-customer@1]")
                .contains("Run assist-ORD456: COMPLETED");
        // the same action again: the definition is already saved, and the run id returns the stored run
        RunResult again = PlanningWithDefinitions.run(store, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8));
        assertThat(again.runId()).isEqualTo("assist-ORD456");
        assertThat(again.status()).isEqualTo(RunStatus.COMPLETED);
    }
}
