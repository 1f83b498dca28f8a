package dev.baton.time;

/**
 * A scheduled action that can be called off.
 */
@FunctionalInterface
public interface Cancellable {

    /**
     * Calls the action off if it has not run yet. Idempotent.
     */
    void cancel();
}
