package dev.baton.metrics;

import dev.baton.CircuitBreakerState;
import dev.baton.CircuitBreakerTransition;
import dev.baton.Orchestrator;
import dev.baton.OrchestratorStatus;
import dev.baton.RunListener;
import dev.baton.RunStatus;
import dev.baton.RunView;
import dev.baton.TaskView;
import dev.baton.event.PlanRevised;
import dev.baton.event.RunCancelled;
import dev.baton.event.RunCompleted;
import dev.baton.event.RunCreated;
import dev.baton.event.RunEvent;
import dev.baton.event.RunFailed;
import dev.baton.event.TaskCancelled;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskDeadLettered;
import dev.baton.event.TaskFailed;
import dev.baton.event.TaskRetryScheduled;
import dev.baton.event.TaskSkipped;
import dev.baton.event.TaskStarted;
import dev.baton.event.WebhookAttempted;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.ToDoubleFunction;

/**
 * Publishes an orchestrator's behaviour to a Micrometer {@link MeterRegistry}: runs started and ended and their
 * durations, task attempts by service and outcome with their durations, retries, dead letters, skipped tasks, webhook
 * attempts, circuit breaker transitions, and gauges of the orchestrator's load. Every meter's name starts with
 * {@code baton.}; tags are of bounded cardinality (service names, statuses, outcomes), never run, task or execution
 * ids.
 *
 * <pre>{@code
 * BatonMetrics metrics = BatonMetrics.builder(registry).build();
 * Orchestrator baton = metrics.instrument(Orchestrator.builder()
 *         .service("customer-service", handler))
 *     .build();
 * metrics.bindTo(baton);   // the gauges
 * ...
 * baton.close();
 * metrics.close();         // removes the gauges, lets go of the orchestrator
 * }</pre>
 *
 * <p><b>Where the numbers come from.</b> Everything is derived from the public API: the run events this listener
 * receives ({@link RunListener}), the breakers' transitions ({@link Orchestrator.Builder#breakerListener}), and
 * {@link Orchestrator#status()} for the gauges. Durations are the differences of the events' own times (the
 * orchestrator's clock), never a clock read here: a test on {@code ManualTime} gets exact values.
 *
 * <p><b>Cost.</b> A listener runs on the thread that wrote the event and slows its run, so an event costs a map
 * look-up, an uncontended lock of its run's state, and counter increments: meters are made once per service (a
 * bounded map; services past {@link Builder#maxServices} count under {@value #OTHER_SERVICE}) and the only state is
 * per running run and attempt. The gauges call {@link Orchestrator#status()} when the registry reads them, at most
 * once per {@link Builder#statusMaxAge}.
 *
 * <p><b>What it keeps, and for how long.</b> For each run it has seen and not yet seen end: the service of each task
 * (the plan in its creation or revision event) and its creation time; for each attempt running now: its start. A
 * run's state goes with its end. A run this listener stops hearing of without an end (the orchestrator closed with it
 * unfinished, or another instance took it over) is dropped once the bound orchestrator has reported no active run at
 * two consecutive readings of its gauges, when the orchestrator is garbage-collected, at {@link #close()}, or, past
 * {@link Builder#maxTrackedRuns}, when the least recently active runs make room. A run first seen after its creation
 * (resumed by recovery or a redrive) has its tasks' services and creation time looked up once with
 * {@link Orchestrator#inspect}; one resumed before {@link #bindTo} (by {@code build()}'s recovery) is looked up at
 * {@code bindTo}, and the starts of its attempts are counted then. Use one instance per orchestrator.
 *
 * <p>Thread-safe. Nothing of Micrometer reaches Baton's core: this module depends on it, never the other way.
 */
public final class BatonMetrics implements RunListener, AutoCloseable {

    /** The {@code service} tag of a task whose service could not be told (a run resumed with no way to look it up). */
    public static final String UNKNOWN_SERVICE = "_unknown";

    /** The {@code service} tag of every service past the {@link Builder#maxServices} bound. */
    public static final String OTHER_SERVICE = "_other";

    private static final Logger LOG = LoggerFactory.getLogger(BatonMetrics.class);

    private static final RunStatus[] ENDS = {RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED};
    private static final String[] WEBHOOK_OUTCOMES = {WebhookAttempted.DELIVERED, WebhookAttempted.RETRYING,
        WebhookAttempted.FAILED, WebhookAttempted.REFUSED, "OTHER"};
    private static final Set<String> OWN_TAGS = Set.of(MeterNames.SERVICE, MeterNames.STATUS, MeterNames.OUTCOME,
            MeterNames.FROM, MeterNames.TO);

    /** How an event that may end an attempt counts when this listener saw no start of it. */
    private static final int END_ALWAYS = 0;
    private static final int END_IF_RUNNING = 1;
    /** A failure: it ended an attempt unless this listener saw every start of the run (it then ended none). */
    private static final int END_UNLESS_ALL_SEEN = 2;

    private final MeterRegistry registry;
    private final Tags tags;
    private final int maxServices;
    private final int maxTrackedRuns;
    private final long statusMaxAgeNanos;

    private final Counter runsStarted;
    private final Counter[] runsEnded = new Counter[ENDS.length];
    private final Timer[] runsDuration = new Timer[ENDS.length];
    private final AtomicReferenceArray<Counter> webhookAttempts = new AtomicReferenceArray<>(WEBHOOK_OUTCOMES.length);

    private final ConcurrentHashMap<String, ServiceMeters> services = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, RunState> runs = new ConcurrentHashMap<>();
    private final AtomicBoolean thinning = new AtomicBoolean();

    /** Guards services' creation, the buckets, the binding and the gauges. */
    private final Object lock = new Object();
    private volatile ServiceMeters unknown;
    private volatile ServiceMeters other;
    private final List<Meter> gauges = new ArrayList<>();
    private volatile Binding binding;
    private volatile boolean closed;

    /** Guards the idle sweep. */
    private final Object sweepLock = new Object();
    /** Moves on at each reading of the bound orchestrator that finds it idle; a run's state records it at each event. */
    private volatile long epoch;
    /** The epoch of the previous reading, when it found the orchestrator idle; -1 when it did not. */
    private long idleMark = -1;

    private BatonMetrics(Builder b) {
        this.registry = b.registry;
        this.tags = b.tags;
        this.maxServices = b.maxServices;
        this.maxTrackedRuns = b.maxTrackedRuns;
        long age;
        try {
            age = b.statusMaxAge.toNanos();
        } catch (ArithmeticException tooLong) {
            age = Long.MAX_VALUE;
        }
        this.statusMaxAgeNanos = age;
        this.runsStarted = Counter.builder(MeterNames.RUNS_STARTED).tags(tags)
                .description("runs created").register(registry);
        for (int i = 0; i < ENDS.length; i++) {
            runsEnded[i] = Counter.builder(MeterNames.RUNS_ENDED).tags(tags).tag(MeterNames.STATUS, ENDS[i].name())
                    .description("runs ended, by status").register(registry);
            runsDuration[i] = Timer.builder(MeterNames.RUNS_DURATION).tags(tags)
                    .tag(MeterNames.STATUS, ENDS[i].name())
                    .description("run duration, from its creation to its end, by the events' times")
                    .register(registry);
        }
    }

    /**
     * @param registry where the meters go
     * @return a builder of metrics for one orchestrator
     */
    public static Builder builder(MeterRegistry registry) {
        return new Builder(registry);
    }

    /**
     * Adds this listener and its breaker listener to an orchestrator's builder: the same as
     * {@code builder.listener(metrics).breakerListener(metrics::onTransition)}.
     *
     * @param builder the orchestrator's builder
     * @return the same builder
     */
    public Orchestrator.Builder instrument(Orchestrator.Builder builder) {
        return Objects.requireNonNull(builder, "builder").listener(this).breakerListener(this::onTransition);
    }

    /**
     * Registers the gauges of an orchestrator's load and breakers, read from {@link Orchestrator#status()} when the
     * registry reads them. The orchestrator is held weakly (its gauges read NaN once it is collected) and let go at
     * {@link #close()}. Runs this listener saw resumed before (by the orchestrator's {@code build()}) have their
     * services looked up now.
     *
     * @param orchestrator the orchestrator whose events this listener receives
     * @return this
     * @throws IllegalStateException if already bound, or closed, or if the registry has the gauges of another
     *                               instance bound with the same tags (they would read the other orchestrator)
     */
    public BatonMetrics bindTo(Orchestrator orchestrator) {
        Objects.requireNonNull(orchestrator, "orchestrator");
        OrchestratorStatus status = orchestrator.status();
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("these metrics are closed");
            }
            if (binding != null) {
                throw new IllegalStateException("these metrics are bound to an orchestrator already");
            }
            // A registry hands back the gauge it has for an id: another binder's, whose orchestrator it would read
            // (and whose close would remove it). Refuse rather than report another orchestrator's load.
            List<Gauge> before = new ArrayList<>(registry.find(MeterNames.RUNS_ACTIVE).tags(tags).gauges());
            Binding b = new Binding(this, orchestrator, statusMaxAgeNanos);
            Gauge active = Gauge.builder(MeterNames.RUNS_ACTIVE, b, x -> x.value(OrchestratorStatus::activeRuns))
                    .tags(tags).description("runs in flight in this instance").register(registry);
            if (before.stream().anyMatch(g -> g == active)) {
                throw new IllegalStateException("the registry has the gauges of another BatonMetrics with the same "
                        + "tags " + tags.stream().map(t -> t.getKey() + "=" + t.getValue()).toList() + ": close it "
                        + "first, or give each orchestrator's metrics a tag that tells them apart "
                        + "(builder.tag(\"instance\", ...))");
            }
            binding = b;
            gauges.add(active);
            gauges.add(Gauge.builder(MeterNames.TASKS_RUNNING, b, x -> x.value(OrchestratorStatus::runningTasks))
                    .tags(tags).description("task attempts running now").register(registry));
            for (String name : services.keySet()) {
                serviceGauges(b, name);
            }
            for (String name : status.services().keySet()) {
                service(name); // registers its meters and gauges
            }
        }
        for (RunState rs : runs.values()) {
            rs.lock();
            try {
                if (!rs.dropped && !rs.resolved) {
                    resolve(rs);
                }
            } finally {
                rs.unlock();
            }
        }
        return this;
    }

    /**
     * Counts one state change of a service's circuit breaker. Give it to
     * {@link Orchestrator.Builder#breakerListener} (or use {@link #instrument}).
     *
     * @param transition the change
     */
    public void onTransition(CircuitBreakerTransition transition) {
        if (closed) {
            return;
        }
        service(transition.breakerName()).transition(transition.from(), transition.to());
    }

    /**
     * Counts one run event. Quick: a map look-up, an uncontended lock and counter increments.
     *
     * @param event the event, already durable
     */
    @Override
    public void onEvent(RunEvent event) {
        if (closed) {
            return;
        }
        if (event instanceof TaskStarted s) {
            onStarted(s);
        } else if (event instanceof TaskCompleted c) {
            onAttemptEnd(c.runId(), c.taskId(), c.at(), Outcome.COMPLETED, END_ALWAYS);
        } else if (event instanceof TaskFailed f) {
            // a task that waited for its unhealthy service until the window ended fails without an attempt
            onAttemptEnd(f.runId(), f.taskId(), f.at(), Outcome.ofFailure(f.error()),
                    f.error() != null && "SERVICE_UNHEALTHY".equals(f.error().code())
                            ? END_IF_RUNNING : END_UNLESS_ALL_SEEN);
        } else if (event instanceof TaskRetryScheduled r) {
            ServiceMeters m = metersOf(r.runId(), r.taskId(), r.at());
            if (m != null) {
                m.retries.increment();
            }
        } else if (event instanceof TaskSkipped k) {
            ServiceMeters m = metersOf(k.runId(), k.taskId(), k.at());
            if (m != null) {
                m.skipped.increment();
            }
        } else if (event instanceof TaskCancelled c) {
            // pending tasks are cancelled too: only a running one ends an attempt
            onAttemptEnd(c.runId(), c.taskId(), c.at(), Outcome.CANCELLED, END_IF_RUNNING);
        } else if (event instanceof TaskDeadLettered d) {
            service(d.service() == null ? UNKNOWN_SERVICE : d.service()).deadLetters.increment();
        } else if (event instanceof RunCreated c) {
            onCreated(c);
        } else if (event instanceof RunCompleted) {
            onEnded(event, 0);
        } else if (event instanceof RunFailed) {
            onEnded(event, 1);
        } else if (event instanceof RunCancelled) {
            onEnded(event, 2);
        } else if (event instanceof PlanRevised p) {
            RunState rs = acquire(p.runId(), nanos(p.at()));
            if (rs != null) {
                try {
                    rs.plan(p.plan());
                } finally {
                    rs.unlock();
                }
            }
        } else if (event instanceof WebhookAttempted w) {
            webhookAttempt(w.outcome()).increment();
        }
        // TaskRedriven, PlanRevisionRejected: nothing to count; a redriven task's attempts count as they start
    }

    /**
     * Stops counting, removes the gauges from the registry and lets go of the orchestrator and of every run's state.
     * The counters and timers stay in the registry with their values. Idempotent.
     */
    @Override
    public void close() {
        List<Meter> registered;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            binding = null;
            registered = new ArrayList<>(gauges);
            gauges.clear();
        }
        for (Meter m : registered) {
            registry.remove(m);
        }
        dropAll();
    }

    @Override
    public String toString() {
        return "BatonMetrics[" + runs.size() + " runs tracked, " + services.size() + " services]";
    }

    // ------------------------------------------------------------------ events

    private void onCreated(RunCreated c) {
        runsStarted.increment();
        long at = nanos(c.at());
        RunState fresh = new RunState(c.runId(), at, epoch);
        fresh.plan(c.plan());
        fresh.createdNanos = at;
        fresh.fromCreation = true;
        RunState prior = runs.put(c.runId(), fresh);
        if (prior != null) {
            drop(prior); // its id was used again after its run was purged: what was kept of it is stale
        }
        thinIfFull();
        if (closed) {
            drop(fresh);
        }
    }

    private void onStarted(TaskStarted s) {
        long at = nanos(s.at());
        RunState rs = acquire(s.runId(), at);
        if (rs == null) {
            return;
        }
        ServiceMeters m;
        try {
            m = metersFor(rs, s.taskId(), true);
            if (rs.running == null) {
                rs.running = new HashMap<>(4);
            }
            // an earlier start of the task whose end never came (the run moved on elsewhere) is replaced
            rs.running.put(s.taskId(), new RunState.Running(at, m));
        } finally {
            rs.unlock();
        }
        if (m != null) {
            m.started.increment();
        }
    }

    private void onAttemptEnd(String runId, String taskId, Instant at, Outcome outcome, int unseen) {
        long atNanos = nanos(at);
        RunState rs = acquire(runId, atNanos);
        if (rs == null) {
            return;
        }
        ServiceMeters m;
        long duration = -1;
        try {
            RunState.Running r = rs.running == null ? null : rs.running.remove(taskId);
            if (r != null) {
                m = r.meters;
                if (m == null) { // started before its service could be told, and still cannot be
                    m = metersFor(rs, taskId, false);
                    m.started.increment();
                }
                duration = Math.max(0L, atNanos - r.startNanos);
            } else if (unseen == END_ALWAYS || (unseen == END_UNLESS_ALL_SEEN && !rs.fromCreation)) {
                // its start was before this listener followed the run (its state was dropped to make room, say):
                // counted, untimed
                m = metersFor(rs, taskId, false);
            } else {
                return;
            }
        } finally {
            rs.unlock();
        }
        m.ended(outcome, duration);
    }

    private void onEnded(RunEvent e, int end) {
        runsEnded[end].increment();
        RunState rs = runs.remove(e.runId());
        if (rs == null) {
            return;
        }
        long created;
        rs.lock();
        try {
            rs.dropped = true;
            if (rs.createdNanos == RunState.UNKNOWN && !rs.resolved) {
                resolve(rs);
            }
            created = rs.createdNanos;
        } finally {
            rs.unlock();
        }
        if (created != RunState.UNKNOWN) {
            runsDuration[end].record(Math.max(0L, nanos(e.at()) - created), TimeUnit.NANOSECONDS);
        }
    }

    private ServiceMeters metersOf(String runId, String taskId, Instant at) {
        RunState rs = acquire(runId, nanos(at));
        if (rs == null) {
            return null;
        }
        try {
            return metersFor(rs, taskId, false);
        } finally {
            rs.unlock();
        }
    }

    private Counter webhookAttempt(String outcome) {
        int i = WEBHOOK_OUTCOMES.length - 1;
        for (int k = 0; k < WEBHOOK_OUTCOMES.length - 1; k++) {
            if (WEBHOOK_OUTCOMES[k].equals(outcome)) {
                i = k;
                break;
            }
        }
        Counter c = webhookAttempts.get(i);
        if (c == null) {
            c = Counter.builder(MeterNames.WEBHOOK_ATTEMPTS).tags(tags).tag(MeterNames.OUTCOME, WEBHOOK_OUTCOMES[i])
                    .description("result webhook delivery attempts, by outcome").register(registry);
            webhookAttempts.set(i, c);
        }
        return c;
    }

    // ------------------------------------------------------------------ run state

    /**
     * The run's state, locked, made if this is the first event of the run seen here; null once closed. The caller
     * unlocks it.
     */
    private RunState acquire(String runId, long atNanos) {
        while (true) {
            RunState rs = runs.get(runId);
            if (rs == null) {
                RunState fresh = new RunState(runId, atNanos, epoch);
                rs = runs.putIfAbsent(runId, fresh);
                if (rs == null) {
                    rs = fresh;
                    thinIfFull();
                }
            }
            rs.lock();
            if (rs.dropped) {
                rs.unlock();
                continue;
            }
            if (closed) {
                dropLocked(rs);
                rs.unlock();
                return null;
            }
            rs.lastAtNanos = atNanos;
            rs.touchedEpoch = epoch;
            return rs;
        }
    }

    /**
     * The meters of a task's service. Null only when {@code mayWait} and the service cannot be told yet (a run resumed
     * before {@link #bindTo}): the caller counts it once it can. Caller holds the run's lock.
     */
    private ServiceMeters metersFor(RunState rs, String taskId, boolean mayWait) {
        String s = rs.serviceOf(taskId);
        if (s == null && !rs.resolved) {
            resolve(rs);
            s = rs.serviceOf(taskId);
        }
        if (s != null) {
            return service(s);
        }
        return mayWait && !rs.resolved ? null : bucket(true);
    }

    /**
     * Looks up the services and creation time of a run first seen after its creation, with the bound orchestrator,
     * once; then counts the starts that waited for them. Nothing happens while unbound. Caller holds the run's lock.
     */
    private void resolve(RunState rs) {
        Binding b = binding;
        Orchestrator o = b == null ? null : b.orchestrator.get();
        if (o == null) {
            return;
        }
        Map<String, String> byTask = Map.of();
        try {
            Optional<RunView> view = o.inspect(rs.runId);
            if (view.isPresent()) {
                RunView v = view.get();
                byTask = new HashMap<>();
                for (TaskView t : v.tasks()) {
                    byTask.put(t.taskId(), t.service());
                }
                if (rs.createdNanos == RunState.UNKNOWN && v.createdAt() != null) {
                    rs.createdNanos = nanos(v.createdAt());
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("run {}: looking up its tasks' services failed; they count as {}", rs.runId, UNKNOWN_SERVICE, e);
        }
        rs.services(byTask);
        if (rs.running != null) {
            for (Map.Entry<String, RunState.Running> r : rs.running.entrySet()) {
                if (r.getValue().meters == null) {
                    ServiceMeters m = metersFor(rs, r.getKey(), false);
                    r.getValue().meters = m;
                    m.started.increment();
                }
            }
        }
    }

    private void drop(RunState rs) {
        rs.lock();
        try {
            dropLocked(rs);
        } finally {
            rs.unlock();
        }
    }

    private void dropLocked(RunState rs) {
        if (!rs.dropped) {
            rs.dropped = true;
            runs.remove(rs.runId, rs);
        }
    }

    private void dropAll() {
        for (RunState rs : runs.values()) {
            drop(rs);
        }
    }

    /** Past the bound, drops the least recently active tenth of the runs (by their last event's time). */
    private void thinIfFull() {
        if (runs.size() <= maxTrackedRuns || !thinning.compareAndSet(false, true)) {
            return;
        }
        try {
            long[] times = new long[runs.size() + 64];
            int n = 0;
            for (RunState rs : runs.values()) {
                if (n == times.length) {
                    break;
                }
                times[n++] = rs.lastAtNanos;
            }
            int excess = n - (int) (maxTrackedRuns * 9L / 10);
            if (excess <= 0) {
                return;
            }
            Arrays.sort(times, 0, n);
            long cutoff = times[excess - 1];
            LOG.debug("tracking more than {} runs: dropping the {} least recently active", maxTrackedRuns, excess);
            for (RunState rs : runs.values()) {
                if (excess == 0) {
                    break;
                }
                if (rs.lastAtNanos <= cutoff) {
                    drop(rs);
                    excess--;
                }
            }
        } finally {
            thinning.set(false);
        }
    }

    /**
     * The bound orchestrator was read. When it has no active run at two readings in a row, the runs this listener
     * still keeps and heard nothing of since the first are not running there any more (it closed with them
     * unfinished, or another instance took them over): they are dropped. A collected orchestrator drops them all.
     */
    private void observed(OrchestratorStatus status, boolean gone) {
        if (gone) {
            dropAll();
            return;
        }
        if (status == null) {
            return; // the reading failed: it tells nothing
        }
        synchronized (sweepLock) {
            if (status.activeRuns() != 0) {
                idleMark = -1;
                return;
            }
            long e = epoch;
            if (idleMark >= 0) {
                for (RunState rs : runs.values()) {
                    if (rs.touchedEpoch <= idleMark) {
                        rs.lock();
                        try {
                            if (rs.touchedEpoch <= idleMark) {
                                dropLocked(rs);
                            }
                        } finally {
                            rs.unlock();
                        }
                    }
                }
            }
            idleMark = e;
            epoch = e + 1;
        }
    }

    // ------------------------------------------------------------------ services and gauges

    private ServiceMeters service(String name) {
        ServiceMeters m = services.get(name);
        if (m != null) {
            return m;
        }
        if (services.size() >= maxServices) {
            return bucket(false);
        }
        synchronized (lock) {
            m = services.get(name);
            if (m != null) {
                return m;
            }
            if (services.size() >= maxServices) {
                return bucket(false);
            }
            m = new ServiceMeters(registry, tags, name);
            services.put(name, m);
            Binding b = binding;
            if (b != null) {
                serviceGauges(b, name);
            }
            return m;
        }
    }

    /** The meters of tasks whose service is not known, or of the services past the bound. */
    private ServiceMeters bucket(boolean isUnknown) {
        ServiceMeters m = isUnknown ? unknown : other;
        if (m != null) {
            return m;
        }
        synchronized (lock) {
            if (isUnknown) {
                if (unknown == null) {
                    unknown = new ServiceMeters(registry, tags, UNKNOWN_SERVICE);
                }
                return unknown;
            }
            if (other == null) {
                other = new ServiceMeters(registry, tags, OTHER_SERVICE);
            }
            return other;
        }
    }

    /** Caller holds {@link #lock}. */
    private void serviceGauges(Binding b, String service) {
        serviceGauge(MeterNames.SERVICE_IN_FLIGHT, b, service, OrchestratorStatus.ServiceStatus::inFlight,
                "attempts of the service running now");
        serviceGauge(MeterNames.SERVICE_QUEUED, b, service, OrchestratorStatus.ServiceStatus::queued,
                "tasks of the service waiting for a slot of its capacity");
        serviceGauge(MeterNames.SERVICE_WAITING_HEALTH, b, service, OrchestratorStatus.ServiceStatus::waitingForHealth,
                "tasks of the service waiting for it to recover its health");
        serviceGauge(MeterNames.SERVICE_CAPACITY, b, service, OrchestratorStatus.ServiceStatus::capacity,
                "the service's capacity, 0 for unlimited");
        serviceGauge(MeterNames.BREAKER_STATE, b, service, s -> stateValue(s.breakerState()),
                "the service's circuit breaker: 0 closed, 1 half-open, 2 open");
    }

    private void serviceGauge(String name, Binding b, String service,
                              ToDoubleFunction<OrchestratorStatus.ServiceStatus> f, String description) {
        gauges.add(Gauge.builder(name, b, x -> x.service(service, f)).tags(tags).tag(MeterNames.SERVICE, service)
                .description(description).register(registry));
    }

    private static double stateValue(CircuitBreakerState state) {
        switch (state) {
            case CLOSED:
                return 0;
            case HALF_OPEN:
                return 1;
            case OPEN:
                return 2;
            default:
                return Double.NaN;
        }
    }

    private static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    // ------------------------------------------------------------------ for tests

    /** @return how many runs have state kept now */
    int trackedRuns() {
        return runs.size();
    }

    /** @return how many attempt starts are kept now */
    int trackedAttempts() {
        int n = 0;
        for (RunState rs : runs.values()) {
            rs.lock();
            try {
                n += rs.runningCount();
            } finally {
                rs.unlock();
            }
        }
        return n;
    }

    /**
     * What the gauges read: the orchestrator, held weakly, and its latest status reading, kept for the maximum age so
     * that one scrape of many gauges reads the orchestrator once.
     */
    private static final class Binding {
        final BatonMetrics owner;
        final WeakReference<Orchestrator> orchestrator;
        final long maxAgeNanos;
        private volatile Reading reading;

        Binding(BatonMetrics owner, Orchestrator orchestrator, long maxAgeNanos) {
            this.owner = owner;
            this.orchestrator = new WeakReference<>(orchestrator);
            this.maxAgeNanos = maxAgeNanos;
        }

        double value(ToDoubleFunction<OrchestratorStatus> f) {
            OrchestratorStatus s = status();
            return s == null ? Double.NaN : f.applyAsDouble(s);
        }

        double service(String name, ToDoubleFunction<OrchestratorStatus.ServiceStatus> f) {
            OrchestratorStatus s = status();
            OrchestratorStatus.ServiceStatus ss = s == null ? null : s.services().get(name);
            return ss == null ? Double.NaN : f.applyAsDouble(ss);
        }

        private OrchestratorStatus status() {
            Reading r = reading;
            long now = System.nanoTime();
            if (r != null && now - r.at < maxAgeNanos) {
                return r.status;
            }
            Orchestrator o = orchestrator.get();
            OrchestratorStatus s = null;
            if (o != null) {
                try {
                    s = o.status();
                } catch (RuntimeException e) {
                    LOG.debug("reading the orchestrator's status failed; its gauges read NaN", e);
                }
            }
            reading = new Reading(now, s);
            owner.observed(s, o == null);
            return s;
        }
    }

    private record Reading(long at, OrchestratorStatus status) {
    }

    /**
     * Configures {@link BatonMetrics}; {@link #build()} makes an immutable configuration of it. Not thread-safe.
     */
    public static final class Builder {
        private final MeterRegistry registry;
        private Tags tags = Tags.empty();
        private int maxServices = 1_000;
        private int maxTrackedRuns = 100_000;
        private Duration statusMaxAge = Duration.ofSeconds(1);

        private Builder(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /**
         * @param extra tags added to every meter (say, an {@code instance} tag, to tell apart two orchestrators on
         *              one registry); not {@code service}, {@code status}, {@code outcome}, {@code from} or
         *              {@code to}, which the meters set themselves
         * @return this builder
         */
        public Builder tags(Iterable<Tag> extra) {
            Objects.requireNonNull(extra, "tags");
            for (Tag t : extra) {
                if (OWN_TAGS.contains(t.getKey())) {
                    throw new IllegalArgumentException("tag '" + t.getKey() + "' is set by the meters themselves");
                }
            }
            this.tags = this.tags.and(extra);
            return this;
        }

        /**
         * @param key   a tag added to every meter; see {@link #tags(Iterable)}
         * @param value its value
         * @return this builder
         */
        public Builder tag(String key, String value) {
            return tags(Tags.of(key, value));
        }

        /**
         * @param max how many services get meters of their own (default 1,000); tasks of the services past it count
         *            under {@value BatonMetrics#OTHER_SERVICE}; at least 1
         * @return this builder
         */
        public Builder maxServices(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxServices must be at least 1, was " + max);
            }
            this.maxServices = max;
            return this;
        }

        /**
         * @param max how many unfinished runs have their state kept (default 100,000); past it the least recently
         *            active tenth is dropped: their running attempts that complete or fail still count, untimed
         *            (one cancelled with its run does not: it cannot be told from a pending task), and their next
         *            events look their services up again with {@link Orchestrator#inspect} (once per run); at least 1
         * @return this builder
         */
        public Builder maxTrackedRuns(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxTrackedRuns must be at least 1, was " + max);
            }
            this.maxTrackedRuns = max;
            return this;
        }

        /**
         * @param maxAge how long one reading of {@link Orchestrator#status()} serves the gauges (default 1 s);
         *               zero reads it at every gauge read
         * @return this builder
         */
        public Builder statusMaxAge(Duration maxAge) {
            Objects.requireNonNull(maxAge, "statusMaxAge");
            if (maxAge.isNegative()) {
                throw new IllegalArgumentException("statusMaxAge must not be negative, was " + maxAge);
            }
            this.statusMaxAge = maxAge;
            return this;
        }

        /** @return metrics with this configuration, their run meters registered; not yet bound to an orchestrator */
        public BatonMetrics build() {
            return new BatonMetrics(this);
        }
    }
}
