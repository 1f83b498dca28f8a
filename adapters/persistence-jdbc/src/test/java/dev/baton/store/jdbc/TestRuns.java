package dev.baton.store.jdbc;

import dev.baton.event.RunCreated;
import dev.baton.event.RunEvent;
import dev.baton.event.RunSettings;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskStarted;
import dev.baton.plan.Plan;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A small run log that the store tests write and read back. */
final class TestRuns {

    /** The time every event of {@link #run} carries. */
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private TestRuns() {
    }

    /** @return a run's first three events: its creation (one task reading a parameter), the task's start and end */
    static List<RunEvent> run(String id) {
        Plan plan = Plan.builder().params(Map.of("n", 1)).task("t", "svc", Map.of("n", "$task0.n")).build();
        return List.of(new RunCreated(id, 1, T0, plan, new RunSettings(null, 0, "GROUPS", "FAIL_FAST", null, null)),
                new TaskStarted(id, 2, T0, "t", id + "/t", 1, Map.of("n", 1)),
                new TaskCompleted(id, 3, T0, "t", id + "/t", 1, Map.of("ok", true), false));
    }
}
