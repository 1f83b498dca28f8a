package dev.baton.transport.tck;

import dev.baton.time.ManualTime;
import dev.baton.transport.HealthSource;
import dev.baton.transport.ServiceHealth;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every {@link HealthSource} honours, as the engine's health gate relies on it. A source's test extends
 * this class once and starts a source that checks one service, whose answer to each check the kit decides, on the
 * kit's {@link ManualTime}:
 *
 * <pre>{@code
 * class MyHealthSourceContractTest extends HealthSourceContractTest {
 *     @Override
 *     protected HealthSource start(String service, ManualTime time, BooleanSupplier healthy) {
 *         // a source checking `service` every checkInterval() on `time` (its scheduler and clock);
 *         // each check finds the service up when healthy.getAsBoolean() says so
 *     }
 *
 *     @Override
 *     protected Duration checkInterval() {
 *         return Duration.ofSeconds(1);
 *     }
 *
 *     @Override
 *     protected void stop() {
 *         // stop the source and whatever it checks
 *     }
 * }
 * }</pre>
 *
 * <p>What it checks: a service the source does not watch is {@link ServiceHealth#UNKNOWN}; a service that answers
 * becomes {@link ServiceHealth#HEALTHY}, one that stops answering {@link ServiceHealth#UNHEALTHY}, and back; each
 * change is told once to every subscriber, in order, with its previous and current health (never equal) and the
 * source clock's time (from the service's change to the report of it: a check may outlast the kit's wait for it); {@code health} agrees with the last change told; a closed subscription (closed twice, even)
 * is told nothing more; a listener that throws keeps no other from being told. Time moves only when the kit advances
 * it, one check interval at a time; checks that complete on other threads are waited for with bounded waits, never
 * with sleeps.
 */
public abstract class HealthSourceContractTest {

    /** The service the source checks. */
    protected static final String SERVICE = "checked-service";

    /** The most check intervals the kit advances while it waits for one change. */
    protected static final int MAX_CHECKS = 200;

    /** The time the kit's clock starts at. */
    protected static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** The kit's time: the source's scheduler and clock. */
    protected final ManualTime time = new ManualTime(T0);

    private final AtomicBoolean up = new AtomicBoolean(true);
    private final AtomicInteger checks = new AtomicInteger();
    private final Recorder watcher = new Recorder();
    private HealthSource source;

    /**
     * Starts a source that checks {@code service} every {@link #checkInterval()} on {@code time}.
     *
     * @param service the service to check
     * @param time    the scheduler and clock the source must use
     * @param healthy asked once per check: whether the service answers it as healthy (may be asked on any thread)
     * @return the running source
     * @throws Exception if it cannot be started
     */
    protected abstract HealthSource start(String service, ManualTime time, BooleanSupplier healthy) throws Exception;

    /**
     * How long a test waits for a listener to be told of a change the source already reports.
     *
     * @return 30 seconds unless a subclass says otherwise
     */
    protected Duration patience() {
        return Duration.ofSeconds(30);
    }

    /** @return the time between two checks, as the source was configured */
    protected abstract Duration checkInterval();

    /**
     * Stops the source and what it checks. Called after each test.
     *
     * @throws Exception if they cannot be stopped
     */
    protected abstract void stop() throws Exception;

    @BeforeEach
    final void startSource() throws Exception {
        source = start(SERVICE, time, () -> {
            checks.incrementAndGet();
            return up.get();
        });
        assertThat(source).as("the fixture's source").isNotNull();
        source.subscribe(watcher);
    }

    @AfterEach
    final void stopSource() throws Exception {
        stop();
    }

    @Test
    void aServiceTheSourceDoesNotCheckIsUnknown() {
        assertThat(source.health("not-" + SERVICE)).isEqualTo(ServiceHealth.UNKNOWN);
    }

    @Test
    void aServiceThatAnswersBecomesHealthy() throws Exception {
        Recorder seen = subscribe();

        advanceUntil(ServiceHealth.HEALTHY);

        assertThat(checks.get()).as("checks made").isPositive();
        assertThat(seen.changes()).allSatisfy(c -> assertThat(c.service()).isEqualTo(SERVICE));
    }

    @Test
    void aServiceThatStopsAnsweringBecomesUnhealthyAndHealthyAgainEachChangeToldOnceInOrder() throws Exception {
        advanceUntil(ServiceHealth.HEALTHY);
        Recorder seen = subscribe();

        Instant wentDown = time.instant();
        up.set(false);
        advanceUntil(ServiceHealth.UNHEALTHY);
        seen.awaitCurrent(ServiceHealth.UNHEALTHY);
        Instant downAt = time.instant();
        Instant cameUp = time.instant();
        up.set(true);
        advanceUntil(ServiceHealth.HEALTHY);
        seen.awaitCurrent(ServiceHealth.HEALTHY);
        Instant upAt = time.instant();
        up.set(false);
        advanceUntil(ServiceHealth.UNHEALTHY);
        seen.awaitCurrent(ServiceHealth.UNHEALTHY);

        assertThat(seen.changes()).as("changes told").extracting(Change::previous, Change::current).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ServiceHealth.HEALTHY, ServiceHealth.UNHEALTHY),
                org.assertj.core.groups.Tuple.tuple(ServiceHealth.UNHEALTHY, ServiceHealth.HEALTHY),
                org.assertj.core.groups.Tuple.tuple(ServiceHealth.HEALTHY, ServiceHealth.UNHEALTHY));
        // by the source's clock, from the check that could first see it to the change being told: a check that
        // outlasts the kit's wait may be answered after the kit has moved the clock on
        assertThat(seen.changes().get(0).at()).as("when the first change was seen, by the source's clock")
                .isBetween(wentDown, downAt);
        assertThat(seen.changes().get(1).at()).as("when the second change was seen, by the source's clock")
                .isBetween(cameUp, upAt);
    }

    @Test
    void healthAgreesWithTheLastChangeTold() throws Exception {
        Recorder seen = subscribe();
        advanceUntil(ServiceHealth.HEALTHY);
        up.set(false);
        advanceUntil(ServiceHealth.UNHEALTHY);
        seen.awaitCurrent(ServiceHealth.UNHEALTHY);

        assertThat(source.health(SERVICE)).isEqualTo(seen.last().current());
        assertThat(seen.changes()).allSatisfy(c -> assertThat(c.previous()).isNotEqualTo(c.current()));
    }

    @Test
    void aClosedSubscriptionIsToldNothingMoreAndMayBeClosedTwice() throws Exception {
        advanceUntil(ServiceHealth.HEALTHY);
        Recorder closed = new Recorder();
        HealthSource.Subscription subscription = source.subscribe(closed);
        Recorder open = subscribe();

        subscription.close();
        subscription.close();
        up.set(false);
        advanceUntil(ServiceHealth.UNHEALTHY);
        open.awaitCurrent(ServiceHealth.UNHEALTHY);

        assertThat(open.changes()).isNotEmpty();
        assertThat(closed.changes()).as("changes told after the subscription was closed").isEmpty();
    }

    @Test
    void aListenerThatThrowsKeepsNoOtherFromBeingTold() throws Exception {
        advanceUntil(ServiceHealth.HEALTHY);
        Recorder thrower = new Recorder();
        source.subscribe((service, previous, current, at) -> {
            thrower.onChange(service, previous, current, at);
            throw new IllegalStateException("a broken listener");
        });
        Recorder after = subscribe();

        up.set(false);
        advanceUntil(ServiceHealth.UNHEALTHY);
        after.awaitCurrent(ServiceHealth.UNHEALTHY);
        thrower.awaitCurrent(ServiceHealth.UNHEALTHY);   // told again after it threw: listeners may be told in any order
        up.set(true);
        advanceUntil(ServiceHealth.HEALTHY);
        after.awaitCurrent(ServiceHealth.HEALTHY);
        thrower.awaitCurrent(ServiceHealth.HEALTHY);

        assertThat(thrower.changes()).as("changes told to the throwing listener").hasSize(2);
        assertThat(after.changes()).as("changes told to the listener after it").hasSize(2);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** One change as a listener was told it. */
    protected record Change(String service, ServiceHealth previous, ServiceHealth current, Instant at) {
    }

    /** A listener that keeps what it is told. */
    protected final class Recorder implements dev.baton.transport.HealthListener {
        private final List<Change> changes = new ArrayList<>();

        @Override
        public synchronized void onChange(String service, ServiceHealth previous, ServiceHealth current, Instant at) {
            changes.add(new Change(service, previous, current, at));
            notifyAll();
        }

        /** @return the changes told so far */
        public synchronized List<Change> changes() {
            return List.copyOf(changes);
        }

        /**
         * Waits, within {@link #patience()}, until this listener has been told of a change to {@code expected}: a
         * source may report a new health before its listeners have been told.
         *
         * @param expected the health the last change told must have
         * @throws InterruptedException if interrupted while waiting
         */
        public synchronized void awaitCurrent(ServiceHealth expected) throws InterruptedException {
            long deadline = System.nanoTime() + patience().toNanos();
            long left;
            while ((changes.isEmpty() || changes.get(changes.size() - 1).current() != expected)
                    && (left = deadline - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            assertThat(changes).as("changes told").isNotEmpty();
            assertThat(changes.get(changes.size() - 1).current()).as("the last change told").isEqualTo(expected);
        }

        /** @return the last change told */
        public synchronized Change last() {
            assertThat(changes).as("changes told").isNotEmpty();
            return changes.get(changes.size() - 1);
        }
    }

    private Recorder subscribe() {
        Recorder r = new Recorder();
        assertThat(source.subscribe(r)).as("the subscription").isNotNull();
        return r;
    }

    /**
     * The health as the kit's own listener was last told it, or, before it was told anything (the first change may
     * come before it subscribed), as the source reports it.
     */
    private ServiceHealth reported() {
        List<Change> told = watcher.changes();
        return told.isEmpty() ? source.health(SERVICE) : told.get(told.size() - 1).current();
    }

    /**
     * Advances the kit's time a check interval at a time until the source reports {@code expected}, giving each
     * check a moment to complete (checks may complete on other threads), within {@link #MAX_CHECKS} intervals.
     */
    private void advanceUntil(ServiceHealth expected) throws InterruptedException {
        for (int i = 0; i <= MAX_CHECKS; i++) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            synchronized (watcher) {
                long left;
                while (reported() != expected && (left = deadline - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.timedWait(watcher, left); // woken by the next change told
                }
            }
            if (reported() == expected) {
                return;
            }
            time.advance(checkInterval());
        }
        throw new AssertionError("the source still reported " + reported() + ", not " + expected
                + ", after " + MAX_CHECKS + " check intervals (" + checks.get() + " checks reached the service)");
    }
}
