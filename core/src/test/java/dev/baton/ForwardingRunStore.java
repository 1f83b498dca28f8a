package dev.baton;

import dev.baton.event.RunEvent;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskDeadLettered;
import dev.baton.persistence.Lease;
import dev.baton.persistence.RunFilter;
import dev.baton.persistence.RunRecord;
import dev.baton.persistence.RunStore;
import dev.baton.store.InMemoryRunStore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A store that forwards everything to an in-memory store; tests override the calls they make fail. */
abstract class ForwardingRunStore implements RunStore {
    final InMemoryRunStore delegate = new InMemoryRunStore();

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
}
