package dev.baton.persistence;

import dev.baton.event.TaskDeadLettered;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * Where a page of dead letters starts: after the dead letter with this time, run id and task id, in the order
 * {@link RunStore#deadLetters()} lists them (oldest first, then by run id, then by task id). The dead letter it was
 * taken from need not exist any more (redriven, purged): the next page starts after its place.
 *
 * @param at     when the task was dead-lettered
 * @param runId  its run
 * @param taskId the task
 */
public record DeadLetterCursor(Instant at, String runId, String taskId) {

    /** The order of places: by time, then run id, then task id. */
    private static final Comparator<DeadLetterCursor> PLACES = Comparator.comparing(DeadLetterCursor::at)
            .thenComparing(DeadLetterCursor::runId).thenComparing(DeadLetterCursor::taskId);

    /** The order of dead letters: by time, then run id, then task id. */
    public static final Comparator<TaskDeadLettered> ORDER = Comparator.comparing(DeadLetterCursor::after, PLACES);

    /**
     * Checks the components.
     *
     * @param at     when the task was dead-lettered
     * @param runId  its run
     * @param taskId the task
     */
    public DeadLetterCursor {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(taskId, "taskId");
    }

    /**
     * @param last the last dead letter of a page
     * @return the cursor of the page after it
     */
    public static DeadLetterCursor after(TaskDeadLettered last) {
        return new DeadLetterCursor(last.at(), last.runId(), last.taskId());
    }

    /**
     * Checks the size of a page of dead letters, for stores that implement {@link RunStore#deadLetters(DeadLetterCursor,
     * int)}.
     *
     * @param limit the page size asked for
     * @throws IllegalArgumentException if it is not between 1 and {@link RunFilter#MAX_LIMIT}
     */
    public static void checkLimit(int limit) {
        if (limit < 1 || limit > RunFilter.MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + RunFilter.MAX_LIMIT + ", was " + limit);
        }
    }

    /**
     * @param d a dead letter
     * @return whether it comes after this cursor's place
     */
    public boolean precedes(TaskDeadLettered d) {
        return PLACES.compare(after(d), this) > 0;
    }
}
