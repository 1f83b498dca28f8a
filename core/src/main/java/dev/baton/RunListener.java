package dev.baton;

import dev.baton.event.RunEvent;

/**
 * Receives every event of every run, in order per run, after the event is written to the store.
 *
 * <p>Events of one run are delivered one at a time, in log order; events of different runs may be delivered
 * concurrently. A listener should be quick (it delays the next event of the run, not the run itself). A listener
 * that throws is logged and ignored: it never breaks a run.
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
