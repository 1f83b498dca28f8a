package dev.baton.persistence;

import dev.baton.event.RunEvent;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskDeadLettered;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where runs are kept: an append-only log of {@link RunEvent}s per run, with the queries the engine and tools need.
 *
 * <p>The log is the truth: a run's state is a fold over its events. Implementations must be thread-safe, must make
 * each {@link #append} atomic (all events or none), and must pass the persistence contract test kit.
 */
public interface RunStore extends AutoCloseable {

    /**
     * Appends events to a run's log, atomically.
     *
     * <p>The append succeeds only if the log currently ends at {@code expectedSeq} (0 for a run that does not exist
     * yet, so creating an existing run id fails) and the events carry the consecutive sequence numbers
     * {@code expectedSeq + 1, expectedSeq + 2, ...}. When {@code owner} is not null and the run's lease is another
     * owner's, the append is fenced off, whether or not that lease has expired: a writer takes an expired lease over
     * with {@link #tryLease} before it writes, so fencing does not depend on the writers' clocks agreeing.
     *
     * @param runId       run id
     * @param expectedSeq the sequence number the writer believes the log ends at
     * @param events      the events, in order, all of this run
     * @param owner       the writing instance's id, or {@code null} when leases are not used
     * @param now         the writer's current time
     * @throws SequenceConflictException if the log does not end at {@code expectedSeq}
     * @throws LeaseLostException        if another instance holds the run's lease
     * @throws EventRejectedException    if the store will never accept one of the events; nothing was written
     * @throws StoreException            if the store failed; nothing was written
     * @throws IllegalArgumentException  if the events are not consecutive or not of this run
     */
    void append(String runId, long expectedSeq, List<RunEvent> events, String owner, Instant now);

    /**
     * A run's whole log, in order.
     *
     * @param runId run id
     * @return the events, empty if the run is unknown
     */
    List<RunEvent> events(String runId);

    /**
     * A run's summary.
     *
     * @param runId run id
     * @return the summary, if the run exists
     */
    Optional<RunRecord> run(String runId);

    /**
     * Runs matching a filter, newest first.
     *
     * @param filter states, time range and page
     * @return one page of summaries
     */
    List<RunRecord> runs(RunFilter filter);

    /**
     * Ids of runs that have not ended, oldest first.
     *
     * @return run ids
     */
    List<String> unfinishedRuns();

    /**
     * The completion of an execution, if one is retained: what makes a re-dispatch reuse a result instead of calling
     * the service again. The engine's execution ids are {@code <runId>/<taskId>} (run ids never contain {@code /}),
     * and a completion is appended to the log of the run its id names: a store may look for an id of that form in
     * that run's log only.
     *
     * @param executionId execution id
     * @return the completion event, if retained
     */
    Optional<TaskCompleted> completedExecution(String executionId);

    /**
     * Dead letters not yet redriven, oldest first, then by run id and task id ({@link DeadLetterCursor#ORDER}).
     *
     * @return the dead-letter events
     */
    List<TaskDeadLettered> deadLetters();

    /**
     * A page of {@link #deadLetters()}, in the same order: those after {@code after} ({@code null}: from the first),
     * at most {@code limit}. The next page starts at {@link DeadLetterCursor#after} of this page's last. The default
     * reads every dead letter and keeps the page; a store with a query language answers it with a bounded query.
     *
     * @param after where the page starts, or {@code null} for the first page
     * @param limit the page's size, 1 to {@link RunFilter#MAX_LIMIT}
     * @return the page
     * @throws IllegalArgumentException if {@code limit} is out of range
     */
    default List<TaskDeadLettered> deadLetters(DeadLetterCursor after, int limit) {
        DeadLetterCursor.checkLimit(limit);
        // sorted here too: a store written to the older contract ("oldest first") may break ties in another order
        return deadLetters().stream().sorted(DeadLetterCursor.ORDER).filter(d -> after == null || after.precedes(d))
                .limit(limit).toList();
    }

    /**
     * Deletes runs (logs, summaries, executions, dead letters, leases) that ended before a time.
     *
     * @param endedBefore cut-off time
     * @return how many runs were deleted
     */
    int purge(Instant endedBefore);

    /**
     * Claims or renews a run's lease: succeeds when the run has no lease, when {@code owner} holds it, or when the
     * current lease has expired.
     *
     * @param runId run id
     * @param owner the claiming instance's id
     * @param ttl   how long the lease lasts from {@code now}
     * @param now   the claimer's current time
     * @return the lease held after the call, when the claim succeeded
     */
    Optional<Lease> tryLease(String runId, String owner, Duration ttl, Instant now);

    /**
     * Gives a lease up, if {@code owner} holds it.
     *
     * @param runId run id
     * @param owner the releasing instance's id
     */
    void releaseLease(String runId, String owner);

    /**
     * Releases resources. The default does nothing.
     */
    @Override
    default void close() {
    }
}
