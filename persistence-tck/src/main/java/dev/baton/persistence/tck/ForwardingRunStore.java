package dev.baton.persistence.tck;

import dev.baton.event.RunEvent;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskDeadLettered;
import dev.baton.persistence.Lease;
import dev.baton.persistence.RunFilter;
import dev.baton.persistence.RunRecord;
import dev.baton.persistence.RunStore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A store that forwards every call to another: a test overrides the calls it wants to fail, hold or count, and
 * reads what was really written through {@link #delegate()}.
 *
 * <pre>{@code
 * RunStore flaky = new ForwardingRunStore(new InMemoryRunStore()) {
 *     public void append(String runId, long expectedSeq, List<RunEvent> events, String owner, Instant now) {
 *         throw new StoreException("down");
 *     }
 * };
 * }</pre>
 */
public abstract class ForwardingRunStore implements RunStore {

    private final RunStore delegate;

    /** @param delegate the store every call goes to */
    protected ForwardingRunStore(RunStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** @return the store every call goes to */
    public RunStore delegate() {
        return delegate;
    }

    @Override
    public void append(String runId, long expectedSeq, List<RunEvent> events, String owner, Instant now) {
        delegate.append(runId, expectedSeq, events, owner, now);
    }

    @Override
    public List<RunEvent> events(String runId) {
        return delegate.events(runId);
    }

    @Override
    public Optional<RunRecord> run(String runId) {
        return delegate.run(runId);
    }

    @Override
    public List<RunRecord> runs(RunFilter filter) {
        return delegate.runs(filter);
    }

    @Override
    public List<String> unfinishedRuns() {
        return delegate.unfinishedRuns();
    }

    @Override
    public Optional<TaskCompleted> completedExecution(String executionId) {
        return delegate.completedExecution(executionId);
    }

    @Override
    public List<TaskDeadLettered> deadLetters() {
        return delegate.deadLetters();
    }

    @Override
    public int purge(Instant endedBefore) {
        return delegate.purge(endedBefore);
    }

    @Override
    public Optional<Lease> tryLease(String runId, String owner, Duration ttl, Instant now) {
        return delegate.tryLease(runId, owner, ttl, now);
    }

    @Override
    public void releaseLease(String runId, String owner) {
        delegate.releaseLease(runId, owner);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
