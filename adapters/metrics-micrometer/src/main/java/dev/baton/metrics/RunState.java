package dev.baton.metrics;

import dev.baton.plan.Plan;
import dev.baton.plan.Task;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the metrics keep of one run while it runs: which service each task calls (the plan in effect), when the run
 * was created, and the start of each attempt running now. Made at the run's first event, dropped at its end (or when
 * the binder drops it: see {@link BatonMetrics}). It is its own lock: a run's events come one at a time, so the lock
 * is uncontended except when the binder resolves or drops the state from another thread.
 */
final class RunState extends ReentrantLock {

    /** A creation time not known (the run was first seen after its creation, and not looked up). */
    static final long UNKNOWN = Long.MIN_VALUE;

    final String runId;

    // guarded by the lock
    private Plan plan;
    private Map<String, String> servicesByTask;
    /** Whether the services are known, or were looked up (successfully or not): nothing more to try. */
    boolean resolved;
    long createdNanos = UNKNOWN;
    /** The attempts running now, by task id: null until the first start. */
    HashMap<String, Running> running;
    /** Whether this state was made at the run's creation, so that it has seen every attempt start. */
    boolean fromCreation;
    boolean dropped;

    /** The time of the run's last event, by the events' clock: the order in which a full map is thinned. */
    volatile long lastAtNanos;
    /** The binder's idle epoch at the run's last event. */
    volatile long touchedEpoch;

    RunState(String runId, long atNanos, long epoch) {
        this.runId = runId;
        this.lastAtNanos = atNanos;
        this.touchedEpoch = epoch;
    }

    /** The run's plan in effect, from its creation or revision. Caller holds the lock. */
    void plan(Plan p) {
        plan = p;
        servicesByTask = null;
        resolved = true;
    }

    /** The services of the run's tasks, as a look-up found them. Caller holds the lock. */
    void services(Map<String, String> byTask) {
        if (plan == null) {
            servicesByTask = byTask;
        }
        resolved = true;
    }

    /**
     * @param taskId a task id
     * @return the service the task calls, or null when it is not known. Caller holds the lock.
     */
    String serviceOf(String taskId) {
        if (plan != null) {
            Task t = plan.task(taskId).orElse(null);
            return t == null ? null : t.service();
        }
        Map<String, String> m = servicesByTask;
        return m == null ? null : m.get(taskId);
    }

    /** @return how many attempts are running now. Caller holds the lock. */
    int runningCount() {
        return running == null ? 0 : running.size();
    }

    /** One running attempt: when it started, by its event's time, and the meters it counts in. */
    static final class Running {
        final long startNanos;
        /** Null while its service is not known yet: its start is counted once it is. */
        ServiceMeters meters;

        Running(long startNanos, ServiceMeters meters) {
            this.startNanos = startNanos;
            this.meters = meters;
        }
    }
}
