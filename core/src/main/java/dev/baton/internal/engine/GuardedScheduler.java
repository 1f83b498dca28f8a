package dev.baton.internal.engine;

import dev.baton.time.Cancellable;
import dev.baton.time.Scheduler;
import org.slf4j.Logger;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The orchestrator's scheduler as the engine calls it: the configured one, guarded. Every delay of the engine (a
 * retry's backoff, a timeout, a store append's retry, lease renewal, the purge) goes through it, and a delay the
 * configured scheduler refuses (it throws, say because its executor was shut down) would otherwise leave what waits
 * for it waiting for ever: a task in its retry wait, a run that never times out. Such a delay goes to a timer thread
 * of the engine's own instead, started on the first refusal, and the refusal is logged as an error (the first, then
 * every thousandth). A handle of null is taken as scheduled, with nothing to cancel: the action may still fire, and
 * every action checks whether it is still due.
 *
 * <p>Thread-safe. {@link #close()} stops the fallback timer and, if the engine owns it, the configured scheduler.
 */
final class GuardedScheduler implements Scheduler, AutoCloseable {

    private static final Cancellable NOTHING = () -> { };

    private final Scheduler delegate;
    private final boolean ownsDelegate;
    private final Logger log;
    private final AtomicLong refusals = new AtomicLong();
    private SystemScheduler fallback; // guarded by this
    private boolean closed;           // guarded by this

    GuardedScheduler(Scheduler delegate, boolean ownsDelegate, Logger log) {
        this.delegate = delegate;
        this.ownsDelegate = ownsDelegate;
        this.log = log;
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable action) {
        Tracked tracked = new Tracked(action);
        Cancellable handle;
        try {
            handle = delegate.schedule(delay, tracked);
        } catch (Throwable e) {
            if (tracked.started) {
                throw e; // a scheduler that runs a due action at once: the action ran, and this is its own failure
            }
            // an Error too: what waits for the delay would otherwise wait for ever; if the machine is out of memory
            // the fallback fails as well, and that failure is thrown
            long n = refusals.incrementAndGet();
            if (n == 1 || n % 1000 == 0) {
                log.error("the scheduler refused a delay ({} time(s) so far); the orchestrator's own timer runs it"
                        + " instead: {}", n, e.toString());
            }
            return fallback().schedule(delay, action);
        }
        return handle != null ? handle : NOTHING;
    }

    /** An action that says whether it has started, so that its own failure is not taken for a refusal. */
    private static final class Tracked implements Runnable {
        private final Runnable action;
        volatile boolean started;

        Tracked(Runnable action) {
            this.action = action;
        }

        @Override
        public void run() {
            started = true;
            action.run();
        }
    }

    /** @return how many delays the configured scheduler refused */
    long refusals() {
        return refusals.get();
    }

    private synchronized SystemScheduler fallback() {
        if (closed) {
            throw new RejectedExecutionException("the orchestrator is closed");
        }
        if (fallback == null) {
            fallback = new SystemScheduler();
        }
        return fallback;
    }

    @Override
    public void close() {
        SystemScheduler f;
        synchronized (this) {
            closed = true;
            f = fallback;
        }
        if (f != null) {
            f.close();
        }
        if (ownsDelegate && delegate instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("closing the scheduler failed", e);
            }
        }
    }
}
