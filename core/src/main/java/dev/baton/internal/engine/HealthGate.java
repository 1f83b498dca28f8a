package dev.baton.internal.engine;

import dev.baton.ServiceHealthChange;
import dev.baton.event.ErrorInfo;
import dev.baton.time.Cancellable;
import dev.baton.transport.HealthSource;
import dev.baton.transport.ServiceHealth;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Holds the tasks of unhealthy services back without parking threads or using attempts: a ready task whose service
 * is unhealthy waits in that service's FIFO queue, bounded by the health window. When the service's health sources
 * stop reporting it unhealthy, its waiting tasks are offered to admission again, oldest first; a task still waiting
 * when its window ends fails with {@code SERVICE_UNHEALTHY}.
 *
 * <p>A service is unhealthy while any source says {@link ServiceHealth#UNHEALTHY}; healthy when none does and one
 * says {@link ServiceHealth#HEALTHY}; else unknown. The window bounds each wait: a task released on recovery that
 * finds its service unhealthy again waits anew. One lock per service guards its queue.
 */
final class HealthGate implements AutoCloseable {

    static final String CODE = "SERVICE_UNHEALTHY";

    /** One service's health and waiting tasks. */
    static final class Waiting {
        final String service;
        volatile boolean unhealthy;                      // read without the lock on the dispatch path
        ServiceHealth health = ServiceHealth.UNKNOWN;    // guarded by this
        final ArrayDeque<Entry> queue = new ArrayDeque<>(); // guarded by this

        Waiting(String service) {
            this.service = service;
        }
    }

    /** A task waiting for its service to recover. */
    static final class Entry {
        final Admission.Ticket ticket;
        Cancellable timer;                               // guarded by the Waiting

        Entry(Admission.Ticket ticket) {
            this.ticket = ticket;
        }
    }

    private final Engine engine;
    private final List<HealthSource> sources;
    private final Duration window;
    private volatile Map<String, Waiting> byService = new LinkedHashMap<>();
    private volatile boolean started;
    private final List<HealthSource.Subscription> subscriptions = new ArrayList<>();
    private volatile boolean closed;

    HealthGate(Engine engine, List<HealthSource> sources, Duration window) {
        this.engine = engine;
        this.sources = List.copyOf(sources);
        this.window = window;
    }

    /**
     * Gates a binding: every version of a service shares one health state and one queue. Called for the services
     * given at build time and for each one registered later; a service first seen after {@link #start()} reads its
     * current health at once.
     */
    void attach(ServiceBinding b) {
        Waiting w;
        boolean fresh;
        synchronized (this) {
            w = byService.get(b.name());
            fresh = w == null;
            if (fresh) {
                w = new Waiting(b.name());
                // copy on write: readers (health reports, status) iterate a stable map without a lock
                Map<String, Waiting> next = new LinkedHashMap<>(byService);
                next.put(b.name(), w);
                byService = next;
            }
        }
        b.health = w;
        if (fresh && started) {
            changed(b.name(), engine.now());
        }
    }

    /** Subscribes, then reads the current health (a change in between is seen by the listener). */
    void start() {
        started = true;
        for (HealthSource s : sources) {
            subscriptions.add(s.subscribe((service, previous, current, at) -> changed(service, at)));
        }
        for (Waiting w : byService.values()) {
            changed(w.service, engine.now());
        }
    }

    /**
     * Holds back the tickets of unhealthy services.
     *
     * @param tickets ready tasks
     * @return the tickets to offer to admission now (the same list when none is held)
     */
    List<Admission.Ticket> admitOrHold(List<Admission.Ticket> tickets) {
        List<Admission.Ticket> pass = null;
        for (int k = 0, n = tickets.size(); k < n; k++) {
            Admission.Ticket t = tickets.get(k);
            boolean held = hold(t);
            if (held && pass == null) {
                pass = new ArrayList<>(tickets.subList(0, k));
            } else if (!held && pass != null) {
                pass.add(t);
            }
        }
        return pass == null ? tickets : pass;
    }

    /**
     * Holds a ticket back if its service is unhealthy.
     *
     * @param t a task that is ready, or that admission has just granted slots (the caller then gives them back)
     * @return true if it waits now
     */
    boolean hold(Admission.Ticket t) {
        Waiting w = t.run().services[t.task()].health;
        if (w == null || !w.unhealthy || closed) {
            return false;
        }
        Entry e = new Entry(t);
        t.run().everHeld = true; // before it is queued: forget() skips only runs that never waited
        synchronized (w) {
            if (!w.unhealthy) {
                return false;   // recovered meanwhile
            }
            w.queue.add(e);
            e.timer = engine.scheduler.schedule(window, () -> expire(w, e));
        }
        if (t.run().retired) {
            // the run ended while this was queued, perhaps after forget() had looked: take it out again
            synchronized (w) {
                if (w.queue.remove(e)) {
                    e.timer.cancel();
                }
            }
            return true;    // held: a retired run's task is not admitted
        }
        if (engine.log.isDebugEnabled()) {
            engine.log.debug("task {} of run {} waits for service {} to recover", t.run().graph.taskId(t.task()),
                    t.run().runId, w.service);
        }
        return true;
    }

    /**
     * Drops the waiting entries of a run that has stopped, ended or left this instance, and cancels their timers, so
     * that neither the queues nor the timers keep the run referenced until its window ends. The other entries keep
     * their order and their windows. Called after the run is {@code retired}: an entry queued meanwhile
     * is either seen here or sees that flag in {@code hold} and takes itself out.
     *
     * @param run the run whose tasks no longer wait
     */
    void forget(RunExecution run) {
        if (!run.everHeld) {
            // never waited (the common case): nothing to scan. A task being queued right now has set the flag
            // first and sees the run retired after queueing, so it takes itself out
            return;
        }
        for (Waiting w : run.serviceParts(b -> b.health)) { // each queue once, however many tasks use its service
            synchronized (w) {
                for (java.util.Iterator<Entry> it = w.queue.iterator(); it.hasNext(); ) {
                    Entry e = it.next();
                    if (e.ticket.run() == run) {
                        it.remove();
                        e.timer.cancel();
                    }
                }
            }
        }
    }

    private void expire(Waiting w, Entry e) {
        synchronized (w) {
            if (!w.queue.remove(e)) {
                return;         // released already
            }
        }
        e.ticket.run().failWaiting(e.ticket.task(), ErrorInfo.of(CODE, "service '" + w.service
                + "' stayed unhealthy for " + window + "; the task was not attempted meanwhile"));
    }

    /** A source reported a change for a service: recompute, and release its waiting tasks once it is not unhealthy. */
    private void changed(String service, Instant at) {
        Waiting w = byService.get(service);
        if (w == null || closed) {
            return;
        }
        ServiceHealth now;
        ServiceHealth before;
        List<Entry> released = List.of();
        int waiting;
        synchronized (w) {
            // read under the lock: concurrent reports apply in the order they read the sources, the last one wins
            now = combined(service);
            before = w.health;
            if (before == now) {
                return;
            }
            w.health = now;
            w.unhealthy = now == ServiceHealth.UNHEALTHY;
            if (!w.unhealthy && !w.queue.isEmpty()) {
                released = new ArrayList<>(w.queue);
                w.queue.clear();
                for (Entry e : released) {
                    e.timer.cancel();
                }
            }
            waiting = w.queue.size();
        }
        if (now == ServiceHealth.UNHEALTHY) {
            engine.log.warn("service {} is unhealthy; its tasks wait up to {} for it to recover", service, window);
        } else {
            engine.log.info("service {} is {} (was {}); {} waiting task(s) proceed", service, now, before,
                    released.size());
        }
        for (Entry e : released) {
            try {
                engine.admit(List.of(e.ticket)); // one by one, oldest first: admission keeps the order
            } catch (RuntimeException | Error ex) {
                // it is out of the queue with its timer cancelled: it fails rather than wait for ever, and one failure
                // must not strand the tasks released after it
                engine.log.error("service {}: starting a released task of run {} failed", service, e.ticket.run().runId,
                        ex);
                try {
                    e.ticket.run().failWaiting(e.ticket.task(), ErrorInfo.of("INTERNAL_ERROR",
                            "starting the task after its service recovered failed: " + ex));
                } catch (RuntimeException | Error again) {
                    engine.log.error("run {}: failing the task that could not start failed too",
                            e.ticket.run().runId, again);
                }
            }
        }
        engine.publishHealth(new ServiceHealthChange(service, before, now, at, waiting));
    }

    private ServiceHealth combined(String service) {
        ServiceHealth out = ServiceHealth.UNKNOWN;
        for (HealthSource s : sources) {
            ServiceHealth h;
            try {
                h = s.health(service);
            } catch (RuntimeException | Error e) {
                engine.log.warn("health source {} failed for service {}: {}", s, service, Failures.describe(e));
                continue;
            }
            if (h == ServiceHealth.UNHEALTHY) {
                return h;
            }
            if (h == ServiceHealth.HEALTHY) {
                out = h;
            }
        }
        return out;
    }

    /** A service's health and how many of its tasks wait. */
    record Load(ServiceHealth health, int waiting) {
    }

    /**
     * @param w a service's state
     * @return its health and waiting tasks
     */
    static Load load(Waiting w) {
        synchronized (w) {
            return new Load(w.health, w.queue.size());
        }
    }

    /** Unsubscribes and stops the timers; tasks still waiting stay pending in the log (recoverable). */
    @Override
    public void close() {
        closed = true;
        for (HealthSource.Subscription s : subscriptions) {
            try {
                s.close();
            } catch (RuntimeException | Error e) {
                engine.log.debug("unsubscribing from a health source failed: {}", e.toString());
            }
        }
        for (Waiting w : byService.values()) {
            synchronized (w) {
                for (Entry e : w.queue) {
                    e.timer.cancel();
                }
                w.queue.clear();
            }
        }
    }
}
