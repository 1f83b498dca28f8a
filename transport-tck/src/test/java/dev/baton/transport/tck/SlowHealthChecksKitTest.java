package dev.baton.transport.tck;

import dev.baton.time.ManualTime;
import dev.baton.transport.HealthSource;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * The health kit itself: a source whose checks outlast a check interval passes it, whatever the kit's waits; one that
 * stamps its changes with another clock than its own fails it.
 */
class SlowHealthChecksKitTest {

    @Test
    void aSourceWhoseChecksOutlastAnIntervalPassesEveryTest() {
        Events tests = run(Late.class);

        assertThat(failed(tests)).isEmpty();
        assertThat(tests.succeeded().count()).isEqualTo(6);
    }

    @Test
    void aSourceThatStampsChangesWithTheSystemClockFailsTheTestOfTheirTimes() {
        Events tests = run(SystemClock.class);

        assertThat(failed(tests)).containsExactly(
                "aServiceThatStopsAnsweringBecomesUnhealthyAndHealthyAgainEachChangeToldOnceInOrder");
    }

    private static List<String> failed(Events tests) {
        return tests.failed().stream()
                .map(e -> ((MethodSource) e.getTestDescriptor().getSource().orElseThrow()).getMethodName())
                .toList();
    }

    private static Events run(Class<?> kitRun) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(kitRun)).execute().testEvents();
    }

    /** The kit on {@link LateReportingSource}. Nested, so the build's test scan does not run it on its own. */
    static class Late extends HealthSourceContractTest {
        private LateReportingSource source;

        boolean systemClock() {
            return false;
        }

        @Override
        protected HealthSource start(String service, ManualTime time, BooleanSupplier healthy) {
            source = new LateReportingSource(service, time, checkInterval(), healthy, systemClock());
            return source;
        }

        @Override
        protected Duration checkInterval() {
            return Duration.ofSeconds(5);
        }

        @Override
        protected void stop() {
            source.stop();
        }
    }

    /** The kit on a {@link LateReportingSource} that reads the system clock for its changes' times. */
    static final class SystemClock extends Late {
        @Override
        boolean systemClock() {
            return true;
        }
    }
}
