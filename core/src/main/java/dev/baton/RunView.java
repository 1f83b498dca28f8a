package dev.baton;

import java.time.Instant;
import java.util.List;
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
 */
public record RunView(String runId, RunStatus status, String correlationId, Instant createdAt, Instant endedAt,
                      List<TaskView> tasks, List<List<String>> parallelGroups, RunError err) {

    /** Freezes the lists. */
    public RunView {
        tasks = List.copyOf(tasks);
        parallelGroups = List.copyOf(parallelGroups);
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
