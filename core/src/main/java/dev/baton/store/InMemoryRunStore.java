package dev.baton.store;

import dev.baton.event.RunCreated;
import dev.baton.event.RunEvent;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskDeadLettered;
import dev.baton.event.TaskRedriven;
import dev.baton.internal.Saturating;
import dev.baton.persistence.DeadLetterCursor;
import dev.baton.persistence.DefinitionStore;
import dev.baton.persistence.Lease;
import dev.baton.persistence.LeaseLostException;
import dev.baton.persistence.LogInvariants;
import dev.baton.persistence.RunFilter;
import dev.baton.persistence.RunRecord;
import dev.baton.persistence.RunStore;
import dev.baton.persistence.SequenceConflictException;
import dev.baton.persistence.StoredDefinition;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine's default {@link RunStore}: every run's log in memory, for tests and for runs that need not survive the
 * process.
 *
 * <pre>{@code
 * RunStore store = new InMemoryRunStore();                          // keeps ended runs until purge(...)
 * RunStore bounded = new InMemoryRunStore(Duration.ofHours(1));    // drops runs an hour after they ended
 * }</pre>
 *
 * <p>Same semantics as a durable store: atomic, sequence-checked appends; run-id uniqueness; leases with fencing;
 * the completed-execution index; dead letters until redriven. Thread-safe: each run has its own lock, so appends to
 * different runs never wait for each other, and reads of the indexes take no lock at all.
 *
 * <p>Retention: with a retention period, ended runs are purged as time passes (judged by the {@code now} that writers
 * pass in), so a long-lived process keeps a bounded number of ended runs. Active runs are never purged.
 *
 * <p>It is also a {@link DefinitionStore}: saved plan definitions are kept in memory and never purged.
 */
public final class InMemoryRunStore implements RunStore, DefinitionStore {

    /** How many terminal appends pass between two retention sweeps: sweeping walks every run. */
    private static final int SWEEP_EVERY = 256;

    private static final Comparator<RunRecord> NEWEST_FIRST =
            Comparator.comparing(RunRecord::createdAt).thenComparing(RunRecord::runId).reversed();
    private static final Comparator<RunRecord> OLDEST_FIRST =
            Comparator.comparing(RunRecord::createdAt).thenComparing(RunRecord::runId);

    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, TaskDeadLettered> deadLetters = new ConcurrentHashMap<>();
    private final java.util.TreeMap<String, java.util.TreeMap<Integer, StoredDefinition>> definitions = new java.util.TreeMap<>();
    private final Duration retention;
    private final AtomicLong terminalAppends = new AtomicLong();

    /**
     * A store that keeps every run until {@link #purge(Instant)} is called.
     */
    public InMemoryRunStore() {
        this.retention = null;
    }

    /**
     * A store that purges ended runs once they have been over for longer than {@code retention}.
     *
     * @param retention how long an ended run (its log, executions and dead letters) is kept; positive
     * @throws IllegalArgumentException if {@code retention} is not positive
     */
    public InMemoryRunStore(Duration retention) {
        Objects.requireNonNull(retention, "retention");
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention must be positive, was " + retention);
        }
        this.retention = retention;
    }

    /** @return the retention period, if this store purges by itself */
    public Optional<Duration> retention() {
        return Optional.ofNullable(retention);
    }

    /**
     * One run's log, lease and summary. Everything in it is guarded by the slot's monitor. A slot may exist without a
     * log when a lease was taken before the run was created.
     */
    private static final class Slot {
        final CompactLog events;
        RunRecord record;
        Lease lease;
        /** Set under the monitor when purge unlinks the slot: a writer holding a stale reference must look again. */
        boolean removed;
        /**
         * This run's completed executions by execution id, built on the first look-up and kept up to date after it.
         * Not kept from the start: every task of every run would pay for an index only recovery tools query.
         */
        java.util.HashMap<String, TaskCompleted> completions;

        TaskCompleted completion(String executionId) {
            if (completions == null) {
                completions = new java.util.HashMap<>();
                for (int k = 0; k < events.size(); k++) {
                    if (events.isCompletion(k)) {
                        indexCompletion(events.get(k));
                    }
                }
            }
            return completions.get(executionId);
        }

        /** The same answer as {@link #completion} without building (and keeping) the run's index: for look-ups of
         * ids that do not name a run, which would otherwise index every run in the store. */
        TaskCompleted scanCompletion(String executionId) {
            if (completions != null) {
                return completions.get(executionId);
            }
            for (int k = events.size() - 1; k >= 0; k--) {   // the latest completion wins, as in the index
                if (events.isCompletion(k) && events.get(k) instanceof TaskCompleted c
                        && executionId.equals(c.executionId())) {
                    return c;
                }
            }
            return null;
        }

        void indexCompletion(RunEvent e) {
            if (e instanceof TaskCompleted c && c.executionId() != null) {
                completions.put(c.executionId(), c);
            }
        }

        /** The log's last sequence number; {@link #record} is brought up to it when read, not on every append. */
        long lastSeq;

        Slot(String runId) {
            this.events = new CompactLog(runId);
        }

        long lastSeq() {
            return lastSeq;
        }

        RunRecord record() {
            RunRecord r = record;
            if (r != null && r.lastSeq() != lastSeq) {
                r = new RunRecord(r.runId(), r.state(), r.createdAt(), r.endedAt(), lastSeq, r.correlationId(),
                        r.taskCount());
                record = r;
            }
            return r;
        }
    }

    private Slot lockedSlot(String runId) {
        // Return a live slot; the caller synchronizes on it and re-checks `removed` (see withSlot).
        Slot s = slots.get(runId);
        return s != null ? s : slots.computeIfAbsent(runId, Slot::new);
    }

    @Override
    public void append(String runId, long expectedSeq, List<RunEvent> events, String owner, Instant now) {
        LogInvariants.checkAppend(runId, expectedSeq, events);
        Objects.requireNonNull(now, "now");
        Slot slot = slots.get(runId); // one look-up for the check and the write, the usual case
        if (expectedSeq > 0 && slot == null) {
            throw new SequenceConflictException(runId, expectedSeq, 0);
        }
        boolean terminal = false;
        while (true) {
            if (slot == null) {
                slot = lockedSlot(runId);
            }
            synchronized (slot) {
                if (slot.removed) {
                    slot = null;
                    continue;
                }
                // another owner's lease fences, expired or not: a writer takes an expired lease over (tryLease)
                // before it writes, so a writer whose clock runs ahead cannot slip past a live owner's lease
                if (owner != null && slot.lease != null && !slot.lease.owner().equals(owner)) {
                    throw new LeaseLostException(runId, owner, slot.lease.owner());
                }
                long actual = slot.lastSeq();
                if (actual != expectedSeq) {
                    throw new SequenceConflictException(runId, expectedSeq, actual);
                }
                // the field as it is: the events below that change the record give their own seq, and the others only
                // move lastSeq, which Slot.record() applies when the record is read (not a new record per append)
                RunRecord record = slot.record;
                int n = events.size();
                for (int k = 0; k < n; k++) {
                    RunEvent e = events.get(k);
                    slot.events.add(e);
                    if (e instanceof RunCreated c) {
                        record = RunRecord.created(c);
                    } else if (e.isTerminal() || e instanceof TaskRedriven) {
                        record = record.after(e);
                        terminal |= e.isTerminal();
                    } // other events only move the sequence number: see Slot.record()
                    // Indexes are updated under the run's lock so a reader never sees them ahead of a later redrive.
                    index(slot, e);
                }
                slot.record = record;
                slot.lastSeq = events.get(n - 1).seq();
            }
            break;
        }
        if (terminal && retention != null && terminalAppends.incrementAndGet() % SWEEP_EVERY == 0) {
            purge(Saturating.minus(now, retention));
        }
    }

    private void index(Slot slot, RunEvent e) {
        if (e instanceof TaskCompleted) {
            if (slot.completions != null) {
                slot.indexCompletion(e);
            }
        } else if (e instanceof TaskDeadLettered d) {
            deadLetters.put(taskKey(d.runId(), d.taskId()), d);
        } else if (e instanceof TaskRedriven r) {
            deadLetters.remove(taskKey(r.runId(), r.taskId()));
        }
    }

    private static String taskKey(String runId, String taskId) {
        return runId + '\u0000' + taskId;
    }

    @Override
    public List<RunEvent> events(String runId) {
        Slot slot = slots.get(runId);
        if (slot == null) {
            return List.of();
        }
        synchronized (slot) {
            return slot.removed ? List.of() : slot.events.snapshot();
        }
    }

    @Override
    public Optional<RunRecord> run(String runId) {
        Slot slot = slots.get(runId);
        if (slot == null) {
            return Optional.empty();
        }
        synchronized (slot) {
            return slot.removed ? Optional.empty() : Optional.ofNullable(slot.record());
        }
    }

    @Override
    public List<RunRecord> runs(RunFilter filter) {
        Objects.requireNonNull(filter, "filter");
        List<RunRecord> all = new ArrayList<>();
        for (RunRecord r : records()) {
            if (filter.matches(r)) {
                all.add(r);
            }
        }
        all.sort(NEWEST_FIRST);
        int from = Math.min(filter.offset(), all.size());
        int to = (int) Math.min((long) from + filter.limit(), all.size());
        return List.copyOf(all.subList(from, to));
    }

    private List<RunRecord> records() {
        List<RunRecord> out = new ArrayList<>(slots.size());
        for (Slot slot : slots.values()) {
            synchronized (slot) {
                if (!slot.removed && slot.record != null) {
                    out.add(slot.record());
                }
            }
        }
        return out;
    }

    @Override
    public List<String> unfinishedRuns() {
        List<RunRecord> active = new ArrayList<>();
        for (RunRecord r : records()) {
            if (!r.state().isTerminal()) {
                active.add(r);
            }
        }
        active.sort(OLDEST_FIRST);
        List<String> ids = new ArrayList<>(active.size());
        for (RunRecord r : active) {
            ids.add(r.runId());
        }
        return List.copyOf(ids);
    }

    @Override
    public Optional<TaskCompleted> completedExecution(String executionId) {
        Objects.requireNonNull(executionId, "executionId");
        // The engine's execution ids are "<runId>/<taskId>" (run ids have no '/') and a completion is appended to the
        // log of the run its id names: an id of that form is looked for there only (the SPI allows it), any other id
        // in every run, without indexing them.
        int slash = executionId.indexOf('/');
        if (slash > 0) {
            Slot home = slots.get(executionId.substring(0, slash));
            return Optional.ofNullable(home == null ? null : completionIn(home, executionId));
        }
        for (Slot slot : slots.values()) {
            TaskCompleted c;
            synchronized (slot) {
                c = slot.removed ? null : slot.scanCompletion(executionId);
            }
            if (c != null) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    private static TaskCompleted completionIn(Slot slot, String executionId) {
        synchronized (slot) {
            return slot.removed ? null : slot.completion(executionId);
        }
    }

    @Override
    public List<TaskDeadLettered> deadLetters() {
        List<TaskDeadLettered> out = new ArrayList<>(deadLetters.values());
        out.sort(DeadLetterCursor.ORDER);
        return List.copyOf(out);
    }

    @Override
    public int purge(Instant endedBefore) {
        Objects.requireNonNull(endedBefore, "endedBefore");
        int purged = 0;
        for (var entry : slots.entrySet()) {
            Slot slot = entry.getValue();
            synchronized (slot) {
                RunRecord r = slot.record;
                if (slot.removed || r == null || r.endedAt() == null || !r.endedAt().isBefore(endedBefore)) {
                    continue;
                }
                slot.removed = true;
                slots.remove(entry.getKey(), slot);
                for (int k = 0; k < slot.events.size(); k++) {
                    if (slot.events.stored(k) instanceof TaskDeadLettered d) {
                        deadLetters.remove(taskKey(d.runId(), d.taskId()), d);
                    }
                }
                purged++;
            }
        }
        return purged;
    }

    @Override
    public Optional<Lease> tryLease(String runId, String owner, Duration ttl, Instant now) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(now, "now");
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl);
        }
        while (true) {
            Slot slot = lockedSlot(runId);
            synchronized (slot) {
                if (slot.removed) {
                    continue;
                }
                Lease current = slot.lease;
                if (current != null && !current.owner().equals(owner) && !current.isExpired(now)) {
                    return Optional.empty();
                }
                slot.lease = new Lease(runId, owner, Saturating.plus(now, ttl));
                return Optional.of(slot.lease);
            }
        }
    }

    @Override
    public void releaseLease(String runId, String owner) {
        Objects.requireNonNull(owner, "owner");
        Slot slot = slots.get(runId);
        if (slot == null) {
            return;
        }
        synchronized (slot) {
            if (slot.lease != null && slot.lease.owner().equals(owner)) {
                slot.lease = null;
                if (slot.record == null) {
                    // a lease on a run that was never created: nothing left to keep
                    slot.removed = true;
                    slots.remove(runId, slot);
                }
            }
        }
    }

    // ------------------------------------------------------------------ definitions (DefinitionStore)

    @Override
    public boolean saveDefinition(StoredDefinition definition) {
        Objects.requireNonNull(definition, "definition");
        synchronized (definitions) {
            return definitions.computeIfAbsent(definition.name(), n -> new java.util.TreeMap<>())
                    .putIfAbsent(definition.version(), definition) == null;
        }
    }

    @Override
    public Optional<StoredDefinition> definition(String name, int version) {
        Objects.requireNonNull(name, "name");
        synchronized (definitions) {
            java.util.TreeMap<Integer, StoredDefinition> versions = definitions.get(name);
            return versions == null ? Optional.empty() : Optional.ofNullable(versions.get(version));
        }
    }

    @Override
    public Optional<StoredDefinition> latestDefinition(String name) {
        Objects.requireNonNull(name, "name");
        synchronized (definitions) {
            java.util.TreeMap<Integer, StoredDefinition> versions = definitions.get(name);
            return versions == null ? Optional.empty() : Optional.of(versions.lastEntry().getValue());
        }
    }

    @Override
    public List<StoredDefinition> definitions() {
        synchronized (definitions) {
            List<StoredDefinition> all = new ArrayList<>();
            for (java.util.TreeMap<Integer, StoredDefinition> versions : definitions.values()) {
                all.addAll(versions.values());
            }
            return List.copyOf(all);
        }
    }

    @Override
    public String toString() {
        return "InMemoryRunStore[" + slots.size() + " runs" + (retention == null ? "" : ", retention " + retention) + "]";
    }
}
