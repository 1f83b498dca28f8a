package dev.baton.transport.tck;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** The kit itself: a correct transport passes every test, and each flaw fails exactly the tests that cover it. */
class TaskTransportKitTest {

    @Test
    void aCorrectTransportPassesEveryTest() {
        Events tests = run(InProcessTransportContractTest.class);

        assertThat(tests.failed().count()).isZero();
        assertThat(tests.skipped().count()).isZero();
        assertThat(tests.succeeded().count()).isEqualTo(17);
    }

    static Stream<Arguments> flaws() {
        return Stream.of(
                arguments(BrokenTransports.WrongIdempotencyKey.class, List.of(
                        "everyFieldOfTheRequestReachesTheServiceWithTheExecutionIdAsIdempotencyKey",
                        "aRequestWithoutCorrelationIdOrDeadlineReachesTheServiceWithout",
                        "everyAttemptOfATaskCarriesItsNumberAndTheSameIdempotencyKey")),
                arguments(BrokenTransports.DropsCorrelationId.class, List.of(
                        "everyFieldOfTheRequestReachesTheServiceWithTheExecutionIdAsIdempotencyKey")),
                arguments(BrokenTransports.BlocksInDispatch.class, List.of(
                        "dispatchReturnsBeforeTheServiceAnswers",
                        "aCancelledAttemptStaysCancelledAndTheTransportServesTheNextCall")),
                arguments(BrokenTransports.RetriesRejections.class, List.of(
                        "aRejectionIsNotRetryableAndSaysWhy",
                        "aServicesLongReasonIsCutShortInTheFailure")),
                arguments(BrokenTransports.DropsRetryAfter.class, List.of(
                        "anUnavailableServiceIsRetryableAndCarriesTheDelayItAskedFor")),
                arguments(BrokenTransports.UnboundedMessages.class, List.of(
                        "aServicesLongReasonIsCutShortInTheFailure")),
                arguments(BrokenTransports.IgnoresDeadline.class, List.of(
                        "aRequestWhoseDeadlineHasPassedFailsRetryableWithoutReachingTheService")),
                arguments(BrokenTransports.ForeignOutput.class, List.of(
                        "anOutputComesBackAsEqualPlainJsonValues",
                        "anOutputMayBeAnyJsonValueIncludingNull",
                        "dispatchReturnsBeforeTheServiceAnswers",
                        "aCancelledAttemptStaysCancelledAndTheTransportServesTheNextCall",
                        "concurrentCallsEachGetTheirOwnAnswer",
                        "closeMayBeCalledTwiceAndNoLaterDispatchHangs")),
                arguments(BrokenTransports.HangsAfterClose.class, List.of(
                        "closeMayBeCalledTwiceAndNoLaterDispatchHangs")),
                arguments(BrokenTransports.BreaksAfterCancel.class, List.of(
                        "aCancelledAttemptStaysCancelledAndTheTransportServesTheNextCall")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("flaws")
    void eachFlawFailsExactlyTheTestsThatCoverIt(Class<?> kitRun, List<String> expectedFailures) {
        Events tests = run(kitRun);

        List<String> failed = tests.failed().stream()
                .map(e -> ((org.junit.platform.engine.support.descriptor.MethodSource)
                        e.getTestDescriptor().getSource().orElseThrow()).getMethodName())
                .toList();
        assertThat(failed).containsExactlyInAnyOrderElementsOf(expectedFailures);
        assertThat(tests.succeeded().count()).isEqualTo(17 - expectedFailures.size());
    }

    private static Events run(Class<?> kitRun) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(kitRun)).execute().testEvents();
    }
}
