package dev.baton.internal.engine;

import dev.baton.time.Cancellable;
import dev.baton.time.Scheduler;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The default scheduler: one daemon timer thread owned (and closed) by the orchestrator. Actions only hand work on.
 */
public final class SystemScheduler implements Scheduler, AutoCloseable {

    private final ScheduledThreadPoolExecutor timer;

    /** Starts the timer thread. */
    public SystemScheduler() {
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "baton-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable action) {
        long nanos = Math.max(0, saturatedNanos(delay));
        ScheduledFuture<?> f = timer.schedule(action, nanos, TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? 0 : Long.MAX_VALUE / 2;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
