package dev.baton.internal.engine;

import dev.baton.TaskContext;
import dev.baton.event.ErrorInfo;
import dev.baton.time.Cancellable;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One attempt of one task: the handler's context, and the race between the handler finishing, its timeout and its
 * run's cancellation. Exactly one of them decides the outcome; the admission slots are given back only when the
 * handler has actually returned, so a service's capacity is never exceeded by a hung call.
 */
final class Attempt implements TaskContext, Runnable {

    final RunExecution run;
    final int index;
    final int attempt;
    final ServiceBinding service;
    final Admission.Ticket ticket;
    final Map<String, Object> input;
    final Instant deadline;
    /**
     * Whether {@link #deadline} is the run's (its timeout ends first): then the run's own timer stops the attempt, and
     * the attempt arms none, so the run ends {@code RUN_TIMEOUT} whichever of two timers due at once would run first.
     */
    final boolean runsDeadline;
    final Instant startedAt;
    final Instant firstStartedAt;
    /** Whether the breaker let this attempt through (set before the handler is called). */
    volatile boolean permitted;

    /**
     * Whether the engine has handed this attempt to the handler executor: from then on {@link #run()} calls the
     * blocking handler instead of dispatching. Written before the hand-off, which publishes it to the worker.
     */
    boolean handedToWorker;

    private static final int DECIDED = 1;
    private static final int RELEASED = 2;
    private static final VarHandle FLAGS;
    private static final VarHandle RUNNER;
    /** {@link #runner}: an interrupt was asked for, and delivered if a thread was bound. */
    private static final Object INTERRUPTED = new Object();
    /** {@link #runner}: an interrupting thread is delivering the interrupt to the bound thread right now. */
    private static final Object INTERRUPTING = new Object();

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            FLAGS = lookup.findVarHandle(Attempt.class, "flags", int.class);
            RUNNER = lookup.findVarHandle(Attempt.class, "runner", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** DECIDED and RELEASED bits, each set once by compare-and-set (one field instead of two atomic objects). */
    private volatile int flags;
    /**
     * The worker thread running the blocking handler, null before and after it, or {@link #INTERRUPTED} /
     * {@link #INTERRUPTING}. Moved by compare-and-set, so binding and unbinding a thread takes no lock; the
     * {@code INTERRUPTING} state makes the worker wait for an interrupt in flight, so none lands on its next task.
     */
    private volatile Object runner;
    private Thread caller;                 // written and, by runsOn, read by that thread itself
    private CompletableFuture<?> stage;    // guarded by this
    private boolean interruptRequested;    // guarded by this
    volatile Cancellable timer;
    /** The output, and the next attempt on its run's stack of completions waiting to be drained (see onSuccess). */
    Object output;
    Attempt nextCompleted;

    Attempt(RunExecution run, int index, int attempt, ServiceBinding service, Admission.Ticket ticket,
            Map<String, Object> input, Instant deadline, boolean runsDeadline, Instant startedAt,
            Instant firstStartedAt) {
        this.run = run;
        this.index = index;
        this.attempt = attempt;
        this.service = service;
        this.ticket = ticket;
        this.input = input;
        this.deadline = deadline;
        this.runsDeadline = runsDeadline;
        this.startedAt = startedAt;
        this.firstStartedAt = firstStartedAt;
    }

    /** Claims the right to decide the outcome; true for exactly one caller. */
    boolean decide() {
        if (!setOnce(DECIDED)) {
            return false;
        }
        Cancellable t = timer;
        if (t != null) {
            t.cancel();
        }
        return true;
    }

    boolean isDecided() {
        return (flags & DECIDED) != 0;
    }

    /** Gives the slots back once; true for the one caller that did. */
    boolean releaseOnce() {
        return setOnce(RELEASED);
    }

    /** Whether the handler has returned (or its stage completed) and its slots were given back. */
    boolean isReleased() {
        return (flags & RELEASED) != 0;
    }

    private boolean setOnce(int bit) {
        while (true) {
            int f = flags;
            if ((f & bit) != 0) {
                return false;
            }
            if (FLAGS.compareAndSet(this, f, f | bit)) {
                return true;
            }
        }
    }

    /**
     * Whether this attempt's blocking handler, or its async handler's synchronous part, runs on {@code t}. Asked by that
     * thread only (a handler that closes the
     * orchestrator), which wrote the field itself, so the read needs no lock.
     */
    boolean runsOn(Thread t) {
        return runner == t || caller == t;
    }

    /**
     * Marks {@code t} as running the synchronous part of this attempt's async handler (null when it returned), so a
     * handler that closes the orchestrator from there is known as this attempt. Unlike {@link #bindThread}, an
     * interrupt never aims at it: the thread is the engine's or the caller's, not the handler's.
     */
    void callingOn(Thread t) {
        caller = t;
    }

    /** Binds the worker thread that calls the blocking handler; interrupts it at once if an interrupt came first. */
    void bindThread(Thread t) {
        if (!RUNNER.compareAndSet(this, null, t)) {
            t.interrupt(); // the only other state before binding is INTERRUPTED
        }
    }

    /** Clears the worker thread, and any interrupt aimed at this attempt, before the thread moves on. */
    void unbindThread() {
        Object r = runner;
        if (!(r instanceof Thread) || !RUNNER.compareAndSet(this, r, null)) {
            // an interrupt was delivered or is being delivered: wait until it has landed, then clear it below
            for (int spins = 0; runner == INTERRUPTING; spins++) {
                if (spins < 100) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }
        Thread.interrupted();
    }

    /** Interrupts the bound worker thread, or marks the attempt so a thread bound later is interrupted at once. */
    private void interruptRunner() {
        while (true) {
            Object r = runner;
            if (r instanceof Thread t) {
                if (RUNNER.compareAndSet(this, r, INTERRUPTING)) {
                    try {
                        t.interrupt();
                    } finally {
                        runner = INTERRUPTED;
                    }
                    return;
                }
            } else if (r == null) {
                if (RUNNER.compareAndSet(this, null, INTERRUPTED)) {
                    return;
                }
            } else {
                return; // already interrupted
            }
        }
    }

    synchronized void bindStage(CompletableFuture<?> f) {
        stage = f;
        if (interruptRequested) {
            cancel(f);
        }
    }

    /** Interrupts the handler: its thread, or its stage. */
    void interrupt() {
        interruptRunner();
        synchronized (this) {
            interruptRequested = true;
            if (stage != null) {
                cancel(stage);
            }
        }
    }

    /** Cancels a handler's stage; a stage whose cancel throws (a subclass may) must not stop the caller's work. */
    private void cancel(CompletableFuture<?> f) {
        try {
            f.cancel(true);
        } catch (RuntimeException | Error e) {
            run.engine.log.warn("run {}: cancelling the stage of task {} failed: {}", run.runId, taskId(),
                    e.toString());
        }
    }

    /**
     * Invokes the handler: what the run does with an attempt once its start is durable. Handed to the handler
     * executor afterwards, it calls the blocking handler.
     */
    @Override
    public void run() {
        if (handedToWorker) {
            run.engine.runBlocking(this);
            return;
        }
        try {
            run.engine.invoke(this);
        } catch (RuntimeException | Error e) {
            // its start is durable and nothing else would decide it: it fails for good (not retried, not a failure
            // of the service, whose breaker permission goes back)
            run.engine.log.error("run {}: dispatching attempt {} of task {} failed", run.runId, attempt, taskId(), e);
            run.engine.finished(this, null, new Aborted(ErrorInfo.of("INTERNAL_ERROR",
                    "dispatching the attempt failed: " + Failures.describe(e)), false));
        }
    }

    @Override
    public String runId() {
        return run.runId;
    }

    @Override
    public String taskId() {
        return run.graph.taskId(index);
    }

    @Override
    public String service() {
        return service.name();
    }

    @Override
    public String executionId() {
        return run.executionIds[index];
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public Map<String, Object> input() {
        return input;
    }

    @Override
    public Optional<Instant> deadline() {
        return Optional.ofNullable(deadline);
    }

    @Override
    public String correlationId() {
        return run.correlationId;
    }

    /** A timeout or cancellation decided the outcome. */
    static final class Aborted extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient ErrorInfo info;
        final boolean retryable;

        Aborted(ErrorInfo info, boolean retryable) {
            super(info.message(), null, false, false);
            this.info = info;
            this.retryable = retryable;
        }
    }

    @Override
    public String toString() {
        return "Attempt[" + executionId() + "#" + attempt + "]";
    }
}
