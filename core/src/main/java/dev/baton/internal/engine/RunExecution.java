package dev.baton.internal.engine;

import dev.baton.FailurePolicy;
import dev.baton.RunError;
import dev.baton.RunResult;
import dev.baton.RunStatus;
import dev.baton.SchedulingMode;
import dev.baton.TaskStatus;
import dev.baton.event.ErrorInfo;
import dev.baton.event.FailedAttempt;
import dev.baton.event.RunCancelled;
import dev.baton.event.RunCompleted;
import dev.baton.event.RunCreated;
import dev.baton.event.RunEvent;
import dev.baton.event.RunFailed;
import dev.baton.event.RunSettings;
import dev.baton.event.TaskCancelled;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskDeadLettered;
import dev.baton.event.TaskFailed;
import dev.baton.event.TaskRetryScheduled;
import dev.baton.event.TaskSkipped;
import dev.baton.event.TaskStarted;
import dev.baton.internal.Saturating;
import dev.baton.persistence.EventRejectedException;
import dev.baton.persistence.LeaseLostException;
import dev.baton.persistence.SequenceConflictException;
import dev.baton.plan.Plan;
import dev.baton.plan.Reference;
import dev.baton.time.Cancellable;
import dev.baton.validation.PlanGraph;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One run in flight: its tasks' states, readiness counters, and the outbox of events not yet durable.
 *
 * <p>All state changes happen under this object's monitor and are recorded as events in the outbox. Effects that
 * others may observe (dispatching dependents, completing the result future, telling listeners) happen only after
 * {@link #flush()} has written those events to the store: a completion is durable before any dependent starts, and a
 * run's end is durable before its future completes.
 */
final class RunExecution {

    // task states
    static final byte PENDING = 0;
    static final byte QUEUED = 1;
    static final byte RUNNING = 2;
    static final byte RETRY_WAIT = 3;
    static final byte COMPLETED = 4;
    static final byte FAILED = 5;
    static final byte SKIPPED = 6;
    static final byte CANCELLED = 7;

    final Engine engine;
    final String runId;
    final Plan plan;
    final PlanGraph graph;
    final RunSettings settings;
    final String correlationId;
    final Instant createdAt;
    final String[] executionIds;
    /** Each task's service binding by index; shared by every run of a remembered plan, so never written. */
    final ServiceBinding[] services;
    final Admission.RunGate gate;
    final CompletableFuture<RunResult> future = new CompletableFuture<>();

    private final boolean grouped;
    private final boolean failFast;
    private final byte[] state;
    private final int[] waiting;        // eager mode: dependencies not yet completed
    private final Object[] outputs;
    private final int[] attempts;
    private final Attempt[] current;
    private final RunError[] lastErrors;
    private final Cancellable[] retryTimers;
    private final Instant[] firstStarted;
    private final List<FailedAttempt>[] failures;
    private final int[] groupRemaining; // grouped mode: non-terminal tasks per group
    private final int[][] groupMembers;
    private int currentGroup;
    private boolean advancing;
    /**
     * The tasks a resumed run that had already failed fast dispatches again and waits for (their log shows a start
     * without an outcome), which a failure does not skip while they wait for their slots; null otherwise. Guarded by
     * this.
     */
    private BitSet keptOnFailure;
    private int remaining;
    private RunStatus status = RunStatus.RUNNING;
    private RunError error;
    private boolean ending;             // a terminal event is in the outbox or the log
    /** Set once no task of this execution can start here again (ended, re-planned, detached); read lock-free. */
    volatile boolean retired;
    /** Set once a task of this execution was queued to wait for its service's health; read lock-free. */
    volatile boolean everHeld;
    private Cancellable runTimer;

    // outbox: events with seq in (durableSeq, nextSeq) not yet written
    private long durableSeq;
    private long nextSeq;
    private final ArrayList<RunEvent> outbox = new ArrayList<>();
    private ArrayList<Runnable> effects = new ArrayList<>();
    private boolean flushRetryScheduled;
    private int flushFailures;
    private boolean lost;
    /**
     * The store refused one of this run's task events for good: this execution has stopped (as a detached one) and
     * the engine is recording the task's failure, after which a resumed execution takes over the handle. Cleared by
     * whichever comes first, that hand-over or a close (which then fails the handle).
     */
    private boolean rejected;
    /** When this instance's lease of the run ends unless renewed (with leases; set by the engine). */
    volatile Instant leaseExpiry;

    /**
     * Listener delivery: one drainer at a time keeps per-run order. Holds the run's durable events and, behind them,
     * the steps that hand the run on ({@link AfterListeners}: its end, a refused event's hand-over, a revision).
     */
    private final ConcurrentLinkedQueue<Object> deliveries = new ConcurrentLinkedQueue<>();
    private final AtomicInteger deliveryWip = new AtomicInteger();

    // completions waiting to be drained (a stack linked through the attempts), and the drain's work counter
    private final AtomicReference<Attempt> completed = new AtomicReference<>();
    private final AtomicInteger drainWip = new AtomicInteger();
    /**
     * The thread holding the drain, set while it drains (and runs what follows: listeners, dependents' dispatch,
     * the handle's dependents); the completions pushed meanwhile wait for that thread.
     */
    private volatile Thread drainer;
    /** The tasks a drain readies; reused from drain to drain (guarded by the lock). */
    private final ArrayList<Admission.Ticket> readyScratch = new ArrayList<>();
    /** Of those, the ones admitted; reused the same way (guarded by the lock). */
    private final ArrayList<Admission.Ticket> grantedScratch = new ArrayList<>();
    /** Producer outputs by task id, for input resolution (one object per run, not one per dispatch). */
    private final java.util.function.Function<String, Object> outputLookup = this::outputOf;
    private final java.util.function.IntFunction<Object> outputAt = this::outputAt;
    /** The plan's compiled inputs, shared with the other runs of the same plan instance. */
    private final CompiledInputs inputs;
    /**
     * Reference texts parsed by the input walk (guarded by the lock): the walk serves the inputs the compiled inputs
     * do not (references in nested values) and failed look-ups. Bounded by the plan's own distinct texts.
     */
    private java.util.HashMap<String, dev.baton.plan.Reference> parsedReferences; // created on first use
    private final java.util.function.Function<String, dev.baton.plan.Reference> referenceParser = this::parsedReference;

    RunExecution(Engine engine, String runId, Plan plan, PlanGraph graph, RunSettings settings, Instant createdAt,
                 ServiceRegistry.Catalog catalog) {
        this.engine = engine;
        this.runId = runId;
        this.plan = plan;
        this.graph = graph;
        this.settings = settings;
        this.correlationId = settings.correlationId() == null ? runId : settings.correlationId();
        this.createdAt = createdAt;
        this.inputs = catalog.inputs(graph);
        int n = graph.size();
        this.executionIds = new String[n];
        this.services = catalog.services(graph); // shared by the plan's runs: read, never written
        this.gate = new Admission.RunGate(settings.maxParallel());
        this.grouped = graph.groupsFromPlan() && SchedulingMode.GROUPS.name().equals(settings.schedulingMode());
        this.failFast = FailurePolicy.FAIL_FAST.name().equals(settings.failurePolicy());
        this.state = new byte[n];
        this.waiting = new int[n];
        this.outputs = new Object[n];
        this.attempts = new int[n];
        this.current = new Attempt[n];
        this.lastErrors = new RunError[n];
        this.retryTimers = new Cancellable[n];
        this.firstStarted = new Instant[n];
        @SuppressWarnings("unchecked")
        List<FailedAttempt>[] f = new List[n];
        this.failures = f;
        this.remaining = n;
        if (grouped) {
            List<List<String>> groups = graph.parallelGroups();
            groupRemaining = new int[groups.size()];
            groupMembers = new int[groups.size()][];
            for (int g = 0; g < groups.size(); g++) {
                List<String> ids = groups.get(g);
                groupMembers[g] = new int[ids.size()];
                for (int k = 0; k < ids.size(); k++) {
                    groupMembers[g][k] = graph.indexOf(ids.get(k));
                }
                groupRemaining[g] = ids.size();
            }
        } else {
            groupRemaining = null;
            groupMembers = null;
            for (int i = 0; i < n; i++) {
                waiting[i] = graph.dependencyCount(i);
            }
        }
    }

    /**
     * The task's execution id, spelled when first needed (its first start, typically): a run of many tasks does not
     * build them all before its first task can start. Caller holds the lock; attempts read the array afterwards.
     */
    private String executionId(int i) {
        String e = executionIds[i];
        if (e == null) {
            e = ExecutionIds.of(runId, graph.taskId(i));
            executionIds[i] = e;
        }
        return e;
    }

    // ------------------------------------------------------------------ lifecycle

    /** The creation event; the caller appends it (it decides whether the run id is free). */
    RunCreated createdEvent() {
        nextSeq = 1;
        return new RunCreated(runId, nextSeq++, createdAt, plan, settings);
    }

    /** The creation event is durable: start the run. */
    void begin(RunCreated created) {
        List<Admission.Ticket> ready;
        synchronized (this) {
            durableSeq = created.seq();
            if (engine.hasListeners()) {
                deliveries.add(created);
            }
            ready = initialReady();
            if (remaining == 0) {
                end(RunStatus.COMPLETED, null);
            }
        }
        // the dispatch runs handlers and listeners: not under the run id's stripe the caller holds
        engine.started(() -> {
            armRunTimer();
            deliver();
            engine.admit(ready);
            flush();
        });
    }

    /** Resumes a run folded from its log after a restart. */
    void resume(RunSnapshot snap) {
        List<Admission.Ticket> ready;
        List<Integer> retries = new ArrayList<>();
        List<Integer> inFlight = new ArrayList<>(); // started, no outcome in the log
        synchronized (this) {
            durableSeq = snap.lastSeq();
            nextSeq = durableSeq + 1;
            currentGroup = Integer.MAX_VALUE; // no group opens until initialReady() below
            for (int i = 0; i < graph.size(); i++) {
                RunSnapshot.TaskState t = snap.tasks.get(graph.taskId(i));
                executionIds[i] = t.executionId; // a revised plan may give a changed task a fresh one
                attempts[i] = t.attempts;
                lastErrors[i] = t.lastError;
                firstStarted[i] = t.cycleStartedAt;
                if (!t.failures.isEmpty()) {
                    failures[i] = new ArrayList<>(t.failures);
                }
                switch (t.status) {
                    case COMPLETED -> {
                        state[i] = COMPLETED;
                        outputs[i] = t.output;
                    }
                    case FAILED -> state[i] = FAILED;
                    case SKIPPED -> state[i] = SKIPPED;
                    case CANCELLED -> state[i] = CANCELLED;
                    default -> {
                        // RUNNING without an outcome, or PENDING: dispatched again with the same execution id
                        if (t.retryAt != null) {
                            state[i] = RETRY_WAIT;
                            retries.add(i);
                        } else if (t.status == TaskStatus.RUNNING) {
                            inFlight.add(i);
                        }
                    }
                }
                if (state[i] >= COMPLETED) {
                    remaining--;
                    if (grouped) {
                        groupRemaining[graph.group(i)]--;
                    }
                }
            }
            error = snap.error;
            for (int i = 0; i < graph.size() && error == null; i++) {
                if (state[i] == FAILED) {
                    error = lastErrors[i]; // e.g. another task still failed after a redrive
                }
            }
            if (!grouped) {
                for (int i = 0; i < graph.size(); i++) {
                    int w = 0;
                    for (int d : graph.dependencies(i)) {
                        if (state[d] != COMPLETED) {
                            w++;
                        }
                    }
                    waiting[i] = w;
                }
            }
            for (int i = 0; i < graph.size(); i++) {
                if (state[i] == FAILED || state[i] == SKIPPED || state[i] == CANCELLED) {
                    skipDependents(i);
                }
            }
            if (error != null && failFast) {
                // A live run that fails fast lets its running tasks finish and records their outcomes. A resumed one
                // does the same for the tasks its log shows started without an outcome: they are dispatched again
                // under the same execution id and waited for, and a later failure does not skip them while they wait
                // for slots. The others are skipped. Past the run's deadline its timeout would stop them at once, so
                // they are skipped too.
                boolean pastDeadline = settings.timeout() != null
                        && !engine.now().isBefore(Saturating.plus(createdAt, settings.timeout()));
                if (!pastDeadline && !inFlight.isEmpty()) {
                    keptOnFailure = new BitSet(graph.size());
                    inFlight.forEach(keptOnFailure::set);
                }
                skipAllPending(error.taskId());
                ready = new ArrayList<>(inFlight.size());
                for (int i : inFlight) {
                    if (state[i] == PENDING) {
                        state[i] = QUEUED;
                        ready.add(ticket(i));
                    }
                }
            } else {
                ready = initialReady();
            }
            for (int i : retries) {
                if (state[i] == RETRY_WAIT) {
                    RunSnapshot.TaskState t = snap.tasks.get(graph.taskId(i));
                    scheduleRetryLocked(i, Duration.between(engine.now(), t.retryAt));
                }
            }
            if (remaining == 0) {
                end(error == null ? RunStatus.COMPLETED : RunStatus.FAILED, error);
            }
        }
        engine.started(() -> {
            armRunTimer();
            engine.admit(ready);
            flush();
        });
    }

    private void armRunTimer() {
        Duration timeout = settings.timeout();
        if (timeout == null || retired) {
            return; // none, or stopped (cancelled, detached) before its start ran
        }
        Duration left = Duration.between(engine.now(), Saturating.plus(createdAt, timeout));
        Cancellable t = engine.scheduler.schedule(left, this::onRunTimeout);
        synchronized (this) {
            if (!retired) {
                runTimer = t;
                return;
            }
        }
        t.cancel(); // stopped while the timer was being scheduled: end() and detach() did not see it
    }

    /** Tasks ready at start (or resume); marks them queued. Caller holds the lock. */
    private List<Admission.Ticket> initialReady() {
        List<Admission.Ticket> ready = new ArrayList<>(grouped ? 10 : graph.size());
        if (grouped) {
            currentGroup = -1;
            advanceGroups(ready);
        } else {
            for (int i = 0; i < graph.size(); i++) {
                if (state[i] == PENDING && waiting[i] == 0) {
                    state[i] = QUEUED;
                    ready.add(ticket(i));
                }
            }
        }
        return ready;
    }

    /**
     * One part of each of this run's services (its admission gate, its health queue), each once: a run's services are
     * few, its tasks may be many.
     *
     * @param part the part of a binding, null when it has none
     * @return the distinct non-null parts, by identity
     */
    <T> java.util.Set<T> serviceParts(java.util.function.Function<ServiceBinding, T> part) {
        java.util.Set<T> out = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        ServiceBinding last = null;
        for (ServiceBinding b : services) {
            if (b != null && b != last) { // neighbouring tasks mostly share a service
                T p = part.apply(b);
                if (p != null) {
                    out.add(p);
                }
                last = b;
            }
        }
        return out;
    }

    private Admission.Ticket ticket(int i) {
        return new Admission.Ticket(this, i, services[i].gate, gate);
    }

    // ------------------------------------------------------------------ dispatch

    /**
     * The task got its slots. Returns the attempt to invoke, or null when the task no longer wants to run (skipped or
     * cancelled while it waited), in which case the caller gives the slots back.
     */
    void startAttempt(Admission.Ticket t) {
        startAttempts(List.of(t));
    }

    /**
     * Tasks of this run got their slots: records their starts and writes them, together with whatever else is in the
     * outbox (typically the completion that made them ready), in one append; the handlers are invoked after it.
     * Tasks that no longer want to run (skipped or cancelled while they waited) give their slots back.
     */
    void startAttempts(List<Admission.Ticket> granted) {
        // Many granted tasks (a wide plan's start) go in chunks, each written and handed to the workers before the
        // next is prepared: the workers start on the first chunk instead of idling until every start is written.
        int n = granted.size();
        int from = 0;
        do {
            int to = n - from <= START_CHUNK ? n : from + START_CHUNK;
            List<Admission.Ticket> part = from == 0 && to == n ? granted : granted.subList(from, to);
            List<Admission.Ticket> unwanted;
            List<Runnable> toRun;
            synchronized (this) {
                unwanted = prepareAttemptsLocked(part, null, null);
                toRun = flushLocked();
            }
            runEffects(toRun);
            releaseAll(unwanted);
            from = to;
        } while (from < n);
    }

    /** How many starts one append of {@link #startAttempts} writes at most. */
    private static final int START_CHUNK = 512;

    /** Records the starts of granted tasks; returns (added to {@code unwanted}) those that no longer want to run. */
    private List<Admission.Ticket> prepareAttemptsLocked(List<Admission.Ticket> granted,
                                                         List<Admission.Ticket> unwanted, Instant at) {
        Instant now = at != null || granted.isEmpty() ? at : engine.now(); // one clock read, one Instant, per batch
        outbox.ensureCapacity(outbox.size() + granted.size());
        effects.ensureCapacity(effects.size() + granted.size());
        for (int k = 0, n = granted.size(); k < n; k++) {
            Admission.Ticket t = granted.get(k);
            if (!prepareAttemptLocked(t, now)) {
                if (unwanted == null) {
                    unwanted = new ArrayList<>(2);
                }
                unwanted.add(t);
            }
        }
        return unwanted;
    }

    private void releaseAll(List<Admission.Ticket> unwanted) {
        if (unwanted != null) {
            for (Admission.Ticket t : unwanted) {
                engine.release(t);
            }
        }
    }

    /** Records one attempt's start; false when the task no longer wants to run. Caller holds the lock. */
    private boolean prepareAttemptLocked(Admission.Ticket t, Instant now) {
        int i = t.task();
        if (state[i] != QUEUED || lost) {
            return false;
        }
        Map<String, Object> input = null;
        String unresolved = null;
        String code = "REFERENCE_UNRESOLVED";
        try {
            input = inputs.resolve(i, outputAt, outputLookup, referenceParser);
            unresolved = engine.schemaProblem(services[i].descriptor.inputSchema(), input, "input");
            code = "SCHEMA_VIOLATION";
        } catch (InputResolver.UnresolvedReferenceException e) {
            unresolved = e.getMessage();
        } catch (RuntimeException | Error e) {
            // a bug, not the plan's problem: the task fails for good, and below its slots are given back (left
            // QUEUED, it would hold them and wait for ever)
            engine.log.error("run {}: resolving the input of task {} failed", runId, graph.taskId(i), e);
            code = "INTERNAL_ERROR";
            unresolved = "resolving the task's input failed: " + Failures.describe(e);
            input = null;
        }
        int n = ++attempts[i];
        state[i] = RUNNING;
        if (keptOnFailure != null) {
            keptOnFailure.clear(i); // running again: from here on treated as a live run treats its running tasks
        }
        if (unresolved != null) {
            // An attempt that fails at once, without calling the service, and is not retried.
            commit(new TaskStarted(runId, nextSeq++, now, graph.taskId(i), executionId(i), n,
                    input == null ? graph.task(i).input() : input));
            // its slots go back before what its failure brings (the run's end among it completes the handle), as a
            // handler's do before its outcome is recorded
            effects.add(new Release(engine, t));
            failLocked(i, n, ErrorInfo.of(code, unresolved), now, null);
            return true;
        }
        Duration timeout = services[i].timeout();
        Instant deadline = timeout == null ? null : Saturating.plus(now, timeout);
        boolean runsDeadline = false;
        if (settings.timeout() != null) {
            Instant runDeadline = Saturating.plus(createdAt, settings.timeout());
            runsDeadline = deadline == null || !deadline.isBefore(runDeadline); // a tie is the run's too
            deadline = runsDeadline ? runDeadline : deadline;
        }
        if (firstStarted[i] == null) {
            firstStarted[i] = now;
        }
        Attempt a = new Attempt(this, i, n, services[i], t, input, deadline, runsDeadline, now, firstStarted[i]);
        current[i] = a;
        commit(new TaskStarted(runId, nextSeq++, now, graph.taskId(i), executionId(i), n, input));
        effects.add(a); // an attempt runs as "invoke me": no lambda per task
        return true;
    }

    /** The parse of a reference text, from the run's memo. Caller holds the lock. */
    private dev.baton.plan.Reference parsedReference(String text) {
        java.util.HashMap<String, dev.baton.plan.Reference> m = parsedReferences;
        if (m == null) {
            m = parsedReferences = new java.util.HashMap<>();
        }
        return m.computeIfAbsent(text, dev.baton.plan.Reference::parse);
    }

    private Object outputAt(int p) {
        return state[p] == COMPLETED ? outputs[p] : InputResolver.MISSING;
    }

    private Object outputOf(String taskId) {
        if (Reference.PARAMS_TASK.equals(taskId)) {
            return graph.params();
        }
        int p = graph.indexOf(taskId);
        return p >= 0 && state[p] == COMPLETED ? outputs[p] : InputResolver.MISSING;
    }

    // ------------------------------------------------------------------ outcomes

    /**
     * The attempt succeeded with a JSON output (already frozen). Completions are combined: the caller pushes its
     * attempt on a lock-free stack, and whichever thread finds no drain in progress takes the run's lock once for
     * every completion that arrived meanwhile, writes them (with the starts they ready) in one append, and runs what
     * follows. A worker whose completion another thread will drain returns at once instead of waiting for the lock.
     */
    void onSuccess(Attempt a, Object output) {
        a.output = output;
        Attempt head;
        do {
            head = completed.get();
            a.nextCompleted = head;
        } while (!completed.compareAndSet(head, a));
        if (drainWip.getAndIncrement() != 0) {
            return; // the thread draining will see it: the increment happened after the push
        }
        int missed = 1;
        Thread me = Thread.currentThread();
        do {
            drainer = me;
            try {
                drainCompletions();
            } catch (Throwable e) {
                // never leave the drain claimed by a failure: completions arriving later would wait for no one
                engine.log.error("run {}: handling completed tasks failed", runId, e);
            }
            drainer = null; // before the drain can be claimed by another thread
            missed = drainWip.addAndGet(-missed);
        } while (missed != 0);
    }

    private void drainCompletions() {
        Attempt batch = completed.getAndSet(null);
        if (batch == null) {
            return;
        }
        // the stack holds the newest first: reverse it, so the log follows completion order
        Attempt ordered = null;
        while (batch != null) {
            Attempt next = batch.nextCompleted;
            batch.nextCompleted = ordered;
            ordered = batch;
            batch = next;
        }
        List<Admission.Ticket> unwanted = null;
        List<Runnable> toRun;
        synchronized (this) {
            Instant now = engine.now();
            List<Admission.Ticket> ready = readyScratch;
            try {
                for (Attempt a = ordered; a != null; ) {
                    Attempt next = a.nextCompleted;
                    a.nextCompleted = null;
                    try {
                        completeLocked(a, now, ready);
                    } catch (RuntimeException | Error e) {
                        // one completion's failure must not drop the others of the batch
                        engine.log.error("run {}: recording a completed task failed", runId, e);
                    }
                    a = next;
                }
                // The dependents' starts go into the same append as these completions; they run only after it is
                // durable.
                if (!ready.isEmpty()) {
                    engine.offer(ready, grantedScratch);
                    unwanted = prepareAttemptsLocked(grantedScratch, null, now);
                }
            } finally {
                ready.clear();           // no stale ticket is left for the next drain
                grantedScratch.clear();
                toRun = flushLocked(now); // what was recorded is written whatever failed after it
            }
        }
        runEffects(toRun);
        releaseAll(unwanted);
    }

    /** Records one successful attempt; adds the tasks it readies to {@code ready}. Caller holds the lock. */
    private void completeLocked(Attempt a, Instant now, List<Admission.Ticket> ready) {
        int i = a.index;
        Object output = a.output;
        a.output = null;
        if (current[i] != a || state[i] != RUNNING || lost) {
            return; // the run was cancelled, timed out or detached meanwhile
        }
        current[i] = null;
        state[i] = COMPLETED;
        outputs[i] = output;
        lastErrors[i] = null;
        commit(new TaskCompleted(runId, nextSeq++, now, graph.taskId(i), executionId(i), a.attempt, output,
                false));
        if (grouped) {
            terminal(i, ready);
        } else {
            remaining--;
            if (!(failFast && error != null)) {
                for (int k = 0, m = graph.dependentCount(i); k < m; k++) {
                    int d = graph.dependentAt(i, k);
                    if (--waiting[d] == 0 && state[d] == PENDING) {
                        state[d] = QUEUED;
                        ready.add(ticket(d));
                    }
                }
            }
        }
        checkEnd();
    }

    /**
     * The attempt failed; the engine has decided whether another attempt follows ({@code retryDelay} non-null) and,
     * if not, whether the task goes to the dead-letter list (it exhausted its attempts).
     */
    void onFailure(Attempt a, ErrorInfo info, Duration retryDelay, boolean deadLetter) {
        synchronized (this) {
            int i = a.index;
            if (current[i] != a || state[i] != RUNNING) {
                return;
            }
            Instant now = engine.now();
            current[i] = null;
            lastErrors[i] = RunSnapshot.error(graph.taskId(i), info);
            if (failures[i] == null) {
                failures[i] = new ArrayList<>(2);
            }
            failures[i].add(new FailedAttempt(a.attempt, now, info));
            if (retryDelay != null && status == RunStatus.RUNNING && !ending) {
                commit(new TaskFailed(runId, nextSeq++, now, graph.taskId(i), executionId(i), a.attempt, info, true));
                commit(new TaskRetryScheduled(runId, nextSeq++, now, graph.taskId(i), executionId(i),
                        a.attempt + 1, Saturating.plus(now, retryDelay)));
                state[i] = RETRY_WAIT;
                scheduleRetryLocked(i, retryDelay);
            } else {
                failLocked(i, a.attempt, info, now, deadLetter ? a.input : null);
            }
        }
        flush();
    }

    /**
     * Whether the run's log moved on without this execution (another instance wrote to it, ended it, or it is gone):
     * asked after this instance's lease had run out before it could renew it. Holds the lock, so no write of this
     * execution's own is half-way.
     */
    synchronized boolean writtenElsewhere() {
        if (lost) {
            return false;
        }
        java.util.Optional<dev.baton.persistence.RunRecord> r = engine.store.run(runId);
        return r.isEmpty() || r.get().lastSeq() != durableSeq;
    }

    /** @return the seq of the last event written; once the run has ended, its terminal event's */
    synchronized long durableSeq() {
        return durableSeq;
    }

    /**
     * A task that waited for its unhealthy service until the health window ended fails for good, without another
     * attempt (its failure carries the last attempt made, 0 if none was). Nothing happens if it no longer waits.
     */
    void failWaiting(int i, ErrorInfo info) {
        synchronized (this) {
            if (state[i] != QUEUED || lost || ending) {
                return;
            }
            failLocked(i, attempts[i], info, engine.now(), null);
        }
        flush();
    }

    private void scheduleRetryLocked(int i, Duration delay) {
        retryTimers[i] = engine.scheduler.schedule(delay, () -> retryDue(i));
    }

    private void retryDue(int i) {
        Admission.Ticket t;
        synchronized (this) {
            retryTimers[i] = null;
            if (state[i] != RETRY_WAIT || lost) {
                return;
            }
            state[i] = QUEUED;
            t = ticket(i);
        }
        engine.admit(List.of(t));
    }

    /** A task failed for good. Caller holds the lock. */
    private void failLocked(int i, int attempt, ErrorInfo info, Instant now, Map<String, Object> deadLetterInput) {
        state[i] = FAILED;
        lastErrors[i] = RunSnapshot.error(graph.taskId(i), info);
        commit(new TaskFailed(runId, nextSeq++, now, graph.taskId(i), executionId(i), attempt, info, false));
        if (deadLetterInput != null) {
            List<FailedAttempt> all = failures[i] == null ? List.of(new FailedAttempt(attempt, now, info)) : failures[i];
            commit(new TaskDeadLettered(runId, nextSeq++, now, graph.taskId(i), executionId(i),
                    services[i].name(), deadLetterInput, all));
        }
        engine.log.warn("task {} of run {} failed: {}", graph.taskId(i), runId, info);
        if (error == null) {
            error = lastErrors[i];
        }
        List<Admission.Ticket> ready = new ArrayList<>();
        // dependents first, so each is skipped with this task as its cause: a group the failure closes would
        // otherwise open the next ones, and skip the dependents there with a skipped task as the cause, which a
        // redrive of this task (it reruns what this task's failure skipped) would not reach
        skipDependents(i);
        terminal(i, ready);
        if (failFast) {
            skipAllPending(graph.taskId(i));
            ready.clear();
        }
        checkEnd();
        if (!ready.isEmpty()) {
            effects.add(() -> engine.admit(ready));
        }
    }

    /** Skips every task that depends, directly or not, on task {@code i}. Iterative: plans may be deep. */
    private void skipDependents(int i) {
        String cause = graph.taskId(i);
        ArrayDeque<Integer> work = new ArrayDeque<>();
        work.add(i);
        List<Admission.Ticket> ignored = new ArrayList<>();
        while (!work.isEmpty()) {
            int x = work.poll();
            for (int d : graph.dependents(x)) {
                if (state[d] == PENDING || state[d] == QUEUED || state[d] == RETRY_WAIT) {
                    skip(d, cause, ignored);
                    work.add(d);
                }
            }
        }
    }

    /** Skips every task not yet running or finished, but those a resumed run keeps (see {@link #keptOnFailure}). */
    private void skipAllPending(String cause) {
        BitSet keep = keptOnFailure;
        List<Admission.Ticket> ignored = new ArrayList<>();
        for (int d = 0; d < graph.size(); d++) {
            boolean waits = state[d] == PENDING || state[d] == QUEUED || state[d] == RETRY_WAIT;
            if (waits && (keep == null || !keep.get(d))) {
                skip(d, cause, ignored);
            }
        }
    }

    private void skip(int d, String cause, List<Admission.Ticket> ready) {
        cancelRetry(d);
        state[d] = SKIPPED;
        commit(new TaskSkipped(runId, nextSeq++, engine.now(), graph.taskId(d), cause));
        terminal(d, ready);
    }

    private void cancelRetry(int d) {
        Cancellable c = retryTimers[d];
        if (c != null) {
            c.cancel();
            retryTimers[d] = null;
        }
    }

    /** Bookkeeping when task i reaches a terminal state; grouped mode may open the next group. */
    private void terminal(int i, List<Admission.Ticket> ready) {
        remaining--;
        if (grouped) {
            int g = graph.group(i);
            if (--groupRemaining[g] == 0 && g == currentGroup && !advancing) {
                advanceGroups(ready);
            }
        }
    }

    /** Opens the next groups whose predecessors are all finished. Caller holds the lock. */
    private void advanceGroups(List<Admission.Ticket> ready) {
        advancing = true; // skips below finish tasks of the group being opened; the loop, not recursion, moves on
        try {
            advanceGroupsLoop(ready);
        } finally {
            advancing = false;
        }
    }

    private void advanceGroupsLoop(List<Admission.Ticket> ready) {
        while (currentGroup + 1 < groupMembers.length
                && (currentGroup < 0 || groupRemaining[currentGroup] == 0)) {
            if (status != RunStatus.RUNNING || (failFast && error != null)) {
                return;
            }
            currentGroup++;
            for (int i : groupMembers[currentGroup]) {
                if (state[i] != PENDING) {
                    continue;
                }
                String blocked = null;
                for (int d : graph.dependencies(i)) {
                    if (state[d] != COMPLETED) {
                        blocked = graph.taskId(d);
                        break;
                    }
                }
                if (blocked != null) {
                    skip(i, blocked, ready);
                } else {
                    state[i] = QUEUED;
                    ready.add(ticket(i));
                }
            }
        }
    }

    private void checkEnd() {
        if (remaining == 0 && !ending) {
            if (status == RunStatus.CANCELLED) {
                end(RunStatus.CANCELLED, error);
            } else {
                end(error == null ? RunStatus.COMPLETED : RunStatus.FAILED, error);
            }
        }
    }

    /** Appends the terminal event; the future completes after it is durable. Caller holds the lock. */
    private void end(RunStatus finalStatus, RunError err) {
        if (finalStatus == RunStatus.FAILED && err != null && err.taskId() != null) {
            Replanner replanner = engine.replanner();
            if (replanner != null && replanner.wants(settings)) {
                // A task failed for good in a run that asked for re-planning: instead of ending, the run is handed
                // to the re-planner once the failure is durable. Nothing more starts or ends here.
                ending = true;
                retired = true;
                Cancellable t = runTimer;
                if (t != null) {
                    t.cancel();
                }
                // waiting for its revision from now on: a cancel that comes before the re-planner starts is kept
                replanner.expect(this);
                effects.add(new AfterListeners(() -> replanner.revise(this, err)));
                return;
            }
        }
        ending = true;
        retired = true;
        status = finalStatus;
        error = err;
        Instant now = engine.now();
        switch (finalStatus) {
            case COMPLETED -> commit(new RunCompleted(runId, nextSeq++, now));
            case FAILED -> commit(new RunFailed(runId, nextSeq++, now, err == null ? null : err.taskId(),
                    err == null ? ErrorInfo.of("FAILED", "run failed") : new ErrorInfo(err.code(), err.message(), null)));
            case CANCELLED -> commit(new RunCancelled(runId, nextSeq++, now, err == null ? "cancelled" : err.message()));
            default -> throw new IllegalStateException("not terminal: " + finalStatus);
        }
        Cancellable t = runTimer;
        if (t != null) {
            t.cancel();
        }
        RunResult result = resultLocked();
        effects.add(new AfterListeners(() -> engine.ended(this, result)));
    }

    private RunResult resultLocked() {
        int n = 0;
        for (int i = 0; i < graph.size(); i++) {
            if (state[i] == COMPLETED) {
                n++;
            }
        }
        String[] ids = new String[n];
        Object[] values = new Object[n];
        for (int i = 0, k = 0; i < graph.size(); i++) {
            if (state[i] == COMPLETED) {
                ids[k] = graph.taskId(i);
                values[k++] = outputs[i];
            }
        }
        // each output was frozen when its task completed, so the values are taken as they are (the arrays are
        // copied once, no value is). The ids of a validated plan are distinct, so nothing checks them again, and the
        // index of a large run's outputs is built only if someone looks one up by id (most callers iterate them)
        return new RunResult(runId, status, dev.baton.plan.JsonValues.freezeObjectOfDistinctKeys(ids, values), error);
    }

    // ------------------------------------------------------------------ cancellation and timeout

    /**
     * Cancels the run's state under its lock and returns what follows (interrupts, the write, listeners, the end),
     * for the caller to run once it holds no lock of its own; null if the run was not running.
     */
    Runnable cancelDeferred(String reason) {
        return stopDeferred(RunStatus.CANCELLED, new RunError(null, "CANCELLED", reason));
    }

    private void onRunTimeout() {
        Runnable rest = stopDeferred(RunStatus.FAILED,
                new RunError(null, "RUN_TIMEOUT", "run did not finish within " + settings.timeout()));
        if (rest != null) {
            rest.run(); // the timer's thread holds no lock
        }
    }

    private Runnable stopDeferred(RunStatus finalStatus, RunError err) {
        List<Attempt> toInterrupt = new ArrayList<>();
        synchronized (this) {
            if (ending || lost || status != RunStatus.RUNNING) {
                return null; // ended, or detached (closed here, or taken over elsewhere): nothing to cancel here
            }
            status = finalStatus;
            // failing fast, the run failed with its first task failure, and the timeout only cut short the tasks
            // that were finishing: that failure stays the run's error (those tasks' own errors name the timeout)
            RunError runError = finalStatus == RunStatus.FAILED && failFast && error != null ? error : err;
            error = runError;
            Instant now = engine.now();
            List<Admission.Ticket> ignored = new ArrayList<>();
            for (int i = 0; i < graph.size(); i++) {
                byte s = state[i];
                if (s == RUNNING) {
                    Attempt a = current[i];
                    current[i] = null;
                    if (a != null && a.decide()) {
                        toInterrupt.add(a);
                    }
                    if (finalStatus == RunStatus.CANCELLED) {
                        state[i] = CANCELLED;
                        commit(new TaskCancelled(runId, nextSeq++, now, graph.taskId(i)));
                    } else {
                        state[i] = FAILED;
                        ErrorInfo info = ErrorInfo.of(err.code(), err.message());
                        lastErrors[i] = RunSnapshot.error(graph.taskId(i), info);
                        commit(new TaskFailed(runId, nextSeq++, now, graph.taskId(i), executionId(i), attempts[i],
                                info, false));
                    }
                    terminal(i, ignored);
                } else if (s == PENDING || s == QUEUED || s == RETRY_WAIT) {
                    cancelRetry(i);
                    if (finalStatus == RunStatus.CANCELLED) {
                        state[i] = CANCELLED;
                        commit(new TaskCancelled(runId, nextSeq++, now, graph.taskId(i)));
                    } else {
                        state[i] = SKIPPED;
                        commit(new TaskSkipped(runId, nextSeq++, now, graph.taskId(i), null));
                    }
                    terminal(i, ignored);
                }
            }
            end(finalStatus, runError);
        }
        return () -> {
            // its waiting tasks are cancelled or skipped now: out of the health gate at once, not when the end is
            // durable
            engine.forgetWaiting(this);
            for (Attempt a : toInterrupt) {
                a.interrupt();
            }
            flush();
        };
    }

    // ------------------------------------------------------------------ outbox

    /** Records an event to be written by the next flush. Caller holds the lock. */
    private void commit(RunEvent e) {
        if (!lost) {
            outbox.add(e);
        }
    }

    /**
     * Writes the outbox to the store, then runs the effects that were waiting for it. If the store fails, the events
     * stay in the outbox, nothing that depends on them happens, and a retry is scheduled with backoff.
     */
    void flush() {
        List<Runnable> toRun;
        synchronized (this) {
            toRun = flushLocked();
        }
        runEffects(toRun);
    }

    /**
     * The locked half of {@link #flush()}: writes the outbox and hands back the effects now due (null when the write
     * failed, in which case they stay pending). Caller holds the lock and runs the effects after releasing it.
     */
    private List<Runnable> flushLocked() {
        return flushLocked(null);
    }

    /** {@link #flushLocked()} with the time the caller read already, or null to read the clock. */
    private List<Runnable> flushLocked(Instant at) {
        if (!outbox.isEmpty()) {
            try {
                engine.store.append(runId, durableSeq, List.copyOf(outbox), engine.owner,
                        at != null ? at : engine.now());
            } catch (SequenceConflictException | LeaseLostException e) {
                List<Admission.Ticket> held = lostLocked(e);
                return held == null ? null : List.of(() -> releaseAll(held));
            } catch (EventRejectedException e) {
                Runnable handOver = rejectedLocked(e);
                if (handOver == null) {
                    scheduleFlushRetryLocked(e);
                    return null;
                }
                // the engine takes stripes: not under this run's lock
                return List.of(new AfterListeners(handOver));
            } catch (RuntimeException | Error e) { // StoreException or an unexpected store failure: keep the outbox, retry
                scheduleFlushRetryLocked(e);
                return null;
            }
            durableSeq += outbox.size();
            if (engine.hasListeners()) {
                deliveries.addAll(outbox);
            }
            outbox.clear();
            flushFailures = 0;
        }
        if (effects.isEmpty()) {
            return List.of();
        }
        List<Runnable> toRun = effects;
        effects = new ArrayList<>();
        return toRun;
    }

    /**
     * Tells listeners what became durable, then runs the effects that waited for it (outside the lock); the steps
     * that hand the run on go last, behind the events in the delivery queue (see {@link AfterListeners}).
     */
    private void runEffects(List<Runnable> toRun) {
        if (toRun == null) {
            return;
        }
        deliver();
        boolean queued = false;
        for (int k = 0, n = toRun.size(); k < n; k++) {
            Runnable r = toRun.get(k);
            if (r instanceof AfterListeners && engine.hasListeners()) {
                // nothing of this execution's is written after its hand-over: the queue ends with it
                deliveries.add(r);
                queued = true;
            } else {
                runStep(r);
            }
        }
        if (queued) {
            deliver();
        }
    }

    private void runStep(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | Error e) {
            // the steps after it (other tasks' attempts among them) must still run
            engine.log.error("run {}: a step after a durable write failed", runId, e);
        }
    }

    /**
     * A step that hands the run on: its end (which completes the handle and lets a redrive reopen the run), the
     * hand-over of an event the store refused, a revision. It runs only once the listeners have heard every event
     * written before it, also when another thread is still delivering them: what it lets happen (a redrive, a
     * resumed execution's events) cannot overtake an event still being delivered. Nothing of the execution is
     * written after it.
     */
    private static final class AfterListeners implements Runnable {
        private final Runnable step;

        AfterListeners(Runnable step) {
            this.step = step;
        }

        @Override
        public void run() {
            step.run();
        }
    }

    /**
     * Events written for this execution before it started (a redrive's, a refused event's fix), for listeners to
     * hear before anything the execution writes. Called before the execution is active, so nothing comes first.
     */
    void heardFirst(List<RunEvent> written) {
        if (engine.hasListeners()) {
            deliveries.addAll(written);
        }
    }

    private void scheduleFlushRetryLocked(Throwable e) {
        flushFailures++;
        if (flushRetryScheduled) {
            return;
        }
        flushRetryScheduled = true;
        long ms = Math.min(5_000, 50L << Math.min(flushFailures - 1, 7));
        engine.log.warn("run {}: store append failed ({} time(s)), retrying in {} ms: {}", runId, flushFailures, ms,
                e.toString());
        engine.scheduler.schedule(Duration.ofMillis(ms), () -> {
            synchronized (this) {
                flushRetryScheduled = false;
            }
            flush();
        });
    }

    /**
     * The store will never take one of the outbox's events. Retrying would leave the run waiting for ever, and the
     * events after it (the starts a completion readied, say) may depend on it, so this execution stops here, as a
     * detached one does (nothing more is written, running attempts are interrupted), and the engine records the
     * event's task as failed at the log's end and resumes the run from its log, where everything this execution did
     * not write is as if it had not happened: tasks the log shows running are dispatched again with the same
     * execution id, as after a crash.
     *
     * @return what hands the run to the engine, to run once the lock is released; null when the refused event is no
     *     task's (nothing to fail in its place), and the append is retried
     */
    private Runnable rejectedLocked(EventRejectedException e) {
        // the outbox holds consecutive seqs from durableSeq + 1
        long k = e.seq() - durableSeq - 1;
        String taskId = k < 0 || k >= outbox.size() ? null : outbox.get((int) k).taskId();
        if (taskId == null || graph.indexOf(taskId) < 0) {
            engine.log.error("run {}: the store refuses an event that is no task's ({}); retrying", runId,
                    e.getMessage());
            return null;
        }
        engine.log.error("run {}: the store refuses an event of task {} for good; the task fails with EVENT_REJECTED"
                + " and the run goes on from its log: {}", runId, taskId, e.getMessage());
        // what came before the refused event was committed before it, so it does not depend on it: written first,
        // the work it records (the completions a start's batch carried, say) is kept
        List<RunEvent> before = List.copyOf(outbox.subList(0, (int) k));
        long expected = durableSeq;
        List<Admission.Ticket> held = detachLocked();
        rejected = true;
        ErrorInfo info = ErrorInfo.of("EVENT_REJECTED", e.getMessage());
        return () -> {
            releaseAll(held);
            engine.rejected(this, expected, before, taskId, info);
        };
    }

    /** @return whether this execution stopped on a refused event and waits to be replaced (see {@link #rejected}) */
    synchronized boolean isRejected() {
        return rejected;
    }

    /** @return true once, for the caller that takes over a rejected execution's handle (replacing it or failing it) */
    synchronized boolean takeRejected() {
        boolean r = rejected;
        rejected = false;
        return r;
    }

    /** @return the slots to give back once the lock is released (see {@link #detachLocked}) */
    private List<Admission.Ticket> lostLocked(RuntimeException e) {
        if (lost) {
            return null;
        }
        engine.log.warn("run {}: another instance owns the run now; stopping here: {}", runId, e.getMessage());
        List<Admission.Ticket> held = detachLocked();
        engine.abandoned(this);
        return held;
    }

    /**
     * @param t a thread
     * @return how many of this run's attempts have their blocking handler running on {@code t}
     */
    synchronized int attemptsRunningOn(Thread t) {
        int n = 0;
        for (Attempt a : current) {
            if (a != null && a.runsOn(t)) {
                n++;
            }
        }
        return n;
    }

    /**
     * @param closer the thread closing the engine
     * @return how many of this run's attempts have a handler that returned (its slots given back) and an outcome not
     *     yet recorded; none once the run is detached, as nothing more of it will be recorded here, and none while
     *     {@code closer} holds the run's drain (its user code closes from there): those outcomes wait for that thread
     */
    synchronized int outcomesUnrecorded(Thread closer) {
        if (lost || drainer == closer) {
            return 0;
        }
        int n = 0;
        for (Attempt a : current) {
            if (a != null && a.isReleased()) {
                n++;
            }
        }
        return n;
    }

    /**
     * Stops this instance from touching the run again: nothing more is written, pending effects are dropped and
     * running attempts are interrupted. Used when another instance took the run over, and when the orchestrator
     * closes (the run stays in the store as it was, recoverable).
     *
     * @return true if this call detached the run, false if it was detached or its end is durable (its handle then
     *     completes, or has, with the outcome)
     */
    boolean detach() {
        List<Admission.Ticket> held;
        synchronized (this) {
            if (rejected) {
                rejected = false; // stopped on a refused event, not yet replaced: its handle fails, the log is as it was
                return true;
            }
            // an end still in the outbox (the store refused it, say) is not an end: the run is detached like any
            // other, its handle fails and the store keeps it recoverable, as the log says it is
            if (lost || (ending && outbox.isEmpty())) {
                return false;
            }
            held = detachLocked();
        }
        releaseAll(held);
        return true;
    }

    /**
     * Gives back a task's slots as an effect: recognisable, so a detach that drops the effects gives them back.
     */
    private static final class Release implements Runnable {
        private final Engine engine;
        final Admission.Ticket ticket;

        Release(Engine engine, Admission.Ticket ticket) {
            this.engine = engine;
            this.ticket = ticket;
        }

        @Override
        public void run() {
            engine.release(ticket);
        }
    }

    /**
     * Stops the run here (see {@link #detach()}). The effects dropped include attempts whose start was never written
     * and so will never be invoked, and slot releases: their slots would be held for ever (the engine's and the
     * services' limits shrinking by one each time), so they are handed back to the caller, to give back once it has
     * released the run's lock (a release may start other runs' tasks).
     *
     * @return the slots to give back, or null
     */
    private List<Admission.Ticket> detachLocked() {
        List<Admission.Ticket> held = null;
        for (Runnable r : effects) {
            Admission.Ticket t = r instanceof Attempt a ? a.ticket : r instanceof Release rel ? rel.ticket : null;
            if (t != null) {
                if (held == null) {
                    held = new ArrayList<>();
                }
                held.add(t);
            }
        }
        lost = true;
        retired = true;
        outbox.clear();
        effects.clear();
        for (int i = 0; i < graph.size(); i++) {
            cancelRetry(i);
            Attempt a = current[i];
            if (a != null && a.decide()) {
                a.interrupt();
            }
        }
        Cancellable t = runTimer;
        if (t != null) {
            t.cancel();
        }
        return held;
    }

    /** Delivers what the queue holds, unless another thread is at it (it then delivers what was added too). */
    void deliver() {
        if (deliveries.isEmpty() || deliveryWip.getAndIncrement() != 0) {
            return;
        }
        do {
            Object o;
            while ((o = deliveries.poll()) != null) {
                if (o instanceof RunEvent e) {
                    engine.publish(e);
                } else {
                    runStep((Runnable) o);
                }
            }
        } while (deliveryWip.decrementAndGet() != 0);
    }

    // ------------------------------------------------------------------ queries

}
