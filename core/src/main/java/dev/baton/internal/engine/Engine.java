package dev.baton.internal.engine;

import dev.baton.AwaitTimeoutException;
import dev.baton.BatonException;
import dev.baton.DeadLetter;
import dev.baton.OrchestratorStatus;
import dev.baton.CallNotPermittedException;
import dev.baton.CircuitBreaker;
import dev.baton.CircuitBreakerConfig;
import dev.baton.NonRetryableException;
import dev.baton.RetryDecision;
import dev.baton.RetryPolicy;
import dev.baton.RetryableException;
import dev.baton.IdempotencyConflictException;
import dev.baton.InvalidPlanException;
import dev.baton.OrchestratorClosedException;
import dev.baton.RunHandle;
import dev.baton.RunListener;
import dev.baton.RunOptions;
import dev.baton.RunQuery;
import dev.baton.RunResult;
import dev.baton.RunStatus;
import dev.baton.RunView;
import dev.baton.TaskStatus;
import dev.baton.ValueMapper;
import dev.baton.event.ErrorInfo;
import dev.baton.event.RunCreated;
import dev.baton.event.RunEvent;
import dev.baton.event.RunSettings;
import dev.baton.event.FailedAttempt;
import dev.baton.event.TaskDeadLettered;
import dev.baton.event.TaskFailed;
import dev.baton.event.TaskRedriven;
import dev.baton.event.TaskStarted;
import dev.baton.internal.Saturating;
import dev.baton.persistence.DeadLetterCursor;
import dev.baton.persistence.EventRejectedException;
import dev.baton.persistence.RunFilter;
import dev.baton.persistence.RunRecord;
import dev.baton.persistence.RunState;
import dev.baton.persistence.RunStore;
import dev.baton.persistence.SequenceConflictException;
import dev.baton.plan.JsonValues;
import dev.baton.plan.Plan;
import dev.baton.time.Cancellable;
import dev.baton.time.Scheduler;
import dev.baton.transport.TaskRequest;
import dev.baton.validation.PlanGraph;
import dev.baton.validation.PlanValidator;
import dev.baton.validation.SchemaChecker;
import dev.baton.validation.SchemaViolation;
import dev.baton.validation.ValidationResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The engine behind the public {@code Orchestrator}: accepts runs, admits and dispatches their tasks, decides
 * outcomes, and ends runs. Thread-safe.
 */
public final class Engine implements AutoCloseable {

    final Logger log = LoggerFactory.getLogger("dev.baton.Orchestrator");

    /** Everything the engine is built from; assembled by the orchestrator's builder. */
    public record Config(Map<String, ServiceBinding> services, PlanValidator validator, RunStore store,
                         List<RunListener> listeners, Clock clock, Scheduler scheduler, boolean ownsScheduler,
                         Executor workers, boolean ownsWorkers, int maxParallel, ValueMapper valueMapper,
                         Duration retention, Duration shutdownTimeout, RetryPolicy retryPolicy,
                         CircuitBreakerConfig circuitBreaker, String instanceId, Duration leaseDuration,
                         List<java.util.function.Consumer<? super dev.baton.CircuitBreakerTransition>> breakerListeners,
                         List<dev.baton.transport.HealthSource> healthSources, Duration healthWindow,
                         dev.baton.transport.WebhookTransport webhookTransport) {
    }

    /** The services, versioned; a run keeps the catalog it was submitted with. */
    final ServiceRegistry registry;
    /** Re-plans runs of actions that asked for it; null without a planner. */
    private volatile Replanner replanner;
    final RunStore store;
    /** The configured scheduler, guarded: a delay it refuses goes to a timer of the engine's own. */
    final GuardedScheduler scheduler;
    /** This instance's id when runs are leased (several instances on one store), else null. */
    final String owner;
    private final Duration leaseDuration;
    private volatile Cancellable leaseTimer;
    private final List<RunListener> listeners;
    private final Clock clock;
    private final Executor workers;
    private final boolean ownsWorkers;
    private final ValueMapper valueMapper;
    private final Duration retention;
    private final Duration shutdownTimeout;
    private final java.util.SplittableRandom jitterSeed = new java.util.SplittableRandom();
    private final Admission admission;
    private final SchemaChecker schemaChecker;
    /** Validates a stored plan for its structure (parallel groups), with the configured limits and no catalog. */
    private final PlanValidator structure;
    private final ConcurrentHashMap<String, RunExecution> active = new ConcurrentHashMap<>();
    private final Object idle = new Object();
    private final Cancellable purgeTimer;
    private volatile boolean closed;
    private final HealthGate healthGate;   // null without health sources
    private final Webhooks webhooks;

    /**
     * @param c the configuration
     */
    public Engine(Config c) {
        this.store = c.store();
        this.listeners = List.copyOf(c.listeners());
        this.clock = c.clock();
        this.scheduler = new GuardedScheduler(c.scheduler(), c.ownsScheduler(), log);
        this.workers = c.workers();
        this.ownsWorkers = c.ownsWorkers();
        this.valueMapper = c.valueMapper();
        this.retention = c.retention();
        this.shutdownTimeout = c.shutdownTimeout();
        this.healthGate = c.healthSources().isEmpty() ? null
                : new HealthGate(this, c.healthSources(), c.healthWindow());
        this.registry = new ServiceRegistry(c.services(), c.validator(), b -> {
            b.init(c.retryPolicy(), c.circuitBreaker(), guardedClock); // a breaker reads the clock mid-transition
            if (healthGate != null) {
                healthGate.attach(b); // services registered later are gated too
            }
            b.breaker.onStateTransition(t -> {
                log.info("circuit breaker of service {}: {} -> {}", b.name(), t.from(), t.to());
                for (java.util.function.Consumer<? super dev.baton.CircuitBreakerTransition> l : c.breakerListeners()) {
                    try {
                        l.accept(t);
                    } catch (Throwable e) {
                        // as for run listeners: it fires inside a task's outcome, which an escaping error would lose
                        log.warn("breaker listener failed; ignored", e);
                    }
                }
            });
        });
        this.admission = new Admission(c.maxParallel());
        this.schemaChecker = c.validator().schemaChecker().orElse(null);
        // a stored run's groups come from its plan's structure alone (the services may have changed since), under
        // the limits the plan was accepted with
        this.structure = PlanValidator.builder().limits(c.validator().limits()).build();
        this.owner = c.instanceId();
        this.leaseDuration = c.leaseDuration();
        if (owner != null) {
            scheduleLeaseWork(leaseDuration.dividedBy(3), 0);
        }
        Duration every = retention.compareTo(Duration.ofMinutes(10)) < 0 ? retention : Duration.ofMinutes(10);
        this.purgeTimer = schedulePurge(every);
        this.webhooks = new Webhooks(this, c.webhookTransport());
        if (healthGate != null) {
            healthGate.start();
        }
    }

    Duration retention() {
        return retention;
    }

    Duration leaseDuration() {
        return leaseDuration;
    }

    /**
     * The injected clock's time. A reading that throws is logged (rate-limited) and repeats the last good one (the
     * system's time only if there was none): the engine reads the clock in the middle of state changes that must not
     * stop half-way.
     */
    Instant now() {
        try {
            Instant t = clock.instant();
            lastReading = t;
            return t;
        } catch (RuntimeException | Error e) {
            long n = clockFailures.incrementAndGet();
            if (n == 1 || n % 1000 == 0) {
                log.warn("the clock failed ({} times so far); this reading repeats the last good one: {}", n,
                        e.toString());
            }
            Instant last = lastReading;
            return last != null ? last : Instant.now(); // the injected clock's timeline, not the system's
        }
    }

    /**
     * The last reading the injected clock gave, for {@link #now()} to repeat when a reading fails. Plain, not
     * volatile: it is written at every reading, and any recent one will do (an Instant is safely published).
     */
    private Instant lastReading;
    private final java.util.concurrent.atomic.AtomicLong clockFailures = new java.util.concurrent.atomic.AtomicLong();

    /** The injected clock as the breakers read it: through {@link #now()}, so a failed reading cannot stop them. */
    private final Clock guardedClock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException("the engine's clock has no zone to change");
        }

        @Override
        public Instant instant() {
            return now();
        }
    };

    /**
     * Registers a service, or a new version of it, while the engine runs. Runs already accepted keep the versions
     * they were validated against.
     *
     * @param b the binding
     * @return the service's catalog version
     */
    public int register(ServiceBinding b) {
        ensureOpen();
        return registry.register(b);
    }

    /** @return the services now: their catalog (with versions), a validator over it, their bindings */
    public ServiceRegistry.Catalog services() {
        return registry.current();
    }

    /**
     * Re-plans, with this planner, the runs whose action asked for it ({@link Replanner#ATTRIBUTE}).
     *
     * @param planner the planner
     */
    public void replanWith(dev.baton.planner.Planner planner) {
        this.replanner = new Replanner(this, planner);
    }

    /** @return the re-planner, or null without a planner */
    Replanner replanner() {
        return replanner;
    }

    /** @return the executor running blocking work (handlers, planner calls) */
    Executor workers() {
        return workers;
    }

    /** @return whether {@link #close()} was called */
    boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------ submit

    /**
     * Validates and starts a run, or returns the existing run with the same id.
     *
     * @param plan    the plan
     * @param options run options
     * @return the handle
     */
    public RunHandle submit(Plan plan, RunOptions options) {
        return submit(plan, options, Map.of());
    }

    /**
     * Validates and starts a run with extra settings attributes recorded in its {@code RunCreated} event, or returns
     * the existing run with the same id.
     *
     * @param plan       the plan
     * @param options    run options
     * @param attributes plain JSON values for {@link RunSettings#attributes()} (the planning record, for instance)
     * @return the handle
     */
    public RunHandle submit(Plan plan, RunOptions options, Map<String, Object> attributes) {
        return submit(plan, options, attributes, registry.current());
    }

    /**
     * Validates and starts a run against one state of the catalog (the one its plan was planned against).
     *
     * @param plan       the plan
     * @param options    run options
     * @param attributes plain JSON values for {@link RunSettings#attributes()}
     * @param catalog    the services the run is validated against and dispatches to
     * @return the handle
     */
    public RunHandle submit(Plan plan, RunOptions options, Map<String, Object> attributes,
                            ServiceRegistry.Catalog catalog) {
        ensureOpen();
        ValidationResult vr = catalog.validate(plan); // a plan instance submitted again is not validated again
        if (!vr.isValid()) {
            // the run id is an idempotency key: a run created under it is returned (or conflicts) even when its plan
            // no longer passes the catalog as registered now (a service re-registered with another schema)
            RunHandle existing = options.runId().map(id -> existing(id, plan)).orElse(null);
            if (existing != null) {
                return existing;
            }
            throw new InvalidPlanException(vr.errors());
        }
        PlanGraph graph = vr.graph().orElseThrow();
        String runId = options.runId().orElseGet(Engine::newRunId);
        Map<String, Object> attrs = new java.util.LinkedHashMap<>(attributes);
        attrs.put(SERVICE_VERSIONS, catalog.versionsOf(graph));
        if (options.webhook().isPresent() && !attrs.containsKey(dev.baton.PlannedAction.WEBHOOK)) {
            attrs.put(dev.baton.PlannedAction.WEBHOOK, options.webhook().get().toString());
        }
        RunSettings settings = new RunSettings(options.correlationId().orElse(null), options.maxParallel(),
                options.schedulingMode().name(), options.failurePolicy().name(),
                options.timeout().orElse(null), attrs);
        // Submits of one id serialise on a stripe, so no other submit ever sees a run that is not yet created.
        java.util.function.Supplier<RunHandle> create = () -> createHere(runId, plan, graph, settings, catalog);
        RunHandle here = create.get();
        // another instance holds the run id's lease: watch the run there, and create it here should its lease run
        // out with no run made (that instance died, or its write failed, between claiming the id and creating it)
        return here != null ? here : watchElsewhere(runId, plan, create);
    }

    /**
     * Creates and starts a run here, or returns the handle of the run already under this id (here or in the store).
     *
     * @return the handle, or null when another instance holds the run id's lease
     */
    private RunHandle createHere(String runId, Plan plan, PlanGraph graph, RunSettings settings,
                                 ServiceRegistry.Catalog catalog) {
        return locked(runId, () -> {
            RunHandle live = liveHandle(runId, plan);
            if (live != null) {
                return live;
            }
            Claim claim = claim(runId);
            if (!claim.granted()) {
                return null; // another live instance owns this run id
            }
            RunExecution run = new RunExecution(this, runId, plan, graph, settings, now(), catalog);
            run.leaseExpiry = claim.expiry();
            RunCreated created = run.createdEvent();
            try {
                store.append(runId, 0, List.of(created), owner, created.at());
            } catch (SequenceConflictException e) {
                return fromStore(runId, plan);
            } catch (EventRejectedException e) {
                throw new BatonException("EVENT_REJECTED", "could not create run '" + runId + "': " + Failures.messageOf(e), e);
            } catch (RuntimeException | Error e) {
                throw new BatonException("STORE_UNAVAILABLE", "could not create run '" + runId + "': " + Failures.messageOf(e), e);
            }
            if (!activate(run)) {
                return new Handle(runId, run.future, run); // closed meanwhile: its handle fails, the run is kept
            }
            String id = runId;
            withMdc(runId, null, null, () -> log.debug("run {} created with {} tasks", id, graph.size()));
            run.begin(created);
            return new Handle(runId, run.future, run);
        });
    }

    /**
     * Makes a run active here, unless the engine closed meanwhile: close() may have gone over the active runs before
     * this one was added, so it is detached here as close() would have detached it (its handle fails, its log stays
     * as it is, recoverable). A close() that sets its flag after the look here finds the run among the active ones.
     *
     * @return whether the run is active
     */
    private boolean activate(RunExecution run) {
        active.put(run.runId, run);
        if (!closed) {
            return true;
        }
        active.remove(run.runId, run);
        if (run.detach()) {
            run.future.completeExceptionally(new OrchestratorClosedException(
                    "the orchestrator closed before run '" + run.runId + "' started; it stays recoverable"));
        }
        return false;
    }

    /** The handle of the run created under this id, or null when there is none; a different plan conflicts. */
    private RunHandle existing(String runId, Plan plan) {
        return locked(runId, () -> {
            RunHandle live = liveHandle(runId, plan);
            if (live != null) {
                return live;
            }
            return store.run(runId).isPresent() ? fromStore(runId, plan) : null;
        });
    }

    /** The handle of the run in flight here under this id, or null; another plan conflicts. Caller holds the stripe. */
    private RunHandle liveHandle(String runId, Plan plan) {
        RunExecution live = active.get(runId);
        if (live == null) {
            return null;
        }
        if (!live.plan.equals(plan)) {
            throw new IdempotencyConflictException(runId);
        }
        return new Handle(runId, live.future, live);
    }

    /**
     * How a run was created, when it exists (running here, or in the store): a resubmitted action is matched against
     * its run's plan and planning record instead of being planned again.
     *
     * @param runId run id
     * @return the run's {@code RunCreated} event (for a run in memory, one rebuilt from its plan and settings)
     */
    public Optional<RunCreated> created(String runId) {
        RunExecution live = active.get(runId);
        if (live != null) {
            return Optional.of(new RunCreated(runId, 0, live.createdAt, live.plan, live.settings));
        }
        if (store.run(runId).isEmpty()) {
            return Optional.empty();
        }
        List<RunEvent> log = events(runId);
        return !log.isEmpty() && log.get(0) instanceof RunCreated c ? Optional.of(c) : Optional.empty();
    }

    /** The run attribute recording the catalog versions of the services a run was validated against. */
    public static final String SERVICE_VERSIONS = "serviceVersions";

    private final Object[] stripes = newStripes();

    private static Object[] newStripes() {
        Object[] s = new Object[256];
        for (int i = 0; i < s.length; i++) {
            s[i] = new Object();
        }
        return s;
    }

    /** Runs {@code action} holding the run id's stripe, as submits, resumes, plan switches and cancels do. */
    void locked(String runId, Runnable action) {
        locked(runId, () -> {
            action.run();
            return null;
        });
    }

    /**
     * @return what {@code action} answers, run holding the run id's stripe; the run starts it asks for wait until
     *         this thread holds no stripe
     */
    <T> T locked(String runId, java.util.function.Supplier<T> action) {
        StripeHold hold = enterStripe();
        try {
            synchronized (stripe(runId)) {
                return action.get();
            }
        } finally {
            exitStripe(hold);
        }
    }

    /**
     * How many stripes this thread holds, and the run starts asked for meanwhile. A start dispatches tasks, and with
     * them listeners and asynchronous handlers (user code that may submit or cancel other runs, taking their
     * stripes): starts wait until the thread holds no stripe, so no user code ever runs under one and two stripes are
     * never taken in opposite orders.
     */
    private static final class StripeHold {
        int depth;
        final ArrayList<Runnable> starts = new ArrayList<>(2);
    }

    /** Set only while this thread holds a stripe (or runs the starts asked for meanwhile). */
    private static final ThreadLocal<StripeHold> STRIPE_HOLD = new ThreadLocal<>();

    private static StripeHold enterStripe() {
        StripeHold h = STRIPE_HOLD.get();
        if (h == null) {
            h = new StripeHold();
            STRIPE_HOLD.set(h);
        }
        h.depth++;
        return h;
    }

    private void exitStripe(StripeHold h) {
        if (--h.depth > 0) {
            return;
        }
        // runs whatever was asked for while the outermost stripe was held, also if that block threw: a created run
        // must start. Every start runs even if one fails; an Error is rethrown once all have run.
        Error error = null;
        while (!h.starts.isEmpty()) {
            Runnable start = h.starts.remove(0); // in the order they were asked for
            try {
                start.run();
            } catch (RuntimeException e) {
                log.error("starting a run failed", e);
            } catch (Error e) {
                error = error == null ? e : error;
            }
        }
        if (h.depth == 0) {
            STRIPE_HOLD.remove(); // no per-thread state left behind on pooled threads
        }
        if (error != null) {
            throw error;
        }
    }

    /** Runs a run's start now, or once this thread has left the stripes it holds. */
    void started(Runnable start) {
        StripeHold h = STRIPE_HOLD.get();
        if (h != null && h.depth > 0) {
            h.starts.add(start);
        } else {
            start.run();
        }
    }

    private Object stripe(String runId) {
        return stripes[(runId.hashCode() & 0x7fffffff) % stripes.length];
    }

    /** The run id exists in the store but not in memory here: return its stored outcome, or resume it. */
    private RunHandle fromStore(String runId, Plan plan) {
        RunSnapshot snap = RunSnapshot.fold(events(runId))
                .orElseThrow(() -> new BatonException("STORE_INCONSISTENT", "run '" + runId + "' exists but has no log"));
        if (!snap.plan().equals(plan)) {
            throw new IdempotencyConflictException(runId);
        }
        if (snap.status().isTerminal()) {
            return new Handle(runId, CompletableFuture.completedFuture(snap.result()), null);
        }
        RunExecution resumed = resume(snap);
        if (resumed == null) {
            if (owner != null) {
                return watchElsewhere(runId, plan, null);
            }
            throw new BatonException("RUN_NOT_RESUMABLE", "run '" + runId + "' is unfinished and cannot be resumed here");
        }
        return new Handle(runId, resumed.future, resumed);
    }

    private static String newRunId() {
        UUID u = UUID.randomUUID();
        return "o_" + Long.toHexString(u.getMostSignificantBits()) + Long.toHexString(u.getLeastSignificantBits());
    }

    private void ensureOpen() {
        if (closed) {
            throw new OrchestratorClosedException("the orchestrator is closed and accepts no new runs");
        }
    }

    // ------------------------------------------------------------------ recovery

    /**
     * Resumes every unfinished run in the store that is not running here.
     *
     * @return how many runs were resumed
     */
    public int recover() {
        int n = recoverRuns();
        try {
            webhooks.recover();
        } catch (RuntimeException | Error e) {
            log.warn("taking up owed webhook deliveries failed; will retry at the next recovery: {}", e.toString());
        }
        return n;
    }

    /** Resumes unfinished runs; what the periodic lease work does (it does not scan ended runs for webhooks). */
    private int recoverRuns() {
        ensureOpen();
        int n = 0;
        for (String runId : store.unfinishedRuns()) {
            if (active.containsKey(runId)) {
                continue;
            }
            try {
                Optional<RunSnapshot> read = RunSnapshot.fold(events(runId));
                if (read.isPresent() && !read.get().status().isTerminal() && recoverRun(read.get())) {
                    n++;
                }
            } catch (RuntimeException | Error e) {
                // one run that cannot be read or resumed must not keep the others from being recovered; the next
                // recovery (the lease work runs one periodically) tries it again
                log.error("run {}: recovering it failed; the other unfinished runs are recovered", runId, e);
            }
        }
        return n;
    }

    /**
     * Resumes a run read outside its stripe, unless it became active here meanwhile (another recovery, a submit) or
     * its log grew since it was read (it ran and perhaps ended here): then the log is read again under the stripe.
     *
     * @return whether this call resumed it (a run already active here is not counted twice)
     */
    private boolean recoverRun(RunSnapshot read) {
        String runId = read.runId();
        return locked(runId, () -> {
            if (active.containsKey(runId)) {
                return false;
            }
            RunSnapshot snap = read;
            if (store.run(runId).map(r -> r.lastSeq() != read.lastSeq()).orElse(true)) {
                Optional<RunSnapshot> again = RunSnapshot.fold(events(runId));
                if (again.isEmpty() || again.get().status().isTerminal()) {
                    return false;
                }
                snap = again.get();
            }
            return resume(snap) != null;
        });
    }

    /** This instance's claim on a run: granted alone (no lease, no expiry) or with the lease's expiry. */
    private record Claim(boolean granted, Instant expiry) {
        static final Claim ALONE = new Claim(true, null);
        static final Claim REFUSED = new Claim(false, null);
    }

    /** Claims the run's lease when instances share the store; refused while another instance holds it. */
    private Claim claim(String runId) {
        if (owner == null) {
            return Claim.ALONE;
        }
        return store.tryLease(runId, owner, leaseDuration, now()).map(l -> new Claim(true, l.expiresAt()))
                .orElse(Claim.REFUSED);
    }

    RunExecution resume(RunSnapshot snap) {
        return resume(snap, List.of());
    }

    /**
     * Resumes a run from its log, or returns the execution already active here; null when it cannot be resumed here.
     *
     * @param written events the caller has just written at the log's end (a redrive's, a refused event's fix), not
     *                yet heard by listeners: the resumed execution delivers them before anything it writes itself, on
     *                the same queue, so neither its own events nor those of a cancel on another thread come first.
     *                Without a resumed execution they are delivered once the caller has left the stripe.
     */
    RunExecution resume(RunSnapshot snap, List<RunEvent> written) {
        return locked(snap.runId(), () -> {
            boolean handed = false; // the written events are the resumed execution's to deliver
            try {
                RunExecution prior = active.get(snap.runId());
                if (prior != null) {
                    return prior;
                }
                Claim claim = claim(snap.runId());
                if (!claim.granted()) {
                    return null; // another live instance owns it
                }
                // A resumed run (recovery, redrive, a revision) is validated against, and dispatches to, the services
                // as registered now; the versions it was created with stay in its record.
                ServiceRegistry.Catalog catalog = registry.current();
                ValidationResult vr = catalog.validate(snap.currentPlan());
                if (!vr.isValid()) {
                    log.warn("run {} cannot be resumed: its plan no longer validates against the registered services:"
                            + " {}", snap.runId(), vr.errors());
                    return null;
                }
                // the original plan stays the run's identity (idempotent resubmission); the graph is the plan in
                // effect
                RunExecution run = new RunExecution(this, snap.runId(), snap.plan(), vr.graph().orElseThrow(),
                        snap.settings(), snap.createdAt, catalog);
                run.leaseExpiry = claim.expiry();
                if (!written.isEmpty()) {
                    run.heardFirst(written);
                    started(run::deliver); // listeners are user code: after the stripe, before the run's start
                }
                handed = true;
                if (!activate(run)) {
                    return run; // closed meanwhile: its handle fails, the run stays as the log has it
                }
                withMdc(snap.runId(), null, null,
                        () -> log.info("resuming run {} at seq {}", snap.runId(), snap.lastSeq()));
                try {
                    run.resume(snap);
                } catch (RuntimeException | Error e) {
                    // not left active (later recoveries would skip it) nor leased (another instance may take it up),
                    // and nothing it armed before failing (retry timers) may still fire
                    run.detach();
                    active.remove(snap.runId(), run);
                    releaseLease(snap.runId());
                    throw e;
                }
                return run;
            } finally {
                if (!handed) {
                    publishAfterStripe(written); // written all the same: heard once the stripe is left
                }
            }
        });
    }

    /**
     * Puts a run under a revised plan: a new execution for the plan in effect (folded from the log, the revision
     * included) takes the old one's place and completes the old one's future. Null when the old execution is no
     * longer this engine's to replace (the engine closed, or the run went elsewhere).
     */
    RunExecution switchPlan(RunExecution old, RunSnapshot snap, PlanGraph graph, ServiceRegistry.Catalog catalog) {
        return locked(old.runId, () -> {
            if (closed || active.get(old.runId) != old) {
                return null;
            }
            RunExecution next = new RunExecution(this, snap.runId(), snap.plan(), graph, snap.settings(),
                    snap.createdAt, catalog);
            next.leaseExpiry = old.leaseExpiry;
            if (!activate(next)) {
                return null; // closed since the look above: the caller fails the old execution's handle
            }
            forgetWaiting(old); // the new execution offers the old one's ready tasks again
            next.future.whenComplete((r, t) -> {
                if (t == null) {
                    old.future.complete(r);
                } else {
                    old.future.completeExceptionally(t);
                }
            });
            next.resume(snap);
            return next;
        });
    }

    // ------------------------------------------------------------------ dead letters

    /**
     * @return dead letters not yet redriven, oldest first
     */
    public List<DeadLetter> deadLetters() {
        return deadLetterViews(store.deadLetters());
    }

    /** A page of {@link #deadLetters()}: those after {@code after} (null: from the first), at most {@code limit}. */
    public List<DeadLetter> deadLetters(DeadLetter after, int limit) {
        DeadLetterCursor.checkLimit(limit);
        return deadLetterViews(store.deadLetters(
                after == null ? null : new DeadLetterCursor(after.at(), after.runId(), after.taskId()), limit));
    }

    private static List<DeadLetter> deadLetterViews(List<TaskDeadLettered> stored) {
        List<DeadLetter> out = new ArrayList<>(stored.size());
        for (TaskDeadLettered d : stored) {
            List<DeadLetter.AttemptError> errors = new ArrayList<>(d.attempts().size());
            for (FailedAttempt f : d.attempts()) {
                errors.add(new DeadLetter.AttemptError(f.attempt(), f.error().code(), f.error().message(), f.at()));
            }
            out.add(new DeadLetter(d.runId(), d.taskId(), d.service(), d.executionId(), d.input(), errors, d.at()));
        }
        return out;
    }

    /**
     * Sends a dead-lettered task again, with the same execution id, and resumes its run: the tasks skipped because
     * of it run too, and the run ends again with a new outcome.
     *
     * @param runId  the run
     * @param taskId the dead-lettered task
     * @return a handle to the resumed run
     */
    public RunHandle redrive(String runId, String taskId) {
        ensureOpen();
        return locked(runId, () -> {
            if (active.containsKey(runId)) {
                throw new BatonException("RUN_ACTIVE", "run '" + runId + "' is still running; redrive its dead letters"
                        + " once it has ended");
            }
            RunSnapshot snap = RunSnapshot.fold(events(runId))
                    .orElseThrow(() -> new BatonException("UNKNOWN_RUN", "no run '" + runId + "'"));
            RunSnapshot.TaskState t = snap.tasks.get(taskId);
            if (t == null || !t.deadLettered) {
                throw new BatonException("NOT_DEAD_LETTERED", "task '" + taskId + "' of run '" + runId
                        + "' is not on the dead-letter list");
            }
            TaskRedriven ev = new TaskRedriven(runId, snap.lastSeq() + 1, now(), taskId, t.executionId);
            if (!claim(runId).granted()) {
                // an instance delivering the ended run's webhook holds it; only a lease holder may write
                throw new BatonException("RUN_ACTIVE", "run '" + runId + "' is leased by another instance; redrive"
                        + " its dead letters later");
            }
            store.append(runId, snap.lastSeq(), List.of(ev), owner, ev.at());
            snap.apply(ev);
            log.info("redriving task {} (execution {}) of run {}", taskId, t.executionId, runId);
            RunExecution run = resume(snap, List.of(ev)); // its listeners hear the redrive first
            if (run == null) {
                throw new BatonException("RUN_NOT_RESUMABLE", "run '" + runId + "' cannot be resumed here");
            }
            return new Handle(runId, run.future, run);
        });
    }

    // ------------------------------------------------------------------ status

    /**
     * @param service a registered service
     * @return its circuit breaker
     */
    public Optional<CircuitBreaker> breaker(String service) {
        ServiceBinding b = registry.current().find(service);
        return b == null ? Optional.empty() : Optional.of(b.breaker);
    }

    /** @return load per service and overall */
    public OrchestratorStatus status() {
        Map<String, OrchestratorStatus.ServiceStatus> per = new java.util.LinkedHashMap<>();
        for (ServiceBinding b : registry.current().bindings()) {
            int[] load = admission.serviceLoad(b.gate);
            int cap = b.gate.capacity;
            HealthGate.Load health = b.health == null ? new HealthGate.Load(dev.baton.transport.ServiceHealth.UNKNOWN, 0)
                    : HealthGate.load(b.health);
            per.put(b.name(), new OrchestratorStatus.ServiceStatus(b.name(), load[0], load[1], cap,
                    cap == 0 ? 0.0 : (double) load[0] / cap, b.breaker.state(), health.health(), health.waiting()));
        }
        return new OrchestratorStatus(active.size(), admission.running(), per);
    }

    // ------------------------------------------------------------------ admission and dispatch

    void admit(List<Admission.Ticket> tickets) {
        if (tickets.isEmpty()) {
            return;
        }
        admitThenFlush(tickets.get(0).run(), tickets);
    }

    /**
     * Offers ready tasks of one run to admission; those granted a slot start with one append (which also writes
     * whatever else the run has in its outbox). Always flushes the run.
     */
    void admitThenFlush(RunExecution run, List<Admission.Ticket> tickets) {
        run.startAttempts(offer(tickets)); // offers only grant the offered tickets, all of this run; always flushes
    }

    /**
     * The one way into admission for ready tasks of one run (the caller may hold the run's lock: neither the health
     * gate nor admission calls out). Tasks of unhealthy services are held back first and take no slot.
     *
     * @return the tickets granted their slots, to be started by the caller
     */
    List<Admission.Ticket> offer(List<Admission.Ticket> tickets) {
        List<Admission.Ticket> out = new ArrayList<>(tickets.size());
        offer(tickets, out);
        return out;
    }

    /**
     * {@link #offer(List)} into a list the caller gives (and clears after use: a drain reuses one).
     *
     * @param tickets ready tasks of one run
     * @param out     receives the tasks admitted now, to start
     */
    void offer(List<Admission.Ticket> tickets, List<Admission.Ticket> out) {
        if (healthGate != null && !tickets.isEmpty()) {
            tickets = healthGate.admitOrHold(tickets);
        }
        if (tickets.size() == 1) {
            admission.offer(tickets.get(0), out);
        } else if (!tickets.isEmpty()) {
            admission.offerAll(tickets, out);
        }
        if (closed) {
            signalIdle(); // an offer that met the close may have been counted as running for a moment
        }
    }

    void release(Admission.Ticket t) {
        List<Admission.Ticket> out = admission.release(t);
        for (int k = 0, n = out.size(); k < n; k++) {
            Admission.Ticket next = out.get(k);
            if (healthGate != null && healthGate.hold(next)) {
                release(next); // its service turned unhealthy while it queued for a slot: give the slot on
                continue;
            }
            next.run().startAttempt(next);
        }
        if (closed) {
            signalIdle();
        }
    }

    /**
     * Bumped, under {@link #idle}, by every signal to close(): close() looks at the running work without holding the
     * monitor (it takes each run's lock for that, and a thread holding a run's lock may signal: a run detached under
     * its lock cancels a stage, whose completion gives its slots back), and waits only if no signal came meanwhile.
     */
    private long idleSignals;

    private void signalIdle() {
        synchronized (idle) {
            idleSignals++;
            idle.notifyAll();
        }
    }

    void invoke(Attempt a) {
        CircuitBreaker breaker = a.service.breaker;
        if (!breaker.tryAcquirePermission()) {
            // Never reaches the service and is not a service failure: the retry waits out the open breaker.
            a.permitted = false;
            finished(a, null, new CallNotPermittedException(breaker.name(), breaker.state()));
            return;
        }
        a.permitted = true;
        if (a.deadline != null && !a.runsDeadline) {
            a.timer = scheduler.schedule(Duration.between(now(), a.deadline), () -> onDeadline(a));
        }
        ServiceBinding s = a.service;
        if (s.transport != null) {
            CompletionStage<Object> stage;
            try {
                stage = s.transport.dispatch(new TaskRequest(a.runId(), a.taskId(), s.name(), a.executionId(),
                        a.attempt, a.input, a.deadline, a.correlationId()));
            } catch (Throwable t) {
                finished(a, null, t);
                return;
            }
            awaitStage(a, stage);
            return;
        }
        if (s.asyncHandler != null) {
            CompletionStage<Object> stage;
            a.callingOn(Thread.currentThread());
            try {
                stage = withMdc(a, () -> s.asyncHandler.handle(a));
            } catch (Throwable t) {
                finished(a, null, t);
                return;
            } finally {
                a.callingOn(null);
            }
            awaitStage(a, stage);
            return;
        }
        try {
            a.handedToWorker = true; // the attempt itself is the worker's task: no wrapper per task
            workers.execute(a);
        } catch (RejectedExecutionException e) {
            finished(a, null, new BatonException("REJECTED", "the handler executor rejected the task", e));
        } catch (RuntimeException | Error e) {
            // a user executor may fail otherwise than by rejecting: the handler did not run, the attempt failed
            finished(a, null, new BatonException("REJECTED", "the handler executor failed: " + Failures.describe(e), e));
        }
    }

    void runBlocking(Attempt a) {
        a.bindThread(Thread.currentThread());
        Object value = null;
        Throwable error = null;
        try {
            value = withMdc(a, () -> a.service.handler.handle(a));
        } catch (Throwable t) {
            error = t;
        } finally {
            a.unbindThread();
        }
        if (error == null && value instanceof CompletionStage<?> stage) {
            awaitStage(a, stage);
        } else {
            finished(a, value, error);
        }
    }

    private void awaitStage(Attempt a, CompletionStage<?> stage) {
        if (stage == null) {
            finished(a, null, new BatonException("NULL_STAGE", "the async handler returned no stage"));
            return;
        }
        CompletableFuture<?> f;
        try {
            f = stage.toCompletableFuture();
        } catch (RuntimeException | Error e) {
            f = null; // optional for a CompletionStage (some libraries' stages refuse): wait on the stage itself
        }
        try {
            if (f != null) {
                a.bindStage(f);
                f.whenComplete((v, t) -> finished(a, v, t));
            } else {
                stage.whenComplete((v, t) -> finished(a, v, t)); // a timeout or cancel then cannot stop the work
            }
        } catch (RuntimeException | Error e) {
            finished(a, null, e);
        }
    }

    /** The handler returned (or its stage completed). */
    void finished(Attempt a, Object value, Throwable error) {
        if (a.releaseOnce()) {
            try {
                release(a.ticket); // may start queued tasks of other runs: their failure is not this attempt's
            } catch (RuntimeException | Error e) {
                log.error("run {}: handing on the slots of task {} failed", a.runId(), a.taskId(), e);
            }
        }
        if (a.decide()) {
            guardedOutcome(a, value, error);
        }
        if (closed) {
            signalIdle(); // close() waits for this outcome too, not only for the slot given back above
        }
    }

    private void onDeadline(Attempt a) {
        if (a.decide()) {
            a.interrupt();
            Duration limit = Duration.between(a.startedAt, a.deadline);
            guardedOutcome(a, null, new Attempt.Aborted(ErrorInfo.of("TIMEOUT",
                    "attempt " + a.attempt + " did not finish within " + limit), true));
        }
    }

    /**
     * Records a decided attempt's outcome. Nothing else will record it: should that fail, its task would stay
     * running and its run never end, so it fails for good instead and the cause goes to the log.
     */
    private void guardedOutcome(Attempt a, Object value, Throwable error) {
        try {
            outcome(a, value, error);
        } catch (RuntimeException | Error e) {
            log.error("run {}: recording the outcome of attempt {} of task {} (execution {}) failed", a.runId(),
                    a.attempt, a.taskId(), a.executionId(), e);
            a.run.onFailure(a, ErrorInfo.of("INTERNAL_ERROR", "recording the attempt's outcome failed: "
                    + Failures.describe(e)), null, false);
            if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError)) {
                throw (Error) e; // recorded; the JVM itself is in trouble, which its own handlers must hear
            }
        }
    }

    private void outcome(Attempt a, Object value, Throwable error) {
        // the breaker reads the duration only against a slow-call threshold: without one, no clock read per task
        Duration elapsed = a.service.breakerTimesCalls ? Duration.between(a.startedAt, now()) : Duration.ZERO;
        if (error == null) {
            Object output;
            try {
                output = toJson(value);
            } catch (IllegalArgumentException e) {
                recordBreaker(a, elapsed, null);
                a.run.onFailure(a, new ErrorInfo("INVALID_OUTPUT", "the handler returned a value that is not JSON: "
                        + Failures.messageOf(e), null), null, false);
                return;
            }
            recordBreaker(a, elapsed, null);
            String bad = schemaProblem(a.service.descriptor.outputSchema(), output, "output");
            if (bad != null) {
                a.run.onFailure(a, new ErrorInfo("SCHEMA_VIOLATION", bad, null), null, false);
                return;
            }
            a.run.onSuccess(a, output);
            return;
        }
        Throwable cause = unwrap(error);
        recordBreaker(a, elapsed, cause);
        Failures.Failure f = Failures.classify(cause);
        Duration delay = null;
        boolean deadLetter = false;
        if (f.retryable()) {
            Throwable judged = cause instanceof Attempt.Aborted || cause instanceof CallNotPermittedException
                    ? new RetryableException(f.info().message()) : cause;
            RetryDecision d = a.service.retry.decide(a.attempt, judged,
                    Duration.between(a.firstStartedAt, now()), jitter());
            if (d instanceof RetryDecision.Retry r) {
                delay = r.delay();
                if (cause instanceof CallNotPermittedException) {
                    Duration open = a.service.breaker.remainingOpenTime();
                    if (open.compareTo(delay) > 0) {
                        delay = open;
                    }
                }
            } else {
                RetryDecision.GiveUp g = (RetryDecision.GiveUp) d;
                deadLetter = g.reason() == RetryDecision.Reason.ATTEMPTS_EXHAUSTED
                        || g.reason() == RetryDecision.Reason.BUDGET_EXHAUSTED;
            }
        }
        if (log.isDebugEnabled()) {
            log.debug("attempt {} of task {} (execution {}) of run {} failed: {}", a.attempt, a.taskId(),
                    a.executionId(), a.runId(), f.info());
        }
        a.run.onFailure(a, f.info(), delay, deadLetter);
    }

    /** Tells the service's breaker how a permitted call went; cancellations and rejections are not health signals. */
    private void recordBreaker(Attempt a, Duration elapsed, Throwable cause) {
        if (!a.permitted) {
            return;
        }
        CircuitBreaker b = a.service.breaker;
        if (cause == null) {
            b.onSuccess(elapsed);
        } else if (cause instanceof Attempt.Aborted ab && !ab.retryable
                || cause instanceof java.util.concurrent.CancellationException
                || cause instanceof NonRetryableException) {
            b.releasePermission();
        } else {
            b.onError(elapsed, cause);
        }
    }

    private java.util.random.RandomGenerator jitter() {
        synchronized (jitterSeed) {
            return jitterSeed.split();
        }
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof java.util.concurrent.CompletionException || c instanceof ExecutionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /**
     * A run's log from the store, never null: a store that answers null is reported as inconsistent, by run.
     *
     * @throws BatonException {@code STORE_INCONSISTENT} when the store answers null
     */
    List<RunEvent> events(String runId) {
        List<RunEvent> log = store.events(runId);
        if (log == null) {
            throw new BatonException("STORE_INCONSISTENT", "the store answered no log (null) for run '" + runId + "'");
        }
        return log;
    }

    private Object toJson(Object value) {
        if (JsonValues.isJsonType(value)) {
            try {
                return JsonValues.freeze(value);
            } catch (IllegalArgumentException e) {
                if (valueMapper == null) {
                    throw e;
                }
            } catch (RuntimeException | Error e) {
                throw unreadable(value, e);
            }
        } else if (valueMapper == null) {
            throw new IllegalArgumentException("a " + value.getClass().getName()
                    + " is not a JSON value and no ValueMapper is configured");
        }
        Object mapped;
        try {
            mapped = valueMapper.toJson(value);
        } catch (IllegalArgumentException e) {
            // the mapper's message is user code's text: bounded like a handler's
            throw new IllegalArgumentException("the value mapper refused a " + value.getClass().getName() + ": "
                    + Failures.messageOf(e), e);
        } catch (RuntimeException | Error e) {
            // any other failure of the mapper is this output's problem too, not the engine's: the task fails
            throw new IllegalArgumentException("the value mapper failed on a " + value.getClass().getName() + ": "
                    + Failures.describe(e), e);
        }
        try {
            return JsonValues.freeze(mapped);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException | Error e) {
            throw unreadable(mapped, e);
        }
    }

    /**
     * A value whose own methods fail while it is read (a map whose size is wrong, an entry set that throws, a key
     * whose {@code toString} throws): the output's problem, so the task fails as an invalid output.
     */
    private static IllegalArgumentException unreadable(Object value, Throwable e) {
        return new IllegalArgumentException("a " + value.getClass().getName() + " could not be read as JSON: "
                + Failures.describe(e), e);
    }

    // ------------------------------------------------------------------ events and ends

    /**
     * Checks a resolved input or an output against a service's JSON Schema, when the service has one and a schema
     * checker is configured.
     *
     * @return a message listing the violations, or null when the value conforms
     */
    String schemaProblem(Map<String, Object> schema, Object value, String what) {
        if (schema == null || schemaChecker == null) {
            return null;
        }
        List<SchemaViolation> violations;
        try {
            violations = schemaChecker.validate(schema, value);
        } catch (RuntimeException | Error e) {
            // a checker that throws is a problem of this value's check, not of the engine: the task fails with it
            return what + " could not be checked against the service's " + what + " schema: "
                    + Failures.brief(e);
        }
        if (violations.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder(what).append(" does not match the service's ").append(what).append(" schema:");
        int k = 0;
        for (SchemaViolation v : violations) {
            if (k == 10) {
                sb.append("; ... and ").append(violations.size() - 10).append(" more");
                break;
            }
            // the validator's messages may end in their own punctuation: items are separated, not terminated
            String m = v.message();
            while (m.endsWith(";") || m.endsWith(".")) {
                m = m.substring(0, m.length() - 1);
            }
            sb.append(k++ == 0 ? " " : "; ").append(v.pointer().isEmpty() ? "/" : v.pointer()).append(": ").append(m);
        }
        return sb.toString();
    }

    boolean hasListeners() {
        return !listeners.isEmpty();
    }

    /** Publishes events once this thread has left the stripes it holds (listeners are user code). */
    private void publishAfterStripe(List<RunEvent> events) {
        if (!events.isEmpty()) {
            started(() -> events.forEach(this::publish));
        }
    }

    void publish(RunEvent e) {
        for (RunListener l : listeners) {
            try {
                l.onEvent(e);
            } catch (Throwable t) {
                log.warn("listener {} failed on {} of run {}; ignored", l, e.getClass().getSimpleName(), e.runId(), t);
            }
        }
    }

    void publishHealth(dev.baton.ServiceHealthChange change) {
        for (RunListener l : listeners) {
            try {
                l.onServiceHealth(change);
            } catch (Throwable t) {
                log.warn("listener {} failed on the health change of service {}; ignored", l, change.service(), t);
            }
        }
    }

    void ended(RunExecution run, RunResult result) {
        ended(run, run.durableSeq(), result);
    }

    /**
     * @param endSeq the seq of the terminal event that ended it (a run ended by the re-planner is ended by an event
     *               the re-planner wrote, past the execution's own log position)
     */
    void ended(RunExecution run, long endSeq, RunResult result) {
        active.remove(run.runId, run);
        forgetWaiting(run);
        releaseLease(run.runId);
        withMdc(run.runId, null, null, () -> {
            if (result.status() == RunStatus.COMPLETED) {
                log.debug("run {} completed", run.runId);
            } else {
                log.info("run {} ended {}: {}", run.runId, result.status(), result.error().map(Object::toString).orElse(""));
            }
        });
        try {
            webhooks.ended(run.runId, endSeq, run.settings, result); // started before the handle completes
        } catch (RuntimeException | Error e) {
            log.error("run {}: starting its result webhook failed", run.runId, e);
        } finally {
            run.future.complete(result); // whatever the webhook did: the run is over and durable
        }
    }

    /** Gives back this instance's lease of a run, if it has leases; a failure only lets the lease expire. */
    void releaseLease(String runId) {
        if (owner == null) {
            return;
        }
        try {
            store.releaseLease(runId, owner);
        } catch (RuntimeException | Error e) {
            log.debug("releasing the lease of run {} failed; it expires on its own: {}", runId, e.toString());
        }
    }

    /**
     * The store refused one of a run's task events for good, and the execution stopped (see
     * {@code RunExecution#rejectedLocked}): on a worker, what the execution committed before the refused event is
     * written (when the log still ends where the execution left it), then the task's failure, and the run is resumed
     * from its log.
     *
     * @param expected the seq the execution last wrote
     * @param before   the events it committed before the refused one
     */
    void rejected(RunExecution run, long expected, List<RunEvent> before, String taskId, ErrorInfo info) {
        try {
            workers.execute(() -> recordRejected(run, expected, before, taskId, info));
        } catch (RejectedExecutionException e) {
            // closing: close() fails the handle, the log stays as it was (recoverable)
            log.warn("run {}: could not record the refused event of task {}: the workers are shut down", run.runId,
                    taskId);
        }
    }

    private void recordRejected(RunExecution old, long expected, List<RunEvent> before, String taskId,
                                ErrorInfo info) {
        boolean[] elsewhere = {false};
        try {
            locked(old.runId, () -> {
                if (closed || active.get(old.runId) != old || !old.isRejected()) {
                    return; // closed (its handle failed) or taken over meanwhile
                }
                RunSnapshot snap = RunSnapshot.fold(events(old.runId)).orElseThrow(() -> new BatonException(
                        "STORE_INCONSISTENT", "run '" + old.runId + "' exists but has no log"));
                // what this writes, for listeners to hear: through the resumed execution's queue when there is one
                // (ahead of its own events), else once the stripe is left, also if a write below fails
                List<RunEvent> written = new ArrayList<>();
                RunExecution next;
                try {
                    if (!before.isEmpty() && snap.lastSeq() == expected) { // else written by an earlier try of this
                        try {
                            store.append(old.runId, expected, before, owner, now());
                            before.forEach(snap::apply);
                            written.addAll(before);
                        } catch (EventRejectedException e) {
                            // one of them is refused too: left out, as if not done (the resumed run does it again)
                            log.warn("run {}: the events before the refused one are refused too; left out: {}",
                                    old.runId, e.getMessage());
                        }
                    }
                    List<RunEvent> fix = rejectionFix(snap, taskId, info, true);
                    if (!fix.isEmpty()) {
                        try {
                            store.append(old.runId, snap.lastSeq(), fix, owner, fix.get(0).at());
                        } catch (EventRejectedException e) {
                            // the dead letter carries the input the task ran with: without it, the failure still fits
                            fix = rejectionFix(snap, taskId, info, false);
                            store.append(old.runId, snap.lastSeq(), fix, owner, fix.get(0).at());
                        }
                        for (RunEvent ev : fix) {
                            snap.apply(ev);
                        }
                        written.addAll(fix);
                    }
                    if (!old.takeRejected()) {
                        return; // closed meanwhile: the handle failed, the failure is written, the run is recoverable
                    }
                    active.remove(old.runId, old);
                    forgetWaiting(old);
                    List<RunEvent> handed = List.copyOf(written);
                    written.clear(); // the resumed execution delivers them, or resume() does without one
                    next = resume(snap, handed);
                } finally {
                    publishAfterStripe(List.copyOf(written));
                }
                if (next == null) {
                    elsewhere[0] = true;
                    return;
                }
                next.future.whenComplete((r, t) -> {
                    if (t == null) {
                        old.future.complete(r);
                    } else {
                        old.future.completeExceptionally(t);
                    }
                });
            });
        } catch (SequenceConflictException | dev.baton.persistence.LeaseLostException e) {
            if (old.takeRejected()) {
                log.warn("run {}: another instance owns the run now; stopping here: {}", old.runId, e.getMessage());
                elsewhere[0] = true;
            }
        } catch (RuntimeException | Error e) {
            if (closed) {
                return;
            }
            // the store failed (or the failure was refused too): the log is as it was, so trying again is safe
            log.warn("run {}: recording the refused event of task {} failed, retrying in 1 s: {}", old.runId, taskId,
                    e.toString());
            scheduler.schedule(Duration.ofSeconds(1), () -> rejected(old, expected, before, taskId, info));
        }
        if (elsewhere[0]) {
            abandoned(old);
        }
    }

    /**
     * What records a task's refused event as its failure for good, at the end of the log as it stands: the attempt
     * the log shows running fails; a task the log shows waiting (its start was refused) gets a start with its planned
     * input first, as a task whose input cannot be resolved does. The task is dead-lettered so it can be redriven once
     * the store takes its event (with {@code deadLetter} false, as when even the dead letter is refused, it is not).
     */
    private List<RunEvent> rejectionFix(RunSnapshot snap, String taskId, ErrorInfo info, boolean deadLetter) {
        RunSnapshot.TaskState t = snap.tasks.get(taskId);
        if (t == null || (t.status != TaskStatus.RUNNING && t.status != TaskStatus.PENDING)) {
            return List.of(); // ended in the log already (its failure was written, its dead letter refused, say)
        }
        Instant at = now();
        long seq = snap.lastSeq();
        List<RunEvent> fix = new ArrayList<>(3);
        int attempt = t.attempts;
        Map<String, Object> input = t.input;
        if (t.status == TaskStatus.PENDING) {
            attempt++;
            input = snap.currentPlan().task(taskId).map(dev.baton.plan.Task::input).orElse(Map.of());
            fix.add(new TaskStarted(snap.runId(), ++seq, at, taskId, t.executionId, attempt, input));
        }
        fix.add(new TaskFailed(snap.runId(), ++seq, at, taskId, t.executionId, attempt, info, false));
        if (deadLetter) {
            List<FailedAttempt> attempts = new ArrayList<>(t.failures);
            attempts.add(new FailedAttempt(attempt, at, info));
            fix.add(new TaskDeadLettered(snap.runId(), ++seq, at, taskId, t.executionId, t.service, input, attempts));
        }
        return fix;
    }

    /** The run is another instance's now: nothing of it waits here any more, and its handle follows the store. */
    void abandoned(RunExecution run) {
        active.remove(run.runId, run);
        forgetWaiting(run);
        if (replanner != null) {
            replanner.forget(run); // its revision, if it waited for one, is the new owner's to make
        }
        follow(run.runId, run.plan, run.future, false, null);
    }

    /**
     * Takes a run's tasks out of the health gate's and admission's queues once they can no longer start here, so the
     * queues neither count them nor hold the run until its window ends or its tasks reach their heads.
     */
    void forgetWaiting(RunExecution run) {
        if (healthGate != null) {
            healthGate.forget(run);
        }
        admission.forget(run);
    }

    // ------------------------------------------------------------------ queries

    /**
     * @param runId run id
     * @return the run's view, folded from its log
     */
    public Optional<RunView> inspect(String runId) {
        return RunSnapshot.fold(events(runId)).map(this::view);
    }

    private RunView view(RunSnapshot snap) {
        RunExecution live = active.get(snap.runId());
        List<List<String>> groups = live != null ? live.graph.parallelGroups()
                : structure.validate(snap.currentPlan()).parallelGroups();
        return snap.view(groups);
    }

    /**
     * @param query which runs
     * @return their views, newest first
     */
    public List<RunView> runs(RunQuery query) {
        EnumSet<RunState> states = EnumSet.noneOf(RunState.class);
        for (RunStatus s : query.statuses()) {
            states.add(switch (s) {
                case RUNNING -> RunState.ACTIVE;
                case COMPLETED -> RunState.COMPLETED;
                case FAILED -> RunState.FAILED;
                case CANCELLED -> RunState.CANCELLED;
            });
        }
        List<RunRecord> records = store.runs(new RunFilter(states, query.createdAfter(), query.createdBefore(),
                query.limit(), query.offset()));
        List<RunView> out = new ArrayList<>(records.size());
        for (RunRecord r : records) {
            inspect(r.runId()).ifPresent(out::add);
        }
        return out;
    }


    // ------------------------------------------------------------------ leases (several instances on one store)

    /**
     * Renews the leases of this instance's runs every third of the lease, and every third tick looks for unfinished
     * runs whose lease ran out (their instance died) and takes them over.
     */
    private void scheduleLeaseWork(Duration every, int tick) {
        if (closed) {
            return;
        }
        leaseTimer = scheduler.schedule(every, () -> {
            if (closed) {
                return;
            }
            try {
                renewLeases();
                if (tick % 3 == 2) {
                    recoverRuns();
                }
            } catch (RuntimeException | Error e) {
                log.warn("lease upkeep failed; will retry: {}", e.toString());
            }
            scheduleLeaseWork(every, tick + 1);
        });
    }

    private void renewLeases() {
        for (RunExecution run : active.values()) {
            Optional<dev.baton.persistence.Lease> lease;
            boolean lapsed;
            try {
                Instant now = now();
                Instant before = run.leaseExpiry;
                lease = store.tryLease(run.runId, owner, leaseDuration, now);
                // a lease that ran out before this renewal may have been taken, used and given back meanwhile (the
                // run ended elsewhere): claiming it again does not make the run ours, its log says whether it is
                lapsed = lease.isPresent() && before != null && !now.isBefore(before) && run.writtenElsewhere();
                lease.ifPresent(l -> run.leaseExpiry = l.expiresAt());
            } catch (RuntimeException | Error e) {
                // one run's failed renewal must not leave the others' leases to run out (and be taken over)
                log.warn("run {}: renewing its lease failed; will retry: {}", run.runId, e.toString());
                continue;
            }
            if (lease.isPresent() && !active.containsKey(run.runId)) {
                // it ended (or left) since the upkeep took it: its end gave the lease back before this renewal took
                // it again, and nothing would give it back before it ran out
                giveBackUnlessActive(run.runId);
                continue;
            }
            if (lapsed && run.detach()) {
                log.warn("run {}: its lease ran out and the run went on elsewhere; stopped here", run.runId);
                releaseLease(run.runId);
                abandoned(run);
            } else if (lease.isEmpty() && run.detach()) {
                log.warn("run {}: lease taken over by another instance; stopped here", run.runId);
                abandoned(run);
            }
        }
    }

    /** Gives back the lease of a run not active here, under its stripe: a resume or redrive taking it here waits. */
    private void giveBackUnlessActive(String runId) {
        locked(runId, () -> {
            if (!active.containsKey(runId)) {
                releaseLease(runId);
            }
        });
    }

    /**
     * The handles following runs in the store (owned by another instance): close() fails them, since their next look
     * at the store would never come once the scheduler is shut down.
     */
    private final Map<CompletableFuture<RunResult>, String> following = new ConcurrentHashMap<>();

    /** A handle to a run another instance owns: its outcome is read from the store when it ends. */
    private RunHandle watchElsewhere(String runId, Plan plan, java.util.function.Supplier<RunHandle> create) {
        CompletableFuture<RunResult> f = new CompletableFuture<>();
        follow(runId, plan, f, true, create);
        return new Handle(runId, f, null);
    }

    /**
     * Completes {@code f} with the run's outcome once the store shows its end. Also used when this instance loses a
     * run it was working on (its lease was taken over): the run goes on elsewhere, so the caller's handle follows it
     * there instead of failing; per {@link dev.baton.RunHandle#result()} a handle fails only when we close.
     */
    private void follow(String runId, Plan plan, CompletableFuture<RunResult> f, boolean pollNow,
                        java.util.function.Supplier<RunHandle> create) {
        following.put(f, runId);
        f.whenComplete((r, t) -> following.remove(f));
        if (closed) {
            // close() may have gone over the followed handles before this one was added
            f.completeExceptionally(new OrchestratorClosedException("closed while watching run '" + runId + "'"));
            return;
        }
        Runnable[] poll = new Runnable[1];
        poll[0] = () -> {
            if (closed) {
                f.completeExceptionally(new OrchestratorClosedException("closed while watching run '" + runId + "'"));
                return;
            }
            Optional<RunSnapshot> snap;
            try {
                snap = RunSnapshot.fold(events(runId));
            } catch (RuntimeException | Error e) {
                log.debug("watching run {}: reading its log failed, trying again: {}", runId, e.toString());
                scheduler.schedule(Duration.ofMillis(250), poll[0]);
                return;
            }
            if (snap.isEmpty() && create != null) {
                // no run yet: whoever claimed the id may have died before creating it; once its lease is gone
                // the run is created here (a lease still held, or a store failure, is looked at again later)
                RunHandle here;
                try {
                    here = create.get();
                } catch (IdempotencyConflictException e) {
                    f.completeExceptionally(e);
                    return;
                } catch (RuntimeException | Error e) {
                    log.debug("watching run {}: creating it here failed, trying again: {}", runId, e.toString());
                    here = null;
                }
                if (here != null) {
                    here.result().whenComplete((r, t) -> {
                        if (t == null) {
                            f.complete(r);
                        } else {
                            f.completeExceptionally(t);
                        }
                    });
                    return;
                }
                scheduler.schedule(Duration.ofMillis(250), poll[0]);
            } else if (snap.isPresent() && !snap.get().plan().equals(plan)) {
                f.completeExceptionally(new IdempotencyConflictException(runId));
            } else if (snap.isPresent() && snap.get().status().isTerminal()) {
                f.complete(snap.get().result());
            } else {
                scheduler.schedule(Duration.ofMillis(250), poll[0]);
            }
        };
        if (pollNow) {
            poll[0].run();
        } else {
            // the caller may hold the run's lock: read the store from the scheduler instead
            scheduler.schedule(Duration.ofMillis(250), poll[0]);
        }
    }

    // ------------------------------------------------------------------ retention and shutdown

    private Cancellable schedulePurge(Duration every) {
        return scheduler.schedule(every, () -> {
            if (closed) {
                return;
            }
            try {
                int n = store.purge(Saturating.minus(now(), retention));
                if (n > 0) {
                    log.debug("purged {} runs that ended more than {} ago", n, retention);
                }
            } catch (RuntimeException | Error e) {
                log.warn("purging expired runs failed; will retry: {}", e.toString());
            }
            schedulePurgeAgain(every);
        });
    }

    private volatile Cancellable nextPurge;

    private void schedulePurgeAgain(Duration every) {
        if (!closed) {
            nextPurge = schedulePurge(every);
        }
    }

    /** Counted down once the first {@link #close()} has finished: later (or concurrent) calls wait for it. */
    private final java.util.concurrent.CountDownLatch closeDone = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.atomic.AtomicReference<Thread> closer = new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * Closes once. A concurrent or later call returns only when the first has finished (a caller that goes on to
     * close the store must not find this engine still writing to it); the closing thread itself, re-entering from a
     * transport's close, returns at once.
     */
    @Override
    public void close() {
        Thread me = Thread.currentThread();
        if (!closer.compareAndSet(null, me)) {
            if (closer.get() != me) {
                awaitClosed();
            }
            return;
        }
        try {
            closeOnce();
        } finally {
            closeDone.countDown();
        }
    }

    /**
     * Attempts whose handler has returned and whose outcome is not yet in their run's log, but for those that wait for
     * the closing thread itself (a listener that closes while its thread records its run's completions).
     */
    private int outcomesUnrecorded() {
        Thread me = Thread.currentThread();
        int n = 0;
        for (RunExecution run : active.values()) {
            n += run.outcomesUnrecorded(me);
        }
        return n;
    }

    private void awaitClosed() {
        try {
            closeDone.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeOnce() {
        closed = true;
        admission.close();
        if (healthGate != null) {
            healthGate.close();
        }
        // a handler that closes the orchestrator cannot finish before close() returns: wait for the others only
        int here = 0;
        for (RunExecution run : active.values()) {
            here += run.attemptsRunningOn(Thread.currentThread());
        }
        // capped at half the range: the waits below compare nanoTime differences, which must not wrap
        long deadline = System.nanoTime() + Math.min(Saturating.nanos(shutdownTimeout), Long.MAX_VALUE / 2);
        while (true) {
            long seen;
            synchronized (idle) {
                seen = idleSignals;
            }
            // a handler that has returned gives its slots back before its outcome is recorded: wait for both, or the
            // run is detached with the result unwritten and recovery calls the handler a second time. Looked at
            // without the monitor, which a thread holding a run's lock may need to signal
            int running = admission.running() - here;
            int unrecorded = running > 0 ? 0 : outcomesUnrecorded();
            if (running <= 0 && unrecorded == 0) {
                break;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                log.warn("closing with {} task(s) still running or being recorded; their runs stay recoverable",
                        Math.max(running, 0) + (running > 0 ? outcomesUnrecorded() : unrecorded));
                break;
            }
            try {
                synchronized (idle) {
                    if (idleSignals == seen) {
                        TimeUnit.NANOSECONDS.timedWait(idle, left);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (RunExecution run : active.values()) {
            if (run.detach()) {
                run.future.completeExceptionally(new OrchestratorClosedException(
                        "the orchestrator closed before run '" + run.runId + "' ended; it stays recoverable"));
            }
        }
        following.forEach((f, runId) -> f.completeExceptionally(
                new OrchestratorClosedException("closed while watching run '" + runId + "'")));
        webhooks.close();
        Replanner rp = replanner;
        if (rp != null) {
            rp.close();
        }
        active.clear();
        purgeTimer.cancel();
        Cancellable lt = leaseTimer;
        if (lt != null) {
            lt.cancel();
        }
        Cancellable p = nextPurge;
        if (p != null) {
            p.cancel();
        }
        for (ServiceBinding b : registry.everyVersion()) {
            if (b.transport != null) {
                try {
                    b.transport.close();
                } catch (RuntimeException | Error e) {
                    log.warn("closing the transport of service {} failed: {}", b.name(), e.toString());
                }
            }
        }
        if (ownsWorkers && workers instanceof ExecutorService es) {
            es.shutdownNow();
        }
        scheduler.close();
    }

    // ------------------------------------------------------------------ MDC

    @FunctionalInterface
    private interface Body<T> {
        T run() throws Exception;
    }

    private static <T> T withMdc(Attempt a, Body<T> body) throws Exception {
        MDC.put("runId", a.runId());
        MDC.put("taskId", a.taskId());
        MDC.put("executionId", a.executionId());
        try {
            return body.run();
        } finally {
            MDC.remove("runId");
            MDC.remove("taskId");
            MDC.remove("executionId");
        }
    }

    private static void withMdc(String runId, String taskId, String executionId, Runnable body) {
        MDC.put("runId", runId);
        try {
            body.run();
        } finally {
            MDC.remove("runId");
        }
    }

    // ------------------------------------------------------------------ handles

    private final class Handle implements RunHandle {
        private final String runId;
        private final CompletableFuture<RunResult> future;
        private final RunExecution run;

        Handle(String runId, CompletableFuture<RunResult> future, RunExecution run) {
            this.runId = runId;
            this.future = future;
            this.run = run;
        }

        @Override
        public String runId() {
            return runId;
        }

        @Override
        public CompletableFuture<RunResult> result() {
            return future.thenApply(r -> r);
        }

        @Override
        public RunResult await(Duration timeout) {
            java.util.Objects.requireNonNull(timeout, "timeout");
            long nanos;
            try {
                nanos = timeout.toNanos();
            } catch (ArithmeticException beyondNanos) { // over about 292 years: as good as for ever
                nanos = timeout.isNegative() ? 0 : Long.MAX_VALUE;
            }
            try {
                return future.get(nanos, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new AwaitTimeoutException(runId, timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BatonException("INTERRUPTED", "interrupted while waiting for run '" + runId + "'", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof BatonException b) {
                    throw b;
                }
                throw new BatonException("RUN_ERROR", "run '" + runId + "' ended abnormally: " + e.getCause(), e.getCause());
            }
        }

        @Override
        public boolean cancel() {
            if (run == null) {
                return false;
            }
            // a revision replaces the execution this handle started with; cancel the one in effect. The run's stripe
            // keeps a switch to a new execution (which takes it too) from happening while this decides
            String reason = "cancelled by the caller";
            Runnable rest;
            StripeHold hold = enterStripe();
            try {
                synchronized (stripe(runId)) {
                    RunExecution current = active.get(runId);
                    // the same run resumed (redrive, revision, recovery) keeps its creation time; a run that reused
                    // the id after this one was purged is another run, not this handle's to cancel
                    RunExecution target = current != null && current.createdAt.equals(run.createdAt) ? current : run;
                    rest = target.cancelDeferred(reason);
                    if (rest == null) {
                        Replanner rp = replanner;
                        return rp != null && rp.cancel(target, reason);
                    }
                }
            } finally {
                exitStripe(hold);
            }
            // outside the stripe: the write, listeners, the run's end and the slots it frees run user code, which
            // may cancel or submit other runs (taking their stripes)
            rest.run();
            return true;
        }

        @Override
        public String toString() {
            return "RunHandle[" + runId + "]";
        }
    }
}
