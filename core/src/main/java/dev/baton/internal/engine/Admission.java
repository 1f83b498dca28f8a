package dev.baton.internal.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Admission control without parking threads: a task attempt needs a slot of its run (the run's maxParallel), of its
 * service (the service's capacity) and of the orchestrator (the global maxParallel). A task that finds a level full
 * waits in that level's FIFO queue; each released slot is handed to the longest waiter of that level first.
 *
 * <p>One lock guards all counters; callers start the returned tasks outside it.
 */
final class Admission {

    /** A task waiting for, or holding, slots. */
    record Ticket(RunExecution run, int task, ServiceGate service) {
    }

    /** A service's capacity and FIFO queue. */
    static final class ServiceGate {
        final String name;
        final int capacity; // 0: unlimited
        int running;
        final ArrayDeque<Ticket> queue = new ArrayDeque<>();

        ServiceGate(String name, int capacity) {
            this.name = name;
            this.capacity = capacity;
        }

        boolean full() {
            return capacity > 0 && running >= capacity;
        }
    }

    /** A run's limit and FIFO queue; owned by the run, guarded by the admission lock. */
    static final class RunGate {
        final int max; // 0: unlimited
        int admitted;
        int waitingForService; // of this run's tickets in service queues, so forget() can tell at once it has none
        /** Set (under the lock) once a ticket of the run waited in a queue: forget() skips the lock for the others. */
        volatile boolean everQueued;
        final ArrayDeque<Ticket> queue = new ArrayDeque<>();

        RunGate(int max) {
            this.max = max;
        }

        boolean full() {
            return max > 0 && admitted >= max;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final int globalMax;
    private int globalRunning;
    private final ArrayDeque<Ticket> globalQueue = new ArrayDeque<>();
    private boolean closed;

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
        lock.lock();
        try {
            for (Ticket t : tickets) {
                enterRun(t, out);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Gives back the slots of a task attempt that has finished (or never started), and hands them on; allocates
     * nothing when no one waits (the usual case).
     *
     * @param t the task that held the slots
     * @return tasks that got their slots and must be started, often an empty list
     */
    List<Ticket> release(Ticket t) {
        lock.lock();
        try {
            if (globalQueue.isEmpty() && t.service.queue.isEmpty() && t.run.gate.queue.isEmpty()) {
                globalRunning--;
                t.service.running--;
                t.run.gate.admitted--;
                return List.of();
            }
            List<Ticket> out = new ArrayList<>(2);
            releaseLocked(t, out);
            return out;
        } finally {
            lock.unlock();
        }
    }

    private void releaseLocked(Ticket t, List<Ticket> out) {
        globalRunning--;
        t.service.running--;
        RunGate rg = t.run.gate;
        rg.admitted--;
        // Longest waiters first: the global queue, then the service's, then the run's.
        if (!closed && !globalQueue.isEmpty() && globalRunning < globalMax) {
            globalRunning++;
            out.add(globalQueue.poll());
        }
        if (!t.service.queue.isEmpty() && !t.service.full()) {
            Ticket next = t.service.queue.poll();
            next.run.gate.waitingForService--;
            t.service.running++;
            enterGlobal(next, out);
        }
        if (!rg.queue.isEmpty() && !rg.full()) {
            enterRun(rg.queue.poll(), out);
        }
    }

    private void enterRun(Ticket t, List<Ticket> out) {
        RunGate rg = t.run.gate;
        if (rg.full()) {
            rg.everQueued = true;
            rg.queue.add(t);
            return;
        }
        rg.admitted++;
        if (t.service.full()) {
            rg.everQueued = true;
            t.service.queue.add(t);
            rg.waitingForService++;
            return;
        }
        t.service.running++;
        enterGlobal(t, out);
    }

    private void enterGlobal(Ticket t, List<Ticket> out) {
        if (closed || globalRunning >= globalMax) {
            globalQueue.add(t);
            return;
        }
        globalRunning++;
        out.add(t);
    }

    /**
     * Takes the tickets of a run that can no longer start them (it ended, or a revision replaced it) out of its own
     * and its services' queues: otherwise they would count as queued, and keep the run in memory, until each reached
     * the head of its queue only to give its slot back. Those tickets hold no service or global slot, so nothing is
     * handed on; tickets waiting for a global slot are left to be given back when served.
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
            rg.queue.clear(); // they hold nothing yet
            if (rg.waitingForService == 0) {
                return;
            }
            for (ServiceGate g : run.serviceParts(b -> b.gate)) { // only now: a run's end usually finds nothing queued
                for (java.util.Iterator<Ticket> it = g.queue.iterator(); it.hasNext() && rg.waitingForService > 0; ) {
                    if (it.next().run == run) {
                        it.remove();
                        rg.waitingForService--;
                        rg.admitted--;
                    }
                }
            }
        } finally {
            lock.unlock();
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
        lock.lock();
        try {
            return globalRunning;
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
            return new int[]{gate.running, gate.queue.size()};
        } finally {
            lock.unlock();
        }
    }
}
