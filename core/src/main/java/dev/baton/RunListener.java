package dev.baton;

import dev.baton.event.RunEvent;

/**
 * Receives every event of every run, in order per run, after the event is written to the store.
 *
 * <p>Events of one run are delivered one at a time, in log order; events of different runs may be delivered
 * concurrently. An event is delivered on the thread that made it durable ({@code submit()}'s own for the run's
 * creation, a handler's for its completion), before that thread goes on with the work that waited for the write:
 * a slow listener slows its run (one that blocks on a run's first event holds up {@code submit()} and the run's
 * start), and the events other threads of the run make durable meanwhile queue behind it, without a bound. So keep a
 * listener quick, or hand the events to a queue of your own. A listener that throws is logged and ignored: it never
 * breaks a run.
 *
 * <p>A run's handle completes only once its listeners have heard its end and every event before it, on whichever
 * thread delivers them: what follows the end (a redrive of its dead letters, say) is never heard before it. A
 * redrive's {@code TaskRedriven}, and the failure recorded for an event the store refused, are heard before anything
 * of the run they resume, a cancel on another thread included.
 */
@FunctionalInterface
public interface RunListener {

    /**
     * @param event the event, already durable
     */
    void onEvent(RunEvent event);

    /**
     * A remote service's health changed (see {@link Orchestrator.Builder#healthSource}). Not a run event: it is not
     * in any run's log. Called on the thread that reported the change; the default does nothing.
     *
     * @param change the change
     */
    default void onServiceHealth(ServiceHealthChange change) {
    }
}
