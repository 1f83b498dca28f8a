package dev.baton.transport.http;

import dev.baton.transport.HealthListener;
import dev.baton.transport.HealthSource;
import dev.baton.transport.ServiceHealth;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** The health source kit itself: each flaw of a source wrapped around a correct monitor fails the kit's tests for it. */
class HealthSourceKitTest {

    /** How the next run of {@link Kit} breaks the monitor; the engine test kit runs on this thread. */
    static volatile UnaryOperator<HealthSource> flaw = UnaryOperator.identity();

    /** The kit on a monitor as {@link #flaw} changes it. Nested, so the build's scan does not run it alone. */
    static final class Kit extends HealthMonitorContractTest {
        @Override
        HealthSource wrap(HealthSource source) {
            return flaw.apply(source);
        }

        @Override
        protected java.time.Duration patience() {
            return java.time.Duration.ofSeconds(2);
        }
    }

    /** Passes every call on; a flaw overrides one. */
    private static class Forwarding implements HealthSource {
        final HealthSource next;

        Forwarding(HealthSource next) {
            this.next = next;
        }

        @Override
        public ServiceHealth health(String service) {
            return next.health(service);
        }

        @Override
        public Subscription subscribe(HealthListener listener) {
            return next.subscribe(listener);
        }
    }

    @Test
    void theMonitorItselfPassesEveryTest() {
        flaw = UnaryOperator.identity();
        Events tests = run();
        assertThat(tests.failed().count()).isZero();
        assertThat(tests.succeeded().count()).isEqualTo(6);
    }

    @Test
    void aSourceThatSaysHealthyOfAServiceItDoesNotCheckFails() {
        flaw = next -> new Forwarding(next) {
            @Override
            public ServiceHealth health(String service) {
                // the kit asks about "not-" + the service it checks
                return service.startsWith("not-") ? ServiceHealth.HEALTHY : next.health(service);
            }
        };
        assertThat(failed()).containsExactly("aServiceTheSourceDoesNotCheckIsUnknown");
    }

    @Test
    void aSourceThatTellsEachChangeTwiceFails() {
        flaw = next -> new Forwarding(next) {
            @Override
            public Subscription subscribe(HealthListener listener) {
                return next.subscribe((s, from, to, at) -> {
                    listener.onChange(s, from, to, at);
                    listener.onChange(s, from, to, at);
                });
            }
        };
        assertThat(failed()).containsExactlyInAnyOrder(
                "aServiceThatStopsAnsweringBecomesUnhealthyAndHealthyAgainEachChangeToldOnceInOrder",
                "aListenerThatThrowsKeepsNoOtherFromBeingTold");
    }

    @Test
    void aSourceThatTellsTheWrongTimeFails() {
        flaw = next -> new Forwarding(next) {
            @Override
            public Subscription subscribe(HealthListener listener) {
                return next.subscribe((s, from, to, at) -> listener.onChange(s, from, to, Instant.EPOCH));
            }
        };
        assertThat(failed()).containsExactly(
                "aServiceThatStopsAnsweringBecomesUnhealthyAndHealthyAgainEachChangeToldOnceInOrder");
    }

    @Test
    void aSourceWhoseSubscriptionsCannotBeClosedFails() {
        flaw = next -> new Forwarding(next) {
            @Override
            public Subscription subscribe(HealthListener listener) {
                next.subscribe(listener);
                return () -> { };
            }
        };
        assertThat(failed()).containsExactly("aClosedSubscriptionIsToldNothingMoreAndMayBeClosedTwice");
    }

    @Test
    void aSourceThatStopsAtAThrowingListenerFails() {
        flaw = next -> new Forwarding(next) {
            final List<HealthListener> listeners = new CopyOnWriteArrayList<>();

            {
                next.subscribe((s, from, to, at) -> listeners.forEach(l -> l.onChange(s, from, to, at)));
            }

            @Override
            public Subscription subscribe(HealthListener listener) {
                listeners.add(listener);
                return () -> listeners.remove(listener);
            }
        };
        assertThat(failed()).containsExactly("aListenerThatThrowsKeepsNoOtherFromBeingTold");
    }

    private static List<String> failed() {
        return run().failed().stream()
                .map(e -> ((MethodSource) e.getTestDescriptor().getSource().orElseThrow()).getMethodName())
                .toList();
    }

    private static Events run() {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(Kit.class)).execute().testEvents();
    }
}
