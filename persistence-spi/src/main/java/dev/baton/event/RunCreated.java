package dev.baton.event;

import dev.baton.plan.Plan;

import java.time.Instant;
import java.util.Objects;

/**
 * A run was accepted: always the first event of a run's log.
 *
 * @param runId    run id
 * @param seq      always 1
 * @param at       time
 * @param plan     the validated plan it runs
 * @param settings the options it runs with
 */
public record RunCreated(String runId, long seq, Instant at, Plan plan, RunSettings settings) implements RunEvent {
    /**
     * Checks the components.
     *
     * @param runId    run id
     * @param seq      always 1
     * @param at       time
     * @param plan     the validated plan it runs
     * @param settings the options it runs with
     */
    public RunCreated {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(settings, "settings");
    }
}
