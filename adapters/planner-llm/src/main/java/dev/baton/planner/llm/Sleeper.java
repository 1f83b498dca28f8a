package dev.baton.planner.llm;

import java.time.Duration;

/**
 * Waits between retries. Injected so that tests never sleep.
 */
@FunctionalInterface
public interface Sleeper {

    /**
     * Waits.
     *
     * @param duration how long
     * @throws InterruptedException if the waiting thread is interrupted
     */
    void sleep(Duration duration) throws InterruptedException;

    /** @return a sleeper that parks the calling thread */
    static Sleeper system() {
        return d -> {
            long nanos = d.toNanos();
            long deadline = System.nanoTime() + nanos;
            while (nanos > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(nanos);
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while waiting to retry");
                }
                nanos = deadline - System.nanoTime();
            }
        };
    }
}
