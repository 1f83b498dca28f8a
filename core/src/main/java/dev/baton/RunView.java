package dev.baton;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code inspect} shows of a run: its status, times, and every task. A snapshot folded from the run's log;
 * immutable.
 *
 * @param runId         run id
 * @param status        where the run stands
 * @param correlationId its correlation id
 * @param createdAt     when it was accepted
 * @param endedAt       when it ended, or {@code null}
 * @param tasks         every executable task, in plan order
 * @param parallelGroups the schedule it follows
 * @param err           why it did not complete, or {@code null}
 * @param planVersion   the version of the plan in effect: 1 for the plan the run was created with, then 2, 3, ...
 *                      per accepted revision (see {@link dev.baton.planner.Action.Builder#replanOnFailure(int)});
 *                      {@code tasks} and {@code parallelGroups} are those of this version
 * @param serviceVersions the catalog versions of the services the plan in effect was validated against, by name
 */
public record RunView(String runId, RunStatus status, String correlationId, Instant createdAt, Instant endedAt,
                      List<TaskView> tasks, List<List<String>> parallelGroups, RunError err, int planVersion,
                      Map<String, Integer> serviceVersions) {

    /**
     * Freezes the lists.
     *
     * @param runId         run id
     * @param status        where the run stands
     * @param correlationId its correlation id
     * @param createdAt     when it was accepted
     * @param endedAt       when it ended, or {@code null}
     * @param tasks         every executable task, in plan order
     * @param parallelGroups the schedule it follows
     * @param err           why it did not complete, or {@code null}
     * @param planVersion   the version of the plan in effect: 1 for the plan the run was created with, then 2, 3, ...
     *                      per accepted revision (see {@link dev.baton.planner.Action.Builder#replanOnFailure(int)});
     *                      {@code tasks} and {@code parallelGroups} are those of this version
     * @param serviceVersions the catalog versions of the services the plan in effect was validated against, by name
     */
    public RunView {
        tasks = List.copyOf(tasks);
        parallelGroups = List.copyOf(parallelGroups);
        serviceVersions = serviceVersions == null ? Map.of() : Map.copyOf(serviceVersions);
    }

    /**
     * A view of a run at plan version 1 without recorded service versions.
     *
     * @param runId          run id
     * @param status         where the run stands
     * @param correlationId  its correlation id
     * @param createdAt      when it was accepted
     * @param endedAt        when it ended, or {@code null}
     * @param tasks          every executable task, in plan order
     * @param parallelGroups the schedule it follows
     * @param err            why it did not complete, or {@code null}
     */
    public RunView(String runId, RunStatus status, String correlationId, Instant createdAt, Instant endedAt,
                   List<TaskView> tasks, List<List<String>> parallelGroups, RunError err) {
        this(runId, status, correlationId, createdAt, endedAt, tasks, parallelGroups, err, 1, Map.of());
    }

    /**
     * @param taskId task id
     * @return that task's view
     */
    public Optional<TaskView> task(String taskId) {
        for (TaskView t : tasks) {
            if (t.taskId().equals(taskId)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** @return why the run did not complete */
    public Optional<RunError> error() {
        return Optional.ofNullable(err);
    }
}
