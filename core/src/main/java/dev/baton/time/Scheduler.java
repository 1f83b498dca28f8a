package dev.baton.time;

import java.time.Duration;

/**
 * Runs actions after a delay. The orchestrator never sleeps or parks a thread to wait: every delay (backoff, timeout,
 * breaker wait, retention) goes through its scheduler. Implementations must be thread-safe; actions must be quick
 * (they hand work to executors).
 */
public interface Scheduler {

    /**
     * Schedules an action.
     *
     * @param delay  how long from now; zero or negative runs it as soon as possible
     * @param action what to run
     * @return a handle to call it off
     */
    Cancellable schedule(Duration delay, Runnable action);
}
