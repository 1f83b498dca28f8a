package dev.baton.transport.tck;

import dev.baton.time.Cancellable;
import dev.baton.time.ManualTime;
import dev.baton.transport.HealthListener;
import dev.baton.transport.HealthSource;
import dev.baton.transport.ServiceHealth;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * A health source whose checks take longer than a check interval: each check's answer is known only at the next
 * tick, and a change it found is told then, stamped with the time of the check that found it. Correct, if slow; with
 * {@code systemClock} it stamps changes with the system clock instead of its own, which is wrong.
 */
final class LateReportingSource implements HealthSource {

    private final String service;
    private final ManualTime time;
    private final Duration interval;
    private final BooleanSupplier healthy;
    private final boolean systemClock;
    private final List<HealthListener> listeners = new CopyOnWriteArrayList<>();
    private volatile ServiceHealth health = ServiceHealth.UNKNOWN;
    private Boolean pending;
    private Instant pendingAt;
    private volatile Cancellable next;

    LateReportingSource(String service, ManualTime time, Duration interval, BooleanSupplier healthy,
                        boolean systemClock) {
        this.service = service;
        this.time = time;
        this.interval = interval;
        this.healthy = healthy;
        this.systemClock = systemClock;
        next = time.schedule(interval, this::tick);
    }

    /** Tells the answer of the previous check, then starts the next one. */
    private void tick() {
        if (pending != null) {
            ServiceHealth now = pending ? ServiceHealth.HEALTHY : ServiceHealth.UNHEALTHY;
            ServiceHealth before = health;
            if (now != before) {
                health = now;
                Instant at = systemClock ? Instant.now() : pendingAt;
                for (HealthListener l : listeners) {
                    try {
                        l.onChange(service, before, now, at);
                    } catch (RuntimeException e) {
                        // a listener's failure is its own
                    }
                }
            }
        }
        pendingAt = time.instant();
        pending = healthy.getAsBoolean();
        next = time.schedule(interval, this::tick);
    }

    @Override
    public ServiceHealth health(String s) {
        return service.equals(s) ? health : ServiceHealth.UNKNOWN;
    }

    @Override
    public Subscription subscribe(HealthListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    void stop() {
        next.cancel();
    }
}
