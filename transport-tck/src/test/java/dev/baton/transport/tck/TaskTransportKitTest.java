package dev.baton.transport.tck;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import dev.baton.transport.tck.InProcessTransport.Flaw;
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
        assertThat(tests.succeeded().count()).isEqualTo(18);
    }

    static Stream<Arguments> flaws() {
        return Stream.of(
                arguments(Flaw.WRONG_IDEMPOTENCY_KEY, List.of(
                        "everyFieldOfTheRequestReachesTheServiceWithTheExecutionIdAsIdempotencyKey",
                        "aRequestWithoutCorrelationIdOrDeadlineReachesTheServiceWithout",
                        "everyAttemptOfATaskCarriesItsNumberAndTheSameIdempotencyKey")),
                arguments(Flaw.DERIVES_EXECUTION_ID, List.of(
                        "everyFieldOfTheRequestReachesTheServiceWithTheExecutionIdAsIdempotencyKey")),
                arguments(Flaw.DROPS_CORRELATION_ID, List.of(
                        "everyFieldOfTheRequestReachesTheServiceWithTheExecutionIdAsIdempotencyKey")),
                arguments(Flaw.BLOCKS_IN_DISPATCH, List.of(
                        "dispatchReturnsBeforeTheServiceAnswers",
                        "aCancelledAttemptStaysCancelledAndTheTransportServesTheNextCall",
                        "aCallAnsweredFirstGetsItsOwnAnswerWhileAnEarlierCallStillWaits")),
                arguments(Flaw.RETRIES_REJECTIONS, List.of(
                        "aRejectionIsNotRetryableAndSaysWhy",
                        "aServicesLongReasonIsCutShortInTheFailure")),
                arguments(Flaw.DROPS_RETRY_AFTER, List.of(
                        "anUnavailableServiceIsRetryableAndCarriesTheDelayItAskedFor")),
                arguments(Flaw.UNBOUNDED_MESSAGES, List.of(
                        "aServicesLongReasonIsCutShortInTheFailure")),
                arguments(Flaw.IGNORES_DEADLINE, List.of(
                        "aRequestWhoseDeadlineHasPassedFailsRetryableWithoutReachingTheService")),
                arguments(Flaw.FOREIGN_OUTPUT, List.of(
                        "anOutputComesBackAsEqualPlainJsonValues",
                        "anOutputMayBeAnyJsonValueIncludingNull",
                        "dispatchReturnsBeforeTheServiceAnswers",
                        "aCancelledAttemptStaysCancelledAndTheTransportServesTheNextCall",
                        "concurrentCallsEachGetTheirOwnAnswer",
                        "aCallAnsweredFirstGetsItsOwnAnswerWhileAnEarlierCallStillWaits",
                        "closeMayBeCalledTwiceAndNoLaterDispatchHangs")),
                arguments(Flaw.HANGS_AFTER_CLOSE, List.of(
                        "closeMayBeCalledTwiceAndNoLaterDispatchHangs")),
                arguments(Flaw.BREAKS_AFTER_CANCEL, List.of(
                        "aCancelledAttemptStaysCancelledAndTheTransportServesTheNextCall")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("flaws")
    void eachFlawFailsExactlyTheTestsThatCoverIt(Flaw flaw, List<String> expectedFailures) {
        BrokenTransports.flaw = flaw;
        Events tests = run(BrokenTransports.Broken.class);

        List<String> failed = tests.failed().stream()
                .map(e -> ((org.junit.platform.engine.support.descriptor.MethodSource)
                        e.getTestDescriptor().getSource().orElseThrow()).getMethodName())
                .toList();
        assertThat(failed).containsExactlyInAnyOrderElementsOf(expectedFailures);
        assertThat(tests.succeeded().count()).isEqualTo(18 - expectedFailures.size());
    }

    @Test
    void answersMatchedToCallsByOrderFailTheTestThatAnswersOutOfOrder() {
        // the many concurrent calls mostly catch it too, and the cancelled call may take the next one's answer, but
        // only as the threads happen to run: not counted on
        BrokenTransports.flaw = Flaw.ANSWERS_IN_CALL_ORDER;
        Events tests = run(BrokenTransports.Broken.class);

        List<String> failed = tests.failed().stream()
                .map(e -> ((org.junit.platform.engine.support.descriptor.MethodSource)
                        e.getTestDescriptor().getSource().orElseThrow()).getMethodName())
                .toList();
        assertThat(failed).contains("aCallAnsweredFirstGetsItsOwnAnswerWhileAnEarlierCallStillWaits")
                .isSubsetOf("aCallAnsweredFirstGetsItsOwnAnswerWhileAnEarlierCallStillWaits",
                        "concurrentCallsEachGetTheirOwnAnswer",
                        "aCancelledAttemptStaysCancelledAndTheTransportServesTheNextCall");
    }

    private static Events run(Class<?> kitRun) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(kitRun)).execute().testEvents();
    }
}
