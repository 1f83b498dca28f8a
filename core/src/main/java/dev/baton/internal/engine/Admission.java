package dev.baton.internal.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Admission control without parking threads: a task attempt needs a slot of its run (the run's maxParallel), of its
 * service (the service's capacity) and of the orchestrator (the global maxParallel). A task that finds a level full
 * waits in that level's FIFO queue; each released slot is handed to the longest waiter of that level first.
 *
 * <p>One lock guards the queues and every decision to take a slot of a level with a limit; callers start the returned
 * tasks outside it. A task none of whose levels has a limit (the default) takes its slots without the lock. Giving
 * a slot back takes no lock while no task waits anywhere (the usual case: every finished attempt gives its slots back,
 * and with one lock for the whole orchestrator that lock was taken once per task). The slot counters are atomic for
 * that, and {@link #queued} counts the waiting tasks. Both sides follow one order, so a release and a task about to
 * wait cannot miss each other: a task about to wait counts itself in {@code queued} first and reads the counter it
 * waits on after; a release lowers its counters first and reads {@code queued} after. If the release then sees a task
 * waiting, it takes the lock and hands its slots on as a locked release does; if it sees none, the waiting task saw
 * the freed slot and took it instead of waiting.
 */
final class Admission {

    /**
     * A task waiting for, or holding, slots. It names its run's gate itself (the run's own field), so the ticket alone
     * gives every level it holds a slot of.
     */
    record Ticket(RunExecution run, int task, ServiceGate service, RunGate gate) {
    }

    /** A service's capacity and FIFO queue. */
    static final class ServiceGate {
        final String name;
        final int capacity; // 0: unlimited
        final AtomicInteger running = new AtomicInteger();
        final ArrayDeque<Ticket> queue = new ArrayDeque<>();

        ServiceGate(String name, int capacity) {
            this.name = name;
            this.capacity = capacity;
        }

        boolean full() {
            return capacity > 0 && running.get() >= capacity;
        }
    }

    /** A run's limit and FIFO queue; owned by the run, guarded by the admission lock. */
    static final class RunGate {
        final int max; // 0: unlimited
        final AtomicInteger admitted = new AtomicInteger();
        int waitingForService; // of this run's tickets in service queues, so forget() can tell at once it has none
        int waitingForGlobal;  // of this run's tickets in the global queue, likewise
        /** Set (under the lock) once a ticket of the run waited in a queue: forget() skips the lock for the others. */
        volatile boolean everQueued;
        final ArrayDeque<Ticket> queue = new ArrayDeque<>();

        RunGate(int max) {
            this.max = max;
        }

        boolean full() {
            return max > 0 && admitted.get() >= max;
        }

        /** Counts a task admitted; a run without a limit counts nothing (no counter shared by its threads to move). */
        void take() {
            if (max > 0) {
                admitted.incrementAndGet();
            }
        }

        /** Uncounts a task admitted by {@link #take}. */
        void give() {
            if (max > 0) {
                admitted.decrementAndGet();
            }
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final int globalMax;
    private final AtomicInteger globalRunning = new AtomicInteger();
    private final ArrayDeque<Ticket> globalQueue = new ArrayDeque<>();
    /**
     * The tasks waiting in any queue, and those about to (counted before they look at the counter they would wait
     * on). Written under the lock, read without it by {@link #release}.
     */
    private volatile int queued;
    /** Written under the lock; read without it by {@link #release}, which takes the lock once the engine closes. */
    private volatile boolean closed;

    Admission(int globalMax) {
        this.globalMax = globalMax <= 0 ? Integer.MAX_VALUE : globalMax;
    }

    /**
     * Offers a ready task.
     *
     * @param t   the task
     * @param out tasks that got all their slots and must be started by the caller
     */
    void offer(Ticket t, List<Ticket> out) {
        if (enterUnlimited(t)) {
            out.add(t);
            return;
        }
        lock.lock();
        try {
            enterRun(t, out);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Offers several ready tasks of one run, in order.
     *
     * @param tickets the tasks
     * @param out     tasks to start
     */
    void offerAll(List<Ticket> tickets, List<Ticket> out) {
        List<Ticket> limited = null;
        for (int k = 0, n = tickets.size(); k < n; k++) {
            Ticket t = tickets.get(k);
            if (enterUnlimited(t)) {
                out.add(t);
            } else {
                if (limited == null) {
                    limited = new ArrayList<>(n - k);
                }
                limited.add(t);
            }
        }
        if (limited == null) {
            return;
        }
        lock.lock();
        try {
            for (Ticket t : limited) {
                enterRun(t, out);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes a ticket's slots without the lock when none of its levels has a limit (the default): such a ticket never
     * waits in a queue and takes no slot another task could wait for, so no decision needs the lock. Counts it as
     * running first and looks at {@link #closed} after, the order {@link #close} and {@link #running} see from the
     * other side: a ticket that saw the engine open is counted by a close that follows, and one that saw it closed
     * gives its counts back and goes the locked way, which keeps it waiting (the engine then signals its close, which
     * may have seen the count for a moment).
     *
     * @return whether the ticket got its slots; false if a level has a limit or the engine closed
     */
    private boolean enterUnlimited(Ticket t) {
        if (globalMax != Integer.MAX_VALUE || t.gate.max > 0 || t.service.capacity > 0 || closed) {
            return false;
        }
        t.gate.take();
        t.service.running.incrementAndGet();
        globalRunning.incrementAndGet();
        if (!closed) {
            return true;
        }
        globalRunning.decrementAndGet();
        t.service.running.decrementAndGet();
        t.gate.give();
        return false;
    }

    /**
     * Gives back the slots of a task attempt that has finished (or never started), and hands them on; takes no lock
     * and allocates nothing when no one waits (the usual case).
     *
     * @param t the task that held the slots
     * @return tasks that got their slots and must be started, often an empty list
     */
    List<Ticket> release(Ticket t) {
        if (queued == 0 && !closed) {
            globalRunning.decrementAndGet();
            t.service.running.decrementAndGet();
            t.gate.give();
            if (queued == 0) {
                return List.of(); // whoever is about to wait reads the counters after counting itself: it saw these
            }
            // a task began to wait meanwhile, maybe for one of the slots just given back: hand them on as below
            lock.lock();
            try {
                List<Ticket> out = new ArrayList<>(2);
                handOn(t, out);
                return out;
            } finally {
                lock.unlock();
            }
        }
        lock.lock();
        try {
            globalRunning.decrementAndGet();
            t.service.running.decrementAndGet();
            t.gate.give();
            if (globalQueue.isEmpty() && t.service.queue.isEmpty() && t.gate.queue.isEmpty()) {
                return List.of();
            }
            List<Ticket> out = new ArrayList<>(2);
            handOn(t, out);
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Hands the slots {@code t} gave back to the longest waiters of its levels. Caller holds the lock. */
    private void handOn(Ticket t, List<Ticket> out) {
        RunGate rg = t.gate;
        // Longest waiters first: the global queue, then the service's, then the run's.
        if (!closed && !globalQueue.isEmpty() && globalRunning.get() < globalMax) {
            globalRunning.incrementAndGet();
            Ticket next = globalQueue.poll();
            next.gate.waitingForGlobal--;
            out.add(next);
            queued--;
        }
        if (!t.service.queue.isEmpty() && !t.service.full()) {
            Ticket next = t.service.queue.poll();
            queued--;
            next.gate.waitingForService--;
            t.service.running.incrementAndGet();
            enterGlobal(next, out);
        }
        if (!rg.queue.isEmpty() && !rg.full()) {
            Ticket next = rg.queue.poll();
            queued--;
            enterRun(next, out);
        }
    }

    private void enterRun(Ticket t, List<Ticket> out) {
        RunGate rg = t.gate;
        if (rg.max > 0) {
            queued++; // before looking at the counter: see the class comment
            if (rg.admitted.get() >= rg.max) {
                rg.everQueued = true;
                rg.queue.add(t);
                return;
            }
            queued--;
        }
        rg.take();
        if (t.service.capacity > 0) {
            queued++;
            if (t.service.running.get() >= t.service.capacity) {
                rg.everQueued = true;
                t.service.queue.add(t);
                rg.waitingForService++;
                return;
            }
            queued--;
        }
        t.service.running.incrementAndGet();
        enterGlobal(t, out);
    }

    private void enterGlobal(Ticket t, List<Ticket> out) {
        if (closed) {
            queued++;
            waitForGlobal(t);
            return;
        }
        if (globalMax != Integer.MAX_VALUE) {
            queued++;
            if (globalRunning.get() >= globalMax) {
                waitForGlobal(t);
                return;
            }
            queued--;
        }
        globalRunning.incrementAndGet();
        out.add(t);
    }

    /** Queues a ticket that holds its run's and its service's slots for a global one. Caller holds the lock. */
    private void waitForGlobal(Ticket t) {
        t.gate.everQueued = true;
        t.gate.waitingForGlobal++;
        globalQueue.add(t);
    }

    /**
     * Takes the tickets of a run that can no longer start them (it ended, or a revision replaced it) out of its own,
     * its services' and the global queue: otherwise they would count as queued, and keep the run in memory, until
     * each reached the head of its queue only to give its slot back. Tickets in the run's and the services' queues
     * hold no service or global slot, so nothing is handed on. Those in the global queue hold their service's slot
     * (they are shown running there, and keep the service's other tasks waiting): it is given back and handed to the
     * service's next waiter, which then waits for a global slot in turn. It cannot take one at once: the global
     * queue holds tickets only while every global slot is taken (each release serves it first), so nothing here
     * starts a task and the caller may hold locks.
     *
     * @param run the run
     */
    void forget(RunExecution run) {
        if (!run.gate.everQueued) {
            return; // most runs never wait for a slot: no lock at their end (the flag is set under the lock before
                    // a ticket is queued, and a run that ends queues nothing more)
        }
        lock.lock();
        try {
            RunGate rg = run.gate;
            queued -= rg.queue.size();
            rg.queue.clear(); // they hold nothing yet
            if (rg.waitingForService > 0) {
                // only now: a run's end usually finds nothing queued
                for (ServiceGate g : run.serviceParts(b -> b.gate)) {
                    for (java.util.Iterator<Ticket> it = g.queue.iterator();
                         it.hasNext() && rg.waitingForService > 0; ) {
                        if (it.next().gate == rg) {
                            it.remove();
                            queued--;
                            rg.waitingForService--;
                            rg.give();
                        }
                    }
                }
            }
            // after the services' queues, so the slots these give back go to other runs' tasks only
            if (rg.waitingForGlobal > 0) {
                forgetGlobalWaiters(rg);
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@link #forget} for a run's tickets in the global queue. Caller holds the lock. */
    private void forgetGlobalWaiters(RunGate rg) {
        List<ServiceGate> freed = new ArrayList<>(rg.waitingForGlobal);
        for (java.util.Iterator<Ticket> it = globalQueue.iterator(); it.hasNext() && rg.waitingForGlobal > 0; ) {
            Ticket t = it.next();
            if (t.gate == rg) {
                it.remove();
                queued--;
                rg.waitingForGlobal--;
                rg.give();
                t.service.running.decrementAndGet();
                freed.add(t.service);
            }
        }
        for (ServiceGate g : freed) {
            if (!g.queue.isEmpty() && !g.full()) {
                Ticket next = g.queue.poll();
                next.gate.waitingForService--;
                g.running.incrementAndGet();
                waitForGlobal(next); // still counted in queued: it moves from one queue to another
            }
        }
    }

    /** Stops handing out slots: tasks still waiting stay pending (recoverable). */
    void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    /** @return running task count across the orchestrator */
    int running() {
        // with the locked decisions to take a slot settled: close() looks at this while tasks still start (a task
        // without limits counts itself before it reads the close flag, see enterUnlimited)
        lock.lock();
        try {
            return globalRunning.get();
        } finally {
            lock.unlock();
        }
    }


    /**
     * Snapshot of a service gate.
     *
     * @param gate the gate
     * @return {running, queued}
     */
    int[] serviceLoad(ServiceGate gate) {
        lock.lock();
        try {
            return new int[]{gate.running.get(), gate.queue.size()};
        } finally {
            lock.unlock();
        }
    }
}
