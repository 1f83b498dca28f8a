package dev.baton.event;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The options a run was created with, as recorded in its {@link RunCreated} event, so that recovery resumes it the
 * way it started.
 *
 * @param correlationId  the caller's correlation id, or {@code null}
 * @param maxParallel    the run's own limit on running tasks ({@code 0}: only the orchestrator's limit)
 * @param schedulingMode the scheduling mode's name ({@code GROUPS} or {@code EAGER})
 * @param failurePolicy  the failure policy's name ({@code FAIL_FAST} or {@code CONTINUE})
 * @param timeout        the run timeout, or {@code null} for none
 * @param attributes     further settings by name (webhook, planner, ...), plain JSON values
 */
public record RunSettings(String correlationId, int maxParallel, String schedulingMode, String failurePolicy,
                          Duration timeout, Map<String, Object> attributes) {

    /**
     * Checks and freezes the components.
     *
     * @param correlationId  the caller's correlation id, or {@code null}
     * @param maxParallel    the run's own limit on running tasks ({@code 0}: only the orchestrator's limit)
     * @param schedulingMode the scheduling mode's name ({@code GROUPS} or {@code EAGER})
     * @param failurePolicy  the failure policy's name ({@code FAIL_FAST} or {@code CONTINUE})
     * @param timeout        the run timeout, or {@code null} for none
     * @param attributes     further settings by name (webhook, planner, ...), plain JSON values
     */
    public RunSettings {
        Objects.requireNonNull(schedulingMode, "schedulingMode");
        Objects.requireNonNull(failurePolicy, "failurePolicy");
        if (maxParallel < 0) {
            throw new IllegalArgumentException("maxParallel must be >= 0, was " + maxParallel);
        }
        attributes = attributes == null ? Map.of() : dev.baton.plan.JsonValues.freezeObject(attributes);
    }
}
