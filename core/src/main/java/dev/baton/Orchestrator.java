package dev.baton;

import dev.baton.event.RunCreated;
import dev.baton.internal.engine.Engine;
import dev.baton.internal.engine.ServiceBinding;
import dev.baton.internal.engine.ServiceRegistry;
import dev.baton.internal.engine.SystemScheduler;
import dev.baton.internal.engine.Workers;
import dev.baton.internal.planning.PlanningLoop;
import dev.baton.persistence.RunStore;
import dev.baton.plan.Plan;
import dev.baton.planner.Action;
import dev.baton.planner.FixedPlanner;
import dev.baton.planner.Planner;
import dev.baton.planner.ServiceCatalog;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.store.InMemoryRunStore;
import dev.baton.time.ManualTime;
import dev.baton.time.Scheduler;
import dev.baton.transport.HealthSource;
import dev.baton.transport.TaskTransport;
import dev.baton.transport.WebhookTransport;
import dev.baton.validation.PlanValidator;
import dev.baton.validation.SchemaChecker;
import dev.baton.validation.ValidationLimits;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Runs plans: validates them against the registered services, schedules independent tasks in parallel, records
 * every step in the run log, and hands back a {@link RunHandle} per run.
 *
 * <pre>{@code
 * try (Orchestrator baton = Orchestrator.builder()
 *         .service("customer-service", ctx -> customers.find((String) ctx.input().get("customerId")))
 *         .service("order-system", ctx -> orders.details((String) ctx.input().get("orderId")))
 *         .build()) {
 *     RunResult result = baton.submit(plan).await(Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * <p>Thread-safe. Several independent orchestrators may live in one JVM. {@link #close()} stops accepting work, lets
 * running tasks finish within the shutdown timeout, and leaves unfinished runs in the store, recoverable.
 */
public final class Orchestrator implements AutoCloseable {

    private final Engine engine;
    private final PlanningLoop planning; // null without a planner
    // run ids of actions being planned now, each with what completes when its planning and submission are over
    private final ConcurrentHashMap<String, CompletableFuture<Void>> planningRunIds = new ConcurrentHashMap<>();

    private Orchestrator(Engine engine, PlanningLoop planning) {
        this.engine = engine;
        this.planning = planning;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Submits a plan with default options (a generated run id).
     *
     * @param plan the plan
     * @return the run's handle
     * @throws InvalidPlanException        if the plan is invalid; nothing runs
     * @throws OrchestratorClosedException if the orchestrator is closed
     */
    public RunHandle submit(Plan plan) {
        return submit(plan, RunOptions.defaults());
    }

    /**
     * Submits a plan. The run id is an idempotency key: if a run with that id exists (running, or ended within the
     * retention window), its handle is returned and nothing new starts.
     *
     * @param plan    the plan
     * @param options run options
     * @return the run's handle
     * @throws InvalidPlanException          if the plan is invalid; nothing runs
     * @throws IdempotencyConflictException  if the run id exists with a different plan
     * @throws OrchestratorClosedException   if the orchestrator is closed
     */
    public RunHandle submit(Plan plan, RunOptions options) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(options, "options");
        return engine.submit(plan, options);
    }

    /**
     * Plans an action with the configured planner and runs the accepted plan, with the action's run id and
     * correlation id.
     *
     * @param action the action
     * @return the run's handle
     * @throws PlanningFailedException     if no valid plan came within the attempt limit; nothing runs
     * @throws NotActionableException      if the planner answered that the action cannot be done; nothing runs
     * @throws IllegalStateException       if no planner is configured
     * @throws OrchestratorClosedException if the orchestrator is closed
     */
    public RunHandle submit(Action action) {
        return submit(action, RunOptions.defaults());
    }

    /**
     * Plans an action with the configured planner and runs the accepted plan: the planner is asked for a plan, the
     * plan is validated against the registered services, and a rejected plan goes back to the planner with its
     * errors, up to {@link Builder#planningAttempts(int)} times. The run's {@code RunCreated} event records the
     * planning in its settings' attributes ({@link PlannedAction#toAttributes()}). The action's run id and correlation
     * id, when set, take precedence over the options'.
     *
     * <p>The run id is an idempotency key: when a run planned from an action exists under it, the same action (intent,
     * parameters, re-planning bound) gets that run's handle without a planner call, whatever the planner would answer
     * now, and another action is an {@link IdempotencyConflictException}, also without a planner call. A resubmission
     * while the action is still being planned waits for that planning. A run id that a plan was submitted under is
     * matched as for plans: the action is planned and its plan must equal the run's.
     *
     * <p>An action built with {@link Action.Builder#replanOnFailure(int)} is re-planned when one of its tasks fails
     * for good: the planner gets the completed tasks and the failure ({@link dev.baton.planner.PlanningRequest#revision()}), its validated
     * revision runs on without executing again the tasks it keeps unchanged, and each revision is a
     * {@code PlanRevised} event in the run log; past the bound the run fails with the original failure.
     *
     * @param action  the action
     * @param options run options
     * @return the run's handle
     * @throws PlanningFailedException      if no valid plan came within the attempt limit; nothing runs
     * @throws NotActionableException       if the planner answered that the action cannot be done; nothing runs
     * @throws IdempotencyConflictException if the run id exists with a different action or plan
     * @throws IllegalArgumentException     if the action's run id or correlation id is not a valid one; checked
     *                                      before the planner is asked
     * @throws IllegalStateException        if no planner is configured
     * @throws OrchestratorClosedException  if the orchestrator is closed
     */
    public RunHandle submit(Action action, RunOptions options) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(action, "action");
        // the options are built before planning, so that a bad run id or correlation id is refused without a
        // planner call (an LLM planner's call costs money)
        RunOptions.Builder b = RunOptions.builder().schedulingMode(options.schedulingMode())
                .failurePolicy(options.failurePolicy());
        if (options.maxParallel() > 0) {
            b.maxParallel(options.maxParallel());
        }
        options.timeout().ifPresent(b::timeout);
        action.runId().or(options::runId).ifPresent(b::runId);
        action.correlationId().or(options::correlationId).ifPresent(b::correlationId);
        options.webhook().ifPresent(b::webhook); // the action's own webhook, in the attributes, takes precedence
        RunOptions runOptions = b.build();
        String runId = runOptions.runId().orElse(null);
        if (runId == null) {
            return planAndSubmit(action, runOptions);
        }
        if (planning == null) {
            throw new IllegalStateException("no planner configured: set one with Orchestrator.builder().planner(...)");
        }
        // One planning per run id at a time: a resubmission while the action is still being planned waits for that
        // planning and then finds the run, instead of asking the planner a second time.
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> other;
        while ((other = planningRunIds.putIfAbsent(runId, mine)) != null) {
            other.join(); // completed, never failed, when that submission is over
        }
        try {
            Optional<RunCreated> created = engine.created(runId);
            if (created.isPresent() && created.get().settings().attributes().containsKey(PlannedAction.INTENT)) {
                // the run was planned from an action: the same action gets the run, planned once, whatever the
                // planner would answer now (an LLM rarely answers the same plan twice); another action conflicts
                RunCreated c = created.get();
                if (!sameAction(action, c)) {
                    throw new IdempotencyConflictException(runId);
                }
                return engine.submit(c.plan(), runOptions, c.settings().attributes(), engine.services());
            }
            return planAndSubmit(action, runOptions);
        } finally {
            planningRunIds.remove(runId, mine);
            mine.complete(null);
        }
    }

    private RunHandle planAndSubmit(Action action, RunOptions runOptions) {
        ServiceRegistry.Catalog services = engine.services(); // planned and validated against the same versions
        PlannedAction planned = plan(action, services);
        return engine.submit(planned.plan(), runOptions, planned.toAttributes(), services);
    }

    /** Whether a run was planned from this action: its intent, its parameters in task0, its re-planning bound. */
    private static boolean sameAction(Action action, RunCreated created) {
        Map<String, Object> attrs = created.settings().attributes();
        Object maxRevisions = attrs.get(PlannedAction.MAX_REVISIONS);
        int revisions = maxRevisions instanceof Number n ? n.intValue() : 0;
        Plan plan = created.plan();
        return action.intent().equals(attrs.get(PlannedAction.INTENT)) && action.maxRevisions() == revisions
                && FixedPlanner.withParams(plan, action.params()).params().equals(plan.params());
    }

    /**
     * Plans an action with the configured planner, validated against the registered services, without running it.
     *
     * @param action the action
     * @return the accepted plan, its schedule and the rejected attempts before it
     * @throws PlanningFailedException if no valid plan came within the attempt limit
     * @throws NotActionableException  if the planner answered that the action cannot be done
     * @throws IllegalStateException   if no planner is configured
     */
    public PlannedAction plan(Action action) {
        return plan(action, engine.services());
    }

    private PlannedAction plan(Action action, ServiceRegistry.Catalog services) {
        Objects.requireNonNull(action, "action");
        if (planning == null) {
            throw new IllegalStateException("no planner configured: set one with Orchestrator.builder().planner(...)");
        }
        // through the catalog's memo: a submit of the planned plan against the same catalog does not validate it again
        return planning.plan(action, services::validate, services.catalog());
    }

    /**
     * The services as registered now, as planners see them: descriptors with their catalog versions
     * ({@link ServiceCatalog#version(String)}).
     *
     * @return the catalog
     */
    public ServiceCatalog catalog() {
        return engine.services().catalog();
    }

    /**
     * Registers an in-process service with a blocking handler and default options, while the orchestrator runs.
     *
     * @param name    service name, as plans name it
     * @param handler the handler
     * @return the service's catalog version
     * @see #registerService(ServiceDescriptor, TaskHandler, ServiceOptions)
     */
    public int registerService(String name, TaskHandler handler) {
        return registerService(ServiceDescriptor.of(name), handler, ServiceOptions.defaults());
    }

    /**
     * Registers an in-process service with a blocking handler while the orchestrator runs, or a new version of one.
     *
     * <p>A name not yet registered gets catalog version 1. Registering a name again with a descriptor that differs
     * (schemas, description or the descriptor's {@code version} label) adds the next version (2, 3, ...), which runs
     * submitted from then on are planned, validated and dispatched against. Runs accepted before keep dispatching to
     * the handler, options and schemas of the version they were validated against; a run resumed later (recovery,
     * redrive, a re-planning revision) is validated again against, and dispatches to, the versions registered then.
     * Each version has its own capacity gate and circuit breaker; {@link #circuitBreaker(String)} and
     * {@link #status()} show the latest. Registering an identical descriptor with the same handler and options keeps
     * the version and changes nothing.
     *
     * @param descriptor name, description, version label and schemas
     * @param handler    the handler
     * @param options    timeout, capacity, ...
     * @return the service's catalog version
     * @throws IllegalArgumentException    if the descriptor is identical to the registered one but the handler or the
     *                                     options are not (change the descriptor to register a new version)
     * @throws OrchestratorClosedException if the orchestrator is closed
     */
    public int registerService(ServiceDescriptor descriptor, TaskHandler handler, ServiceOptions options) {
        Objects.requireNonNull(handler, "handler");
        return engine.register(new ServiceBinding(descriptor, handler, null, Objects.requireNonNull(options, "options")));
    }

    /**
     * Registers an in-process service whose handler completes asynchronously, while the orchestrator runs; versions
     * as for {@link #registerService(ServiceDescriptor, TaskHandler, ServiceOptions)}.
     *
     * @param name    service name
     * @param handler the handler
     * @return the service's catalog version
     */
    public int registerAsyncService(String name, AsyncTaskHandler handler) {
        return registerAsyncService(ServiceDescriptor.of(name), handler, ServiceOptions.defaults());
    }

    /**
     * Registers an in-process service whose handler completes asynchronously, while the orchestrator runs; versions
     * as for {@link #registerService(ServiceDescriptor, TaskHandler, ServiceOptions)}.
     *
     * @param descriptor name, description, version label and schemas
     * @param handler    the handler
     * @param options    timeout, capacity, ...
     * @return the service's catalog version
     */
    public int registerAsyncService(ServiceDescriptor descriptor, AsyncTaskHandler handler, ServiceOptions options) {
        Objects.requireNonNull(handler, "handler");
        return engine.register(new ServiceBinding(descriptor, null, handler, Objects.requireNonNull(options, "options")));
    }

    /**
     * Registers a service reached through a transport, while the orchestrator runs; versions as for
     * {@link #registerService(ServiceDescriptor, TaskHandler, ServiceOptions)}. The orchestrator closes the transport
     * when it closes.
     *
     * @param descriptor name, description, version label and schemas
     * @param transport  delivers the service's task attempts
     * @param options    timeout, capacity, ...
     * @return the service's catalog version
     */
    public int registerRemoteService(ServiceDescriptor descriptor, TaskTransport transport, ServiceOptions options) {
        Objects.requireNonNull(transport, "transport");
        return engine.register(new ServiceBinding(descriptor, null, null, transport,
                Objects.requireNonNull(options, "options")));
    }

    /**
     * Inspects a run (what {@code orra inspect} shows): status, times, and every task with its attempts, execution
     * id, resolved input, output and last error.
     *
     * @param runId run id
     * @return the view, if the run is known (running, or ended within the retention window)
     */
    public Optional<RunView> inspect(String runId) {
        return engine.inspect(Objects.requireNonNull(runId, "runId"));
    }

    /**
     * Lists runs by status and time, newest first (what {@code orra ps} shows).
     *
     * @param query the filter and page
     * @return the runs' views
     */
    public List<RunView> runs(RunQuery query) {
        return engine.runs(Objects.requireNonNull(query, "query"));
    }

    /**
     * Resumes unfinished runs found in the store (done at build time unless turned off): completed tasks are not run
     * again; tasks that were running are dispatched again with the same execution id.
     *
     * @return how many runs were resumed
     */
    public int recover() {
        return engine.recover();
    }

    /**
     * The circuit breaker guarding a service: its state and metrics, and {@code reset()} / {@code forceOpen()}.
     *
     * @param service a registered service name
     * @return the breaker's view
     * @throws IllegalArgumentException if no such service is registered
     */
    public CircuitBreakerView circuitBreaker(String service) {
        return engine.breaker(Objects.requireNonNull(service, "service"))
                .orElseThrow(() -> new IllegalArgumentException("no service '" + service + "' is registered"));
    }

    /**
     * Tasks that exhausted their attempts, with their input, every attempt's error and their execution id.
     *
     * @return dead letters not yet redriven, oldest first, then by run id and task id; all of them (see
     *     {@link #deadLetters(DeadLetter, int)} for pages)
     */
    public List<DeadLetter> deadLetters() {
        return engine.deadLetters();
    }

    /**
     * A page of {@link #deadLetters()}, in the same order (oldest first, then by run id and task id), read with a
     * bounded query where the store has one (the JDBC store does): for a store that may hold many, page through
     * them with the last one of each page as the next page's {@code after}.
     *
     * @param after the last dead letter of the previous page, or {@code null} for the first page; it need not still
     *              be a dead letter (redriven or purged meanwhile)
     * @param limit the page's size, 1 to 10,000
     * @return up to {@code limit} dead letters after {@code after}
     * @throws IllegalArgumentException if {@code limit} is out of range
     */
    public List<DeadLetter> deadLetters(DeadLetter after, int limit) {
        return engine.deadLetters(after, limit);
    }

    /**
     * Executes a dead-lettered task again with the same execution id and resumes its (ended) run: tasks skipped
     * because of it run too, and the run ends again.
     *
     * @param deadLetter the dead letter
     * @return a handle to the resumed run
     */
    public RunHandle redrive(DeadLetter deadLetter) {
        Objects.requireNonNull(deadLetter, "deadLetter");
        return engine.redrive(deadLetter.runId(), deadLetter.taskId());
    }

    /**
     * Executes a dead-lettered task again; see {@link #redrive(DeadLetter)}.
     *
     * @param runId  the run
     * @param taskId the dead-lettered task
     * @return a handle to the resumed run
     */
    public RunHandle redrive(String runId, String taskId) {
        return engine.redrive(Objects.requireNonNull(runId, "runId"), Objects.requireNonNull(taskId, "taskId"));
    }

    /**
     * The orchestrator's load: active runs, running tasks, and per service its in-flight and queued tasks,
     * utilisation against capacity, breaker state, health and the tasks waiting for it to recover.
     *
     * @return a snapshot
     */
    public OrchestratorStatus status() {
        return engine.status();
    }

    /**
     * Stops accepting work, lets running tasks finish within the shutdown timeout; unfinished runs stay recoverable,
     * and result webhooks still being delivered are stopped (owed in the log, for the next orchestrator). Idempotent:
     * a call while another is under way returns once that one has finished. Called from a blocking handler, it waits
     * for the other running tasks only: the caller's task cannot finish before it returns, so its run is left
     * unfinished and recoverable, and its result is not recorded. Called from a listener, it does not wait for the
     * outcomes that the listener's own thread would record (of tasks of the listener's run that finish meanwhile):
     * they are not recorded, and the run stays recoverable.
     */
    @Override
    public void close() {
        engine.close();
    }

    /**
     * Builds an {@link Orchestrator}. Not thread-safe; each setting is checked as it is made.
     */
    public static final class Builder {
        /** The default {@link #healthWindow(Duration)}: 30 minutes. */
        public static final Duration DEFAULT_HEALTH_WINDOW = Duration.ofMinutes(30);

        private final Map<String, ServiceBinding> services = new LinkedHashMap<>();
        private final List<RunListener> listeners = new ArrayList<>();
        private final List<java.util.function.Consumer<? super CircuitBreakerTransition>> breakerListeners =
                new ArrayList<>();
        private RunStore store;
        private Clock clock;
        private Scheduler scheduler;
        private Executor executor;
        private int maxParallel;
        private ValueMapper valueMapper;
        private SchemaChecker schemaChecker;
        private ValidationLimits validationLimits = ValidationLimits.defaults();
        private Duration retention = Duration.ofHours(24);
        private Duration shutdownTimeout = Duration.ofSeconds(30);
        private boolean recoverOnStart = true;
        private int workerThreads = Workers.defaultPoolSize();
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private String instanceId;
        private Duration leaseDuration = Duration.ofSeconds(30);
        private CircuitBreakerConfig circuitBreaker = CircuitBreakerConfig.defaults();
        private Planner planner;
        private int planningAttempts = ActionPlanning.DEFAULT_ATTEMPTS;
        private final List<HealthSource> healthSources = new ArrayList<>();
        private Duration healthWindow = DEFAULT_HEALTH_WINDOW;
        private WebhookTransport webhooks;

        private Builder() {
        }

        /**
         * Registers an in-process service with a blocking handler and default options.
         *
         * @param name    service name, as plans name it
         * @param handler the handler
         * @return this builder
         */
        public Builder service(String name, TaskHandler handler) {
            return service(ServiceDescriptor.of(name), handler, ServiceOptions.defaults());
        }

        /**
         * Registers an in-process service with a blocking handler.
         *
         * @param descriptor name, description, version and schemas
         * @param handler    the handler
         * @param options    timeout, capacity, ...
         * @return this builder
         */
        public Builder service(ServiceDescriptor descriptor, TaskHandler handler, ServiceOptions options) {
            Objects.requireNonNull(handler, "handler");
            return bind(new ServiceBinding(descriptor, handler, null, Objects.requireNonNull(options, "options")));
        }

        /**
         * Registers an in-process service whose handler completes asynchronously.
         *
         * @param name    service name
         * @param handler the handler
         * @return this builder
         */
        public Builder asyncService(String name, AsyncTaskHandler handler) {
            return asyncService(ServiceDescriptor.of(name), handler, ServiceOptions.defaults());
        }

        /**
         * Registers an in-process service whose handler completes asynchronously.
         *
         * @param descriptor name, description, version and schemas
         * @param handler    the handler
         * @param options    timeout, capacity, ...
         * @return this builder
         */
        public Builder asyncService(ServiceDescriptor descriptor, AsyncTaskHandler handler, ServiceOptions options) {
            Objects.requireNonNull(handler, "handler");
            return bind(new ServiceBinding(descriptor, null, handler, Objects.requireNonNull(options, "options")));
        }

        /**
         * Registers a service reached through a transport (HTTP, a broker, ...). The orchestrator closes the
         * transport when it closes.
         *
         * @param descriptor name, description, version and schemas
         * @param transport  delivers the service's task attempts
         * @param options    timeout, capacity, ...
         * @return this builder
         */
        public Builder remoteService(ServiceDescriptor descriptor, TaskTransport transport, ServiceOptions options) {
            Objects.requireNonNull(transport, "transport");
            return bind(new ServiceBinding(descriptor, null, null, transport, Objects.requireNonNull(options, "options")));
        }

        private Builder bind(ServiceBinding b) {
            if (services.putIfAbsent(b.name(), b) != null) {
                throw new IllegalArgumentException("service '" + b.name() + "' is already registered");
            }
            return this;
        }

        /**
         * Gates dispatch on the health of remote services: while a source reports a service
         * {@link dev.baton.transport.ServiceHealth#UNHEALTHY UNHEALTHY}, that service's ready tasks wait in a FIFO
         * queue instead of using attempts (no thread is held), for at most the {@link #healthWindow health window};
         * when it recovers they proceed in order; a task still waiting when its window ends fails with
         * {@code SERVICE_UNHEALTHY}. A service is unhealthy while any source says so. Health per service is in
         * {@link Orchestrator#status()} and each change goes to {@link RunListener#onServiceHealth}. The orchestrator
         * subscribes at build time and unsubscribes when it closes; it neither starts nor closes the source (an
         * {@code HttpTransport} with health checks is closed with its services).
         *
         * @param source a health source, e.g. the HTTP adapter's {@code HttpTransport} with health checks or a
         *               {@code HealthMonitor}; may be called several times
         * @return this builder
         */
        public Builder healthSource(HealthSource source) {
            healthSources.add(Objects.requireNonNull(source, "source"));
            return this;
        }

        /**
         * @param window how long a task may wait for its unhealthy service to recover before it fails with
         *               {@code SERVICE_UNHEALTHY}; positive; default 30 minutes. Each wait is bounded on its own;
         *               the run timeout, if any, bounds them all.
         * @return this builder
         */
        public Builder healthWindow(Duration window) {
            Objects.requireNonNull(window, "healthWindow");
            if (window.isZero() || window.isNegative()) {
                throw new IllegalArgumentException("healthWindow must be positive, was " + window);
            }
            this.healthWindow = window;
            return this;
        }

        /**
         * Delivers the results of runs that have a webhook ({@link RunOptions.Builder#webhook} or the action's
         * webhook) when they end. Every attempt the transport reports is recorded in the run's log as a
         * {@code WebhookAttempted} event, after the run's terminal event; a delivery still owed when the process stops
         * is taken up again by {@link Orchestrator#recover()} (at build time by default), continuing the attempt count.
         * Without a webhook transport, a run's webhook is recorded as failed, not delivered. Unlike a service's
         * transport, the webhook transport is not closed by the orchestrator, since one sender may serve several
         * orchestrators: close it after the orchestrators that use it.
         *
         * @param transport e.g. the HTTP adapter's {@code WebhookSender} (signed, allow-listed, retried with backoff)
         * @return this builder
         */
        public Builder webhooks(WebhookTransport transport) {
            this.webhooks = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /**
         * @param policy how failed attempts are retried, for services that do not set their own (default:
         *               {@link RetryPolicy#defaults()}, 3 attempts with exponential backoff and jitter)
         * @return this builder
         */
        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = Objects.requireNonNull(policy, "retryPolicy");
            return this;
        }

        /**
         * @param config the circuit breaker each service gets unless it sets its own (default:
         *               {@link CircuitBreakerConfig#defaults()})
         * @return this builder
         */
        public Builder circuitBreaker(CircuitBreakerConfig config) {
            this.circuitBreaker = Objects.requireNonNull(config, "circuitBreaker");
            return this;
        }

        /**
         * @param maxParallel at most this many tasks run at once across all runs; at least 1 (default: no limit
         *                    beyond the executor)
         * @return this builder
         */
        public Builder maxParallel(int maxParallel) {
            if (maxParallel < 1) {
                throw new IllegalArgumentException("maxParallel must be >= 1, was " + maxParallel);
            }
            this.maxParallel = maxParallel;
            return this;
        }

        /**
         * @param listener receives every event of every run, in order per run
         * @return this builder
         */
        public Builder listener(RunListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * @param listener receives every state change of every service's circuit breaker (after it happened); a
         *                 listener that throws is logged and ignored
         * @return this builder
         */
        public Builder breakerListener(java.util.function.Consumer<? super CircuitBreakerTransition> listener) {
            breakerListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * @param store where runs are kept (default: a new in-memory store)
         * @return this builder
         */
        public Builder store(RunStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * @param executor runs blocking handlers (default: a virtual thread per task where the JVM has them, else a
         *                 bounded pool). The orchestrator does not shut a given executor down.
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * @param threads size of the fallback pool used when virtual threads are not available; at least 1 (default
         *                max(16, 8 &times; the available processors))
         * @return this builder
         */
        public Builder workerThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("workerThreads must be >= 1, was " + threads);
            }
            this.workerThreads = threads;
            return this;
        }

        /**
         * @param clock the time source for events, deadlines and retention (default: the system UTC clock)
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * A delay this scheduler refuses (it throws, as a shut-down executor does) is logged as an error and run on a
         * timer thread of the orchestrator's own instead, so that nothing waits for ever for it; a handle of null is
         * taken as scheduled, with nothing to cancel.
         *
         * @param scheduler runs delayed actions: retries, timeouts, purges (default: one timer thread owned by the
         *                  orchestrator)
         * @return this builder
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Uses a manual clock and scheduler: time moves only when the test advances it.
         *
         * @param time the manual time
         * @return this builder
         */
        public Builder time(ManualTime time) {
            Objects.requireNonNull(time, "time");
            return clock(time).scheduler(time);
        }

        /**
         * @param mapper converts handler results that are not plain JSON values (the JSON adapter has one)
         * @return this builder
         */
        public Builder valueMapper(ValueMapper mapper) {
            this.valueMapper = Objects.requireNonNull(mapper, "valueMapper");
            return this;
        }

        /**
         * @param checker checks task inputs against the services' JSON Schemas (the JSON adapter has one)
         * @return this builder
         */
        public Builder schemaChecker(SchemaChecker checker) {
            this.schemaChecker = Objects.requireNonNull(checker, "schemaChecker");
            return this;
        }

        /**
         * @param limits what a plan may hold before it is rejected with {@code LIMIT_EXCEEDED}: tasks, nesting depth,
         *               size and string length (default {@link ValidationLimits#defaults()}: 100,000 tasks, 64
         *               levels, 16 MiB, 1 MiB strings); submitted, planned and revised plans are all held to them
         * @return this builder
         */
        public Builder validationLimits(ValidationLimits limits) {
            this.validationLimits = Objects.requireNonNull(limits, "validationLimits");
            return this;
        }

        /**
         * @param retention how long a finished run and its results are kept at least (default 24 h); within it a
         *                  resubmitted run id returns the stored outcome, after it the id may be used again. Ended
         *                  runs are purged every 10 minutes (every {@code retention}, if that is shorter), so a run
         *                  stays readable, and its id taken, until the first purge after its retention has passed
         * @return this builder
         */
        public Builder retention(Duration retention) {
            Objects.requireNonNull(retention, "retention");
            if (retention.isNegative() || retention.isZero()) {
                throw new IllegalArgumentException("retention must be positive, was " + retention);
            }
            this.retention = retention;
            return this;
        }

        /**
         * @param timeout how long {@link #close()} waits for running tasks (default 30 s)
         * @return this builder
         */
        public Builder shutdownTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "shutdownTimeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("shutdownTimeout must not be negative, was " + timeout);
            }
            this.shutdownTimeout = timeout;
            return this;
        }

        /**
         * Runs this orchestrator as one of several instances sharing one store: each run is leased to the instance
         * that works on it and renewed while it does; an instance only appends to runs it holds, and takes over runs
         * whose lease expired (their instance died). Without an instance id, the orchestrator assumes it is the only
         * one on its store.
         *
         * @param id a stable id for this instance (reuse it across restarts to reclaim its own runs at once)
         * @return this builder
         */
        public Builder instanceId(String id) {
            Objects.requireNonNull(id, "instanceId");
            if (id.isBlank() || id.length() > 200) {
                throw new IllegalArgumentException("instanceId must have 1 to 200 characters, was '" + id + "'");
            }
            this.instanceId = id;
            return this;
        }

        /**
         * @param lease how long a run's lease lasts without renewal (default 30 s); renewed every third of it
         * @return this builder
         */
        public Builder leaseDuration(Duration lease) {
            Objects.requireNonNull(lease, "leaseDuration");
            if (lease.compareTo(Duration.ofMillis(300)) < 0) {
                throw new IllegalArgumentException("leaseDuration must be at least 300 ms, was " + lease);
            }
            this.leaseDuration = lease;
            return this;
        }

        /**
         * @param recover whether {@link #build()} resumes unfinished runs found in the store (default true)
         * @return this builder
         */
        public Builder recoverOnStart(boolean recover) {
            this.recoverOnStart = recover;
            return this;
        }

        /**
         * @param planner turns actions into plans for {@link Orchestrator#submit(Action)} (default: none)
         * @return this builder
         */
        public Builder planner(Planner planner) {
            this.planner = Objects.requireNonNull(planner, "planner");
            return this;
        }

        /**
         * @param attempts at most this many plans are asked for per action before the submission fails; at least 1
         *                 (default 3)
         * @return this builder
         */
        public Builder planningAttempts(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("planningAttempts must be >= 1, was " + attempts);
            }
            this.planningAttempts = attempts;
            return this;
        }

        /** @return the orchestrator, with unfinished runs in the store resumed unless turned off */
        public Orchestrator build() {
            List<ServiceDescriptor> descriptors = new ArrayList<>();
            for (ServiceBinding b : services.values()) {
                descriptors.add(b.descriptor());
            }
            ServiceCatalog catalog = ServiceCatalog.of(descriptors);
            PlanValidator.Builder vb = PlanValidator.builder().catalog(catalog).limits(validationLimits);
            if (schemaChecker != null) {
                vb.schemaChecker(schemaChecker);
            }
            boolean ownsScheduler = scheduler == null;
            Scheduler sched = ownsScheduler ? new SystemScheduler() : scheduler;
            boolean ownsWorkers = executor == null;
            Executor exec = ownsWorkers ? Workers.create(workerThreads) : executor;
            PlanValidator validator = vb.build();
            Engine engine = new Engine(new Engine.Config(services, validator, store == null ? new InMemoryRunStore() : store,
                    listeners, clock == null ? Clock.systemUTC() : clock, sched, ownsScheduler, exec, ownsWorkers,
                    maxParallel, valueMapper, retention, shutdownTimeout, retryPolicy, circuitBreaker, instanceId,
                    leaseDuration, List.copyOf(breakerListeners), List.copyOf(healthSources), healthWindow, webhooks));
            Orchestrator o = new Orchestrator(engine,
                    planner == null ? null : new PlanningLoop(planner, validator, catalog, planningAttempts));
            if (planner != null) {
                engine.replanWith(planner); // before recovery, which may resume runs waiting for a revision
            }
            if (recoverOnStart) {
                o.recover();
            }
            return o;
        }
    }
}
