package dev.baton.internal.engine;

import dev.baton.time.Cancellable;
import dev.baton.time.ManualTime;
import dev.baton.time.Scheduler;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GuardedSchedulerTest {

    private static final Scheduler REFUSING = (d, a) -> {
        throw new RejectedExecutionException("shut down");
    };

    private static GuardedScheduler guarded(Scheduler s, boolean owns) {
        return new GuardedScheduler(s, owns, LoggerFactory.getLogger(GuardedSchedulerTest.class));
    }

    @Test
    void aDelayTheSchedulerAcceptsStaysWithIt() {
        ManualTime time = new ManualTime();
        AtomicInteger ran = new AtomicInteger();
        try (GuardedScheduler s = guarded(time, false)) {
            Cancellable c = s.schedule(Duration.ofSeconds(1), ran::incrementAndGet);
            time.advance(Duration.ofMillis(999));
            assertThat(ran).hasValue(0);
            time.advance(Duration.ofMillis(1));
            assertThat(ran).hasValue(1);
            c.cancel();
            assertThat(s.refusals()).isZero();
        }
    }

    @Test
    void aRefusedDelayRunsOnTheFallbackTimerAndCanBeCancelled() throws InterruptedException {
        try (GuardedScheduler s = guarded(REFUSING, false)) {
            CountDownLatch ran = new CountDownLatch(1);
            s.schedule(Duration.ofMillis(1), ran::countDown);
            assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
            AtomicBoolean cancelledRan = new AtomicBoolean();
            s.schedule(Duration.ofHours(1), () -> cancelledRan.set(true)).cancel();
            assertThat(s.refusals()).isEqualTo(2);
            assertThat(cancelledRan).isFalse();
        }
    }

    @Test
    void aSchedulerThatThrowsAnErrorIsARefusalToo() throws InterruptedException {
        Scheduler failing = (d, a) -> {
            throw new NoClassDefFoundError("some/TimerClass");
        };
        try (GuardedScheduler s = guarded(failing, false)) {
            CountDownLatch ran = new CountDownLatch(1);
            s.schedule(Duration.ofMillis(1), ran::countDown);
            assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(s.refusals()).isEqualTo(1);
        }
    }

    @Test
    void afterCloseARefusedDelayIsRefusedToo() {
        GuardedScheduler s = guarded(REFUSING, false);
        s.schedule(Duration.ofHours(1), () -> { }); // starts the fallback timer
        s.close();
        assertThatThrownBy(() -> s.schedule(Duration.ofMillis(1), () -> { }))
                .isInstanceOf(RejectedExecutionException.class).hasMessageContaining("closed");
    }

    @Test
    void closeClosesTheConfiguredSchedulerOnlyWhenOwned() {
        AtomicInteger closed = new AtomicInteger();
        ManualTime time = new ManualTime();
        class Closeable implements Scheduler, AutoCloseable {
            @Override
            public Cancellable schedule(Duration delay, Runnable action) {
                return time.schedule(delay, action);
            }

            @Override
            public void close() {
                closed.incrementAndGet();
            }
        }
        guarded(new Closeable(), false).close();
        assertThat(closed).hasValue(0);
        guarded(new Closeable(), true).close();
        assertThat(closed).hasValue(1);
    }

    @Test
    void anActionThatFailsInsideASchedulerRunningItAtOnceIsNotRunAgain() {
        Scheduler inline = (d, a) -> {
            a.run();
            return () -> { };
        };
        AtomicInteger runs = new AtomicInteger();
        try (GuardedScheduler s = guarded(inline, false)) {
            assertThatThrownBy(() -> s.schedule(Duration.ZERO, () -> {
                runs.incrementAndGet();
                throw new IllegalStateException("the action's own failure");
            })).isInstanceOf(IllegalStateException.class).hasMessageContaining("own failure");
            assertThat(runs).hasValue(1);
            assertThat(s.refusals()).isZero();
        }
    }
}
