package dev.baton.transport.tck;

import dev.baton.transport.tck.WebhookMemoryKits.Blocks;
import dev.baton.transport.tck.WebhookMemoryKits.CancelStopsAll;
import dev.baton.transport.tck.WebhookMemoryKits.CompletesBeforeReporting;
import dev.baton.transport.tck.WebhookMemoryKits.CompletesExceptionally;
import dev.baton.transport.tck.WebhookMemoryKits.DropsErrorTask;
import dev.baton.transport.tck.WebhookMemoryKits.EchoesAnswer;
import dev.baton.transport.tck.WebhookMemoryKits.IgnoresCancel;
import dev.baton.transport.tck.WebhookMemoryKits.IgnoresFirstAttemptInLimit;
import dev.baton.transport.tck.WebhookMemoryKits.LeaksSecret;
import dev.baton.transport.tck.WebhookMemoryKits.MinimalStage;
import dev.baton.transport.tck.WebhookMemoryKits.MinimalStageOnTheBaseKit;
import dev.baton.transport.tck.WebhookMemoryKits.NumbersFromOne;
import dev.baton.transport.tck.WebhookMemoryKits.ReportsOutOfOrder;
import dev.baton.transport.tck.WebhookMemoryKits.ReportsTwice;
import dev.baton.transport.tck.WebhookMemoryKits.RetriesEarly;
import dev.baton.transport.tck.WebhookMemoryKits.RetriesEarlyOnItsWorker;
import dev.baton.transport.tck.WebhookMemoryKits.RetriesPastLimit;
import dev.baton.transport.tck.WebhookMemoryKits.RetriesRejections;
import dev.baton.transport.tck.WebhookMemoryKits.Right;
import dev.baton.transport.tck.WebhookMemoryKits.SendsBeforeChecking;
import dev.baton.transport.tck.WebhookMemoryKits.SendsTwice;
import dev.baton.transport.tck.WebhookMemoryKits.SharesState;
import org.assertj.core.api.AbstractCollectionAssert;
import org.assertj.core.api.ObjectAssert;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

import java.lang.reflect.Method;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * The webhook kits can fail: run through the test kit engine on the memory transport ({@link WebhookMemoryKits}),
 * they pass when it is right, and the tests that check what a fault breaks fail when it has that fault. Every run
 * also checks that no test of the kits was skipped or aborted.
 */
class WebhookTransportContractKitTest {

    private static final String HOLD = "deliverReturnsWhileTheReceiverHoldsTheDelivery";
    private static final String RESULT = "theReceiverGetsTheRunsResult";
    private static final String ACCEPTED = "anAcceptedDeliveryIsOneDeliveredAttempt";
    private static final String RETRIED = "aTransientFailureIsRetriedAfterItsDelay";
    private static final String LIMIT = "transientFailuresAreRetriedUpToTheLimitThenFail";
    private static final String RESUMED = "aResumedDeliveryIsNumberedFromFirstAttemptWhichCountsTowardsTheLimit";
    private static final String NONE_LEFT = "aResumedDeliveryWithNoAttemptLeftSendsNothing";
    private static final String PERMANENT = "aPermanentFailureIsFinalAtOnce";
    private static final String UNREACHABLE = "anUnreachableDestinationIsRetriedThenFails";
    private static final String REFUSED = "aRefusedDestinationIsReportedAndNeverCalled";
    private static final String STAGE = "theStageCompletesWithTheLastAttemptOnceItIsReported";
    private static final String SECRET_TEST = "theSecretNeverAppearsInAnAttempt";
    private static final String CONCURRENT = "concurrentDeliveriesEachReachTheReceiverOnceWithTheirOwnResult";
    private static final String CANCELLED = "aCancelledDeliveryMakesNoFurtherAttempt";
    private static final String OTHERS_GO_ON = "cancellingOneDeliveryLeavesTheOthersGoing";

    /** The kit's tests, each run once: none skipped, none aborted. */
    private static Events run(Class<?> kit) {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(kit)).execute().testEvents();
        assertThat(tests.skipped().count()).as("%s: tests skipped", kit.getSimpleName()).isZero();
        assertThat(tests.aborted().count()).as("%s: tests aborted", kit.getSimpleName()).isZero();
        assertThat(tests.started().count()).as("%s: tests run", kit.getSimpleName())
                .isEqualTo(testMethods(kit).size());
        return tests;
    }

    /**
     * Runs a kit and starts an assertion on the names of its tests that failed, described with why each failed, so
     * an unexpected failure shows its cause.
     */
    private static AbstractCollectionAssert<?, Collection<? extends String>, String, ObjectAssert<String>> assertFailing(
            Class<?> kit) {
        Map<String, String> why = new TreeMap<>();
        for (Event e : run(kit).failed().list()) {
            String cause = e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable)
                    .map(t -> t.getClass().getSimpleName() + ": " + t.getMessage()).orElse("no cause");
            why.put(name(e.getTestDescriptor()), cause);
        }
        return assertThat(why.keySet())
                .as("%s: the tests that failed, and why: %s", kit.getSimpleName(), why);
    }

    private static String name(TestDescriptor d) {
        return d.getSource().filter(MethodSource.class::isInstance).map(s -> ((MethodSource) s).getMethodName())
                .orElse(d.getDisplayName());
    }

    /** @return the names of the {@code @Test} methods a kit class inherits */
    private static Set<String> testMethods(Class<?> kit) {
        Set<String> names = new TreeSet<>();
        for (Class<?> c = kit; c != null; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.isAnnotationPresent(Test.class)) {
                    names.add(m.getName());
                }
            }
        }
        return names;
    }

    @Test
    void aRightTransportPassesEveryTest() {
        Class<?> kit = Right.class;
        Events tests = run(kit);
        assertThat(tests.failed().list()).as("tests failed").isEmpty();
        assertThat(tests.succeeded().count()).as("tests passed").isEqualTo(15);
        assertThat(testMethods(kit)).containsExactlyInAnyOrder(HOLD, RESULT, ACCEPTED, RETRIED, LIMIT, RESUMED,
                NONE_LEFT, PERMANENT, UNREACHABLE, REFUSED, STAGE, SECRET_TEST, CONCURRENT, CANCELLED, OTHERS_GO_ON);
    }

    @Test
    void aTransportWhoseStagesCannotBeCancelledPassesTheBaseKitAndFailsTheCancellationKit() {
        assertFailing(MinimalStageOnTheBaseKit.class).isEmpty();
        assertFailing(MinimalStage.class).containsExactly(CANCELLED);
    }

    @Test
    void aTransportThatWaitsForTheReceiverFailsTheTestThatHoldsIt() {
        assertFailing(Blocks.class).containsExactly(HOLD);
    }

    @Test
    void attemptsReportedOutOfOrderOrTwiceFail() {
        assertFailing(ReportsOutOfOrder.class).contains(RETRIED, LIMIT, RESUMED, UNREACHABLE, CANCELLED,
                OTHERS_GO_ON);
        assertFailing(ReportsTwice.class).contains(ACCEPTED, RESULT, PERMANENT, REFUSED, LIMIT);
    }

    @Test
    void attemptsNumberedFromOneWhenResumedFail() {
        assertFailing(NumbersFromOne.class).containsExactlyInAnyOrder(RESUMED, NONE_LEFT, REFUSED);
    }

    @Test
    void aStageCompletedExceptionallyOrBeforeItsAttemptIsReportedFails() {
        assertFailing(CompletesExceptionally.class).contains(LIMIT, RESUMED, NONE_LEFT, PERMANENT,
                UNREACHABLE, REFUSED, STAGE, SECRET_TEST).doesNotContain(ACCEPTED, RESULT, HOLD);
        assertFailing(CompletesBeforeReporting.class).containsExactly(STAGE);
    }

    @Test
    void aSecretInAnAttemptFails() {
        assertFailing(LeaksSecret.class).containsExactly(SECRET_TEST);
        assertFailing(EchoesAnswer.class).containsExactly(SECRET_TEST);
    }

    @Test
    void retryingPastTheLimitOrNotCountingFirstAttemptFails() {
        assertFailing(RetriesPastLimit.class).contains(LIMIT, RESUMED, NONE_LEFT, UNREACHABLE)
                .doesNotContain(ACCEPTED, RETRIED, PERMANENT);
        assertFailing(IgnoresFirstAttemptInLimit.class).containsExactlyInAnyOrder(RESUMED, NONE_LEFT);
    }

    @Test
    void retryingARejectionOrBeforeTheDelayFails() {
        assertFailing(RetriesRejections.class).containsExactly(PERMANENT);
        assertFailing(RetriesEarly.class).contains(RETRIED).doesNotContain(ACCEPTED, PERMANENT, REFUSED);
    }

    @Test
    void retryingBeforeTheDelayFailsWhenTheRetryReachesTheReceiverAfterTheTimeMovedOn() {
        // the retry runs when the kit moves the time to just before the delay, but reaches the receiver only a little
        // later, on the transport's worker: the kit must wait for what is under way before it counts the arrivals
        assertFailing(RetriesEarlyOnItsWorker.class).contains(RETRIED)
                .doesNotContain(ACCEPTED, PERMANENT, REFUSED);
    }

    @Test
    void sendingToARefusedDestinationFails() {
        assertFailing(SendsBeforeChecking.class).containsExactly(REFUSED);
    }

    @Test
    void aResultSentTwiceOrWrongFails() {
        assertFailing(SendsTwice.class).contains(ACCEPTED, RESULT, CONCURRENT);
        assertFailing(DropsErrorTask.class).containsExactly(RESULT);
        assertFailing(SharesState.class).contains(CONCURRENT).doesNotContain(ACCEPTED, RESULT);
    }

    @Test
    void goingOnAfterACancelOrStoppingEveryDeliveryFails() {
        assertFailing(IgnoresCancel.class).containsExactly(CANCELLED);
        // stopped, it cannot make the delivery the other test settles with either
        assertFailing(CancelStopsAll.class).containsExactlyInAnyOrder(OTHERS_GO_ON, CANCELLED);
    }
}
