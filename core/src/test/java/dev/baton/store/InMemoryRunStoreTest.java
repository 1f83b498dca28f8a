package dev.baton.store;

import dev.baton.event.RunCreated;
import dev.baton.event.RunSettings;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskStarted;
import dev.baton.persistence.RunStore;
import dev.baton.persistence.tck.RunStoreContractTest;
import dev.baton.plan.Plan;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The contract test kit against the in-memory store, and how it finds a completion by execution id. */
class InMemoryRunStoreTest extends RunStoreContractTest {

    @Override
    protected RunStore createStore() {
        return new InMemoryRunStore();
    }

    @Test
    void anExecutionIdThatNamesARunIsLookedForInThatRunOnlyAndAnyOtherInEveryRun() {
        InMemoryRunStore s = new InMemoryRunStore();
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        Plan plan = Plan.builder().task("t", "svc", Map.of()).build();
        TaskCompleted own = new TaskCompleted("r1", 3, t0, "t", "r1/t", 1, Map.of("n", 1), false);
        TaskCompleted borrowed = new TaskCompleted("r2", 3, t0, "t", "r1/borrowed", 1, Map.of("n", 2), false);
        TaskCompleted custom = new TaskCompleted("r3", 3, t0, "t", "custom-id", 1, Map.of("n", 3), false);
        for (TaskCompleted c : List.of(own, borrowed, custom)) {
            s.append(c.runId(), 0, List.of(new RunCreated(c.runId(), 1, t0, plan,
                            new RunSettings(null, 0, "GROUPS", "FAIL_FAST", null, null)),
                    new TaskStarted(c.runId(), 2, t0, "t", c.executionId(), 1, Map.of()), c), null, t0);
        }

        assertThat(s.completedExecution("r1/t")).contains(own);
        assertThat(s.completedExecution("r1/borrowed")).as("named r1, completed in r2's log").isEmpty();
        assertThat(s.completedExecution("custom-id")).contains(custom);
        assertThat(s.completedExecution("r9/t")).isEmpty();
    }
}
