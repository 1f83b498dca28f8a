package dev.baton.metrics;

import dev.baton.CircuitBreakerState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The meters of one service (or of one of the catch-all buckets), made once and then only incremented: the hot path
 * looks this up by service name and touches no registry. Meters tagged with an outcome or a breaker transition are
 * registered when first needed, so a service shows only the outcomes it has had. Thread-safe.
 */
final class ServiceMeters {

    private static final int STATES = CircuitBreakerState.values().length;

    final String name;
    final Counter started;
    final Counter retries;
    final Counter deadLetters;
    final Counter skipped;

    private final MeterRegistry registry;
    private final Tags tags;
    private final AtomicReferenceArray<Counter> ended = new AtomicReferenceArray<>(Outcome.COUNT);
    private final AtomicReferenceArray<Timer> durations = new AtomicReferenceArray<>(Outcome.COUNT);
    private final AtomicReferenceArray<Counter> transitions = new AtomicReferenceArray<>(STATES * STATES);

    ServiceMeters(MeterRegistry registry, Tags common, String name) {
        this.registry = registry;
        this.name = name;
        this.tags = common.and(MeterNames.SERVICE, name);
        this.started = Counter.builder(MeterNames.ATTEMPTS_STARTED).tags(tags)
                .description("task attempts started").register(registry);
        this.retries = Counter.builder(MeterNames.RETRIES).tags(tags)
                .description("retries scheduled after a failed attempt").register(registry);
        this.deadLetters = Counter.builder(MeterNames.DEAD_LETTERS).tags(tags)
                .description("tasks that exhausted their attempts and went to the dead-letter list").register(registry);
        this.skipped = Counter.builder(MeterNames.SKIPPED).tags(tags)
                .description("tasks skipped because a task they depend on failed, or their run failed")
                .register(registry);
    }

    /** Counts one ended attempt and, when its start is known, its duration. */
    void ended(Outcome outcome, long nanos) {
        int i = outcome.ordinal();
        Counter c = ended.get(i);
        if (c == null) {
            c = Counter.builder(MeterNames.ATTEMPTS_ENDED).tags(tags).tag(MeterNames.OUTCOME, outcome.name())
                    .description("task attempts ended, by outcome").register(registry);
            ended.set(i, c); // a race registers the same meter twice: the registry hands back one instance
        }
        c.increment();
        if (nanos >= 0) {
            Timer t = durations.get(i);
            if (t == null) {
                t = Timer.builder(MeterNames.ATTEMPTS_DURATION).tags(tags).tag(MeterNames.OUTCOME, outcome.name())
                        .description("task attempt duration, from its start to its end, by the events' times")
                        .register(registry);
                durations.set(i, t);
            }
            t.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    /** Counts one state change of the service's circuit breaker. */
    void transition(CircuitBreakerState from, CircuitBreakerState to) {
        int i = from.ordinal() * STATES + to.ordinal();
        Counter c = transitions.get(i);
        if (c == null) {
            c = Counter.builder(MeterNames.BREAKER_TRANSITIONS).tags(tags)
                    .tag(MeterNames.FROM, from.name()).tag(MeterNames.TO, to.name())
                    .description("circuit breaker state changes").register(registry);
            transitions.set(i, c);
        }
        c.increment();
    }
}
