package dev.baton.event;

import dev.baton.plan.Plan;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The run switched to a revised plan after a task failed for good: from this event on the run executes {@code plan}.
 * The tasks in {@code kept} completed under the previous version and are kept unchanged (same id, service and
 * resolved input): their execution ids and results carry over and they are not executed again. Every other task of
 * the revised plan starts afresh, with the execution id given in {@code executionIds}.
 *
 * @param runId           run id
 * @param seq             position in the log
 * @param at              time
 * @param version         the plan's version: 2 for the first revision, then 3, ...
 * @param plan            the revised, validated plan
 * @param failedTaskId    the task whose failure led to the revision
 * @param kept            the completed tasks carried over, in plan order
 * @param executionIds    every executable task of the revised plan to its execution id
 * @param serviceVersions the catalog versions of the services the revised plan was validated against
 */
public record PlanRevised(String runId, long seq, Instant at, int version, Plan plan, String failedTaskId,
                          List<String> kept, Map<String, String> executionIds, Map<String, Integer> serviceVersions)
        implements RunEvent {

    /**
     * Checks and freezes the components.
     *
     * @param runId           run id
     * @param seq             position in the log
     * @param at              time
     * @param version         the plan's version: 2 for the first revision, then 3, ...
     * @param plan            the revised, validated plan
     * @param failedTaskId    the task whose failure led to the revision
     * @param kept            the completed tasks carried over, in plan order
     * @param executionIds    every executable task of the revised plan to its execution id
     * @param serviceVersions the catalog versions of the services the revised plan was validated against
     */
    public PlanRevised {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(plan, "plan");
        if (version < 2) {
            throw new IllegalArgumentException("a revised plan has version >= 2, was " + version);
        }
        kept = List.copyOf(kept);
        executionIds = Map.copyOf(executionIds);
        serviceVersions = serviceVersions == null ? Map.of() : Map.copyOf(serviceVersions);
    }
}
