package dev.baton.internal.engine;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** An attempt's interrupt reaches its handler's thread while bound, and never the thread's next task. */
class AttemptInterruptTest {

    private static Attempt attempt() {
        return new Attempt(null, 0, 1, null, null, Map.of(), null, false, null, null);
    }

    @Test
    void anInterruptBeforeTheBindingInterruptsTheThreadAsItBindsAndUnbindingClearsIt() {
        Attempt a = attempt();
        a.interrupt();
        a.bindThread(Thread.currentThread());
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
        a.unbindThread();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(a.runsOn(Thread.currentThread())).isFalse();
    }

    @Test
    void anInterruptWhileBoundReachesTheThreadAndOneAfterUnbindingDoesNot() {
        Attempt a = attempt();
        a.bindThread(Thread.currentThread());
        assertThat(a.runsOn(Thread.currentThread())).isTrue();
        a.interrupt();
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
        a.interrupt(); // a second request changes nothing
        a.unbindThread();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();

        Attempt b = attempt();
        b.bindThread(Thread.currentThread());
        b.unbindThread();
        b.interrupt();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    /**
     * One worker binds and unbinds attempt after attempt while another thread interrupts every even one at the moment
     * it is published, racing the binding: an odd attempt, never interrupted itself, must never see an interrupt, and
     * no interrupt may be left on the worker between two attempts.
     */
    @Test
    void underRacingInterruptsNoInterruptLandsOnTheWorkersNextAttempt() throws Exception {
        int rounds = 40_000;
        Attempt[] attempts = new Attempt[rounds];
        for (int k = 0; k < rounds; k++) {
            attempts[k] = attempt();
        }
        AtomicInteger published = new AtomicInteger(-1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread interrupter = new Thread(() -> {
            for (int k = 0; k < rounds; k += 2) {
                while (published.get() < k) {
                    Thread.onSpinWait();
                }
                attempts[k].interrupt();
            }
        }, "interrupter");
        interrupter.setUncaughtExceptionHandler((t, e) -> failure.set(e));
        interrupter.start();
        int stray = 0;
        int leftBetween = 0;
        int seenWhileBound = 0;
        try {
            for (int k = 0; k < rounds; k++) {
                if (Thread.currentThread().isInterrupted()) {
                    leftBetween++;
                    Thread.interrupted();
                }
                published.set(k);
                attempts[k].bindThread(Thread.currentThread());
                for (int spin = ThreadLocalRandom.current().nextInt(200); spin > 0; spin--) {
                    Thread.onSpinWait();
                }
                boolean interrupted = Thread.currentThread().isInterrupted();
                if (k % 2 == 1 && interrupted) {
                    stray++;
                } else if (interrupted) {
                    seenWhileBound++;
                }
                attempts[k].unbindThread();
            }
        } finally {
            interrupter.join(TimeUnit.SECONDS.toMillis(30));
            Thread.interrupted();
        }
        assertThat(failure.get()).isNull();
        assertThat(interrupter.isAlive()).isFalse();
        assertThat(stray).as("interrupts seen by attempts nobody interrupted").isZero();
        assertThat(leftBetween).as("interrupts left on the worker between attempts").isZero();
        assertThat(seenWhileBound).as("even attempts that saw their interrupt while bound (the race ran)").isPositive();
    }
}
