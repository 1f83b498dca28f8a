package dev.baton.internal.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Admission's slots are given back without its lock while no task waits. These tests race that against tasks that
 * are about to wait, directly on the class, many times over: a freed slot that no one hands on leaves a task waiting
 * for ever, a slot handed out twice exceeds its limit.
 */
class AdmissionTest {

    private static final int THREADS = 2;
    private static final int ROUNDS = 50_000;

    @Test
    void aServiceAtCapacityNeverLosesAFreedSlotToARacingWaiter() throws Exception {
        Admission admission = new Admission(0);
        Admission.ServiceGate service = new Admission.ServiceGate("s", 1);
        race(admission, () -> new Admission.Ticket(null, 0, service, new Admission.RunGate(0)), service, 1);
    }

    @Test
    void aFullGlobalLimitNeverLosesAFreedSlotToARacingWaiter() throws Exception {
        Admission admission = new Admission(2);
        Admission.ServiceGate service = new Admission.ServiceGate("s", 0);
        race(admission, () -> new Admission.Ticket(null, 0, service, new Admission.RunGate(0)), null, 2);
    }

    @Test
    void aRunAtItsLimitNeverLosesAFreedSlotToARacingWaiter() throws Exception {
        Admission admission = new Admission(0);
        Admission.ServiceGate service = new Admission.ServiceGate("s", 0);
        Admission.RunGate run = new Admission.RunGate(1);
        race(admission, () -> new Admission.Ticket(null, 0, service, run), null, 1);
    }

    @Test
    void aTaskWithoutLimitsTakesItsSlotsWithoutTheLockAndGivesThemBack() throws Exception {
        Admission admission = new Admission(0);
        Admission.ServiceGate service = new Admission.ServiceGate("s", 0);
        race(admission, () -> new Admission.Ticket(null, 0, service, new Admission.RunGate(0)), service,
                THREADS);
    }

    /**
     * An offer without limits takes its slots without the lock, so it can race the engine's close. A close that then
     * counts the running tasks must count every task the offer let start (or close would detach its run while its
     * handler runs); a task that meets the close is kept waiting and holds nothing.
     */
    @Test
    void anOfferWithoutLimitsThatRacesCloseIsCountedByItOrKeptWaiting() throws Exception {
        int rounds = 100_000;
        AtomicInteger arrived = new AtomicInteger();
        Admission[] admissions = new Admission[rounds];
        for (int r = 0; r < rounds; r++) {
            admissions[r] = new Admission(0);
        }
        boolean[] granted = new boolean[rounds];
        int[] countedByClose = new int[rounds];
        Admission.ServiceGate service = new Admission.ServiceGate("s", 0);
        Thread offerer = new Thread(() -> {
            List<Admission.Ticket> out = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                await(arrived, 2 * r + 2);
                admissions[r].offer(new Admission.Ticket(null, 0, service, new Admission.RunGate(0)), out);
                granted[r] = !out.isEmpty();
                out.clear();
            }
        }, "admission-offerer");
        Thread closer = new Thread(() -> {
            for (int r = 0; r < rounds; r++) {
                await(arrived, 2 * r + 2);
                admissions[r].close();
                countedByClose[r] = admissions[r].running();
            }
        }, "admission-closer");
        offerer.start();
        closer.start();
        offerer.join(120_000);
        closer.join(120_000);
        assertThat(offerer.isAlive() || closer.isAlive()).as("both threads finished").isFalse();
        int grantedRounds = 0;
        for (int r = 0; r < rounds; r++) {
            if (granted[r]) {
                grantedRounds++;
                assertThat(countedByClose[r]).as("round %d: a task let start is counted by the close", r).isOne();
            } else {
                assertThat(admissions[r].running()).as("round %d: a task kept waiting holds nothing", r).isZero();
            }
        }
        assertThat(grantedRounds).as("some offers came before the close").isPositive();
    }

    /**
     * A barrier that spins (both threads then leave it within nanoseconds of each other, which is what makes the race
     * window reachable), yielding now and then in case the other thread is not on a core: counts this thread in, then
     * waits until {@code until} threads have arrived.
     */
    private static void await(AtomicInteger arrived, int until) {
        arrived.incrementAndGet();
        for (int spins = 1; arrived.get() < until; spins++) {
            if ((spins & 1023) == 0) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
    }

    /**
     * In each of {@link #ROUNDS} rounds every thread offers one ticket and gives back every one it was granted, by
     * its offer or by a release that handed slots on; at most {@code limit} are held at once. The threads then wait
     * for each other: with every slot given back, every ticket offered so far must have been granted (one left
     * waiting behind a slot that no one handed on never would be, since nothing else would release that slot). At
     * the end nothing is held.
     */
    private static void race(Admission admission, java.util.function.Supplier<Admission.Ticket> tickets,
                             Admission.ServiceGate service, int limit) throws Exception {
        AtomicInteger held = new AtomicInteger();
        AtomicInteger maxHeld = new AtomicInteger();
        AtomicInteger granted = new AtomicInteger();
        AtomicInteger arrived = new AtomicInteger();
        AtomicReference<String> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int k = 0; k < THREADS; k++) {
            Thread t = new Thread(() -> {
                ArrayDeque<Admission.Ticket> mine = new ArrayDeque<>();
                List<Admission.Ticket> out = new ArrayList<>();
                for (int round = 1; round <= ROUNDS && failure.get() == null; round++) {
                    admission.offer(tickets.get(), out);
                    mine.addAll(out);
                    out.clear();
                    while (!mine.isEmpty()) {
                        Admission.Ticket next = mine.poll();
                        granted.incrementAndGet();
                        maxHeld.accumulateAndGet(held.incrementAndGet(), Math::max);
                        held.decrementAndGet();
                        mine.addAll(admission.release(next)); // may hand this thread others to give back
                    }
                    // a barrier that yields: every thread has given back all it held in this round
                    arrived.incrementAndGet();
                    while (arrived.get() < (2 * round - 1) * THREADS && failure.get() == null) {
                        Thread.yield();
                    }
                    if (granted.get() != round * THREADS) {
                        failure.compareAndSet(null, "round " + round + ": " + granted.get() + " of "
                                + round * THREADS + " tickets granted with every slot given back");
                    }
                    // a second barrier, so no thread offers the next round's ticket before the others have counted
                    arrived.incrementAndGet();
                    while (arrived.get() < 2 * round * THREADS && failure.get() == null) {
                        Thread.yield();
                    }
                }
            }, "admission-racer-" + k);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(120_000);
            assertThat(t.isAlive()).as(t.getName() + " finished").isFalse();
        }
        assertThat(failure.get()).isNull();
        assertThat(granted.get()).isEqualTo(THREADS * ROUNDS);
        assertThat(admission.running()).isZero();
        assertThat(maxHeld.get()).isBetween(1, limit);
        if (service != null) {
            assertThat(admission.serviceLoad(service)).containsExactly(0, 0);
        }
    }
}
