package dev.baton.transport.http;

import dev.baton.transport.HealthListener;
import dev.baton.transport.HealthSource;
import dev.baton.transport.ServiceHealth;
import dev.baton.time.Cancellable;
import dev.baton.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Probes each monitored service every {@code interval} through an injected {@link Scheduler} and keeps its
 * {@link ServiceHealth}: {@link ServiceHealth#UNKNOWN} until the first probe completes, {@link ServiceHealth#HEALTHY}
 * after a successful probe, {@link ServiceHealth#UNHEALTHY} after {@code unhealthyAfter} failed probes in a row. A
 * probe not completed within {@code heartbeatTimeout} has failed. Listeners hear every change.
 *
 * <p>The monitor owns no thread: probes start on the scheduler's thread and complete wherever the probe completes
 * them. Nothing runs before {@link #start()}; {@link #close()} cancels the pending probes. Thread-safe.
 *
 * <pre>{@code
 * HealthMonitor monitor = HealthMonitor.builder()
 *     .services(Set.of("orders"))
 *     .probe(service -> checkSomehow(service))
 *     .scheduler(scheduler).clock(clock)
 *     .interval(Duration.ofSeconds(10)).heartbeatTimeout(Duration.ofSeconds(2))
 *     .build();
 * monitor.start();
 * }</pre>
 */
public final class HealthMonitor implements HealthSource, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HealthMonitor.class);

    private final Set<String> services;
    private final HealthProbe probe;
    private final Scheduler scheduler;
    private final Clock clock;
    private final Duration interval;
    private final Duration heartbeatTimeout;
    private final int unhealthyAfter;
    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final List<HealthListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean closed;

    private HealthMonitor(Builder b) {
        this.services = Set.copyOf(b.services);
        this.probe = b.probe;
        this.scheduler = b.scheduler;
        this.clock = b.clock;
        this.interval = b.interval;
        this.heartbeatTimeout = b.heartbeatTimeout;
        this.unhealthyAfter = b.unhealthyAfter;
        for (String s : services) {
            states.put(s, new State(s));
        }
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** Probes every service now and then every interval. Idempotent. */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        for (State s : states.values()) {
            s.scheduleNext(Duration.ZERO);
        }
    }

    /** @return the monitored services */
    public Set<String> services() {
        return services;
    }

    /** @return the probe interval */
    public Duration interval() {
        return interval;
    }

    /** @return how long a probe may take before it counts as failed */
    public Duration heartbeatTimeout() {
        return heartbeatTimeout;
    }

    @Override
    public ServiceHealth health(String service) {
        State s = states.get(service);
        return s == null ? ServiceHealth.UNKNOWN : s.current();
    }

    /** @return the current health of every monitored service */
    public Map<String, ServiceHealth> snapshot() {
        Map<String, ServiceHealth> out = new java.util.TreeMap<>();
        states.forEach((k, v) -> out.put(k, v.current()));
        return Map.copyOf(out);
    }

    @Override
    public Subscription subscribe(HealthListener listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                listeners.remove(listener);
            }
        };
    }

    /** Stops probing. Idempotent. */
    @Override
    public void close() {
        closed = true;
        for (State s : states.values()) {
            s.cancelTimers();
        }
    }

    @Override
    public String toString() {
        return "HealthMonitor[services=" + new java.util.TreeSet<>(services) + ", interval=" + interval
                + ", heartbeatTimeout=" + heartbeatTimeout + ", unhealthyAfter=" + unhealthyAfter + "]";
    }

    private void fire(String service, ServiceHealth from, ServiceHealth to) {
        java.time.Instant at = clock.instant();
        for (HealthListener l : listeners) {
            try {
                l.onChange(service, from, to, at);
            } catch (RuntimeException e) {
                log.warn("health listener failed for service {}: {}", service, e.getClass().getName());
            }
        }
    }

    /** Per-service state; the probe round counter fences late results of an earlier round. */
    private final class State {
        final String service;
        private ServiceHealth health = ServiceHealth.UNKNOWN;   // guarded by this
        private int failures;                                   // guarded by this
        private long round;                                     // guarded by this
        private Cancellable next;                               // guarded by this
        private Cancellable timeout;                            // guarded by this

        State(String service) {
            this.service = service;
        }

        synchronized ServiceHealth current() {
            return health;
        }

        synchronized void cancelTimers() {
            if (next != null) {
                next.cancel();
            }
            if (timeout != null) {
                timeout.cancel();
            }
        }

        void scheduleNext(Duration delay) {
            if (closed) {
                return;
            }
            Cancellable c = scheduler.schedule(delay, this::probeOnce);
            synchronized (this) {
                next = c;
            }
        }

        private void probeOnce() {
            if (closed) {
                return;
            }
            long r;
            synchronized (this) {
                r = ++round;
            }
            Cancellable t = scheduler.schedule(heartbeatTimeout, () -> outcome(r, false));
            synchronized (this) {
                timeout = t;
            }
            CompletionStage<Boolean> stage;
            try {
                stage = probe.probe(service);
            } catch (RuntimeException e) {
                outcome(r, false);
                return;
            }
            stage.whenComplete((ok, err) -> outcome(r, err == null && Boolean.TRUE.equals(ok)));
        }

        /** The first outcome of a round wins (result or heartbeat timeout); the next round is scheduled once. */
        private void outcome(long r, boolean up) {
            ServiceHealth from;
            ServiceHealth to;
            synchronized (this) {
                if (r != round || closed) {
                    return;
                }
                round++;                    // later outcomes of this round are ignored
                if (timeout != null) {
                    timeout.cancel();
                    timeout = null;
                }
                from = health;
                if (up) {
                    failures = 0;
                    health = ServiceHealth.HEALTHY;
                } else {
                    failures++;
                    if (failures >= unhealthyAfter) {
                        health = ServiceHealth.UNHEALTHY;
                    }
                }
                to = health;
            }
            scheduleNext(interval);         // before listeners, so a listener sees the next probe already due
            if (from != to) {
                fire(service, from, to);
            }
        }
    }

    /**
     * Builds a {@link HealthMonitor}. Not thread-safe; each setting is checked as it is made.
     */
    public static final class Builder {
        private final Set<String> services = new LinkedHashSet<>();
        private HealthProbe probe;
        private Scheduler scheduler;
        private Clock clock = Clock.systemUTC();
        private Duration interval = Duration.ofSeconds(10);
        private Duration heartbeatTimeout = Duration.ofSeconds(2);
        private int unhealthyAfter = 1;

        private Builder() {
        }

        /**
         * @param services services to monitor (added to those already set)
         * @return this builder
         */
        public Builder services(Set<String> services) {
            for (String s : services) {
                this.services.add(Objects.requireNonNull(s, "service"));
            }
            return this;
        }

        /**
         * @param probe how to check a service; required
         * @return this builder
         */
        public Builder probe(HealthProbe probe) {
            this.probe = Objects.requireNonNull(probe, "probe");
            return this;
        }

        /**
         * @param scheduler runs the probes and heartbeat timeouts; required ({@code ManualTime} in tests)
         * @return this builder
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * @param clock stamps health changes; default the system UTC clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param interval time between the end of one probe and the start of the next; positive; default 10 s
         * @return this builder
         */
        public Builder interval(Duration interval) {
            this.interval = positive("interval", interval);
            return this;
        }

        /**
         * @param timeout how long a probe may take before it counts as failed; positive; default 2 s
         * @return this builder
         */
        public Builder heartbeatTimeout(Duration timeout) {
            this.heartbeatTimeout = positive("heartbeatTimeout", timeout);
            return this;
        }

        /**
         * @param failures failed probes in a row that make a service unhealthy; at least 1; default 1
         * @return this builder
         */
        public Builder unhealthyAfter(int failures) {
            if (failures < 1) {
                throw new IllegalArgumentException("unhealthyAfter must be >= 1, was " + failures);
            }
            this.unhealthyAfter = failures;
            return this;
        }

        /** @return the monitor, not yet started */
        public HealthMonitor build() {
            if (probe == null) {
                throw new IllegalStateException("probe is required");
            }
            if (scheduler == null) {
                throw new IllegalStateException("scheduler is required");
            }
            return new HealthMonitor(this);
        }

        static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }
    }
}
