package dev.baton.planner.tck;

import org.junit.jupiter.api.Test;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * The kit can fail: run against planners that each break one rule, exactly the kit tests for that rule fail, and
 * against a correct planner every kit test passes. None is ever skipped.
 */
class PlannerContractKitTest {

    private static final String ACTIONABLE = "anActionableRequestGetsAValidPlan";
    private static final String LATER_ATTEMPT = "aLaterAttemptWithThePreviousProblemsGetsAPlanOrAPlannerException";
    private static final String REVISION = "aRevisionRequestGetsAPlanOrAPlannerException";
    private static final String CONCURRENT = "concurrentCallsEachGetAValidPlan";
    private static final String NAME = "nameIsNotBlankShortAndTheSameOnEveryCall";
    private static final String NOT_ACTIONABLE = "aNotActionableRequestGetsANotActionablePlanWithAReason";
    private static final String CONCURRENT_NOT_ACTIONABLE = "concurrentActionableAndNotActionableCallsEachGetTheirOwnAnswer";
    private static final String FAILURE = "anUnplannableRequestFailsWithAPlannerException";
    private static final String FAILURE_MESSAGE = "aFailureMessageIsShortAndDoesNotQuoteTheRequest";
    private static final String CONCURRENT_FAILURE = "concurrentActionableAndUnplannableCallsEachGetTheirOwnAnswer";

    private static final Set<String> EVERY_PLANNER = Set.of(ACTIONABLE, LATER_ATTEMPT, REVISION, CONCURRENT, NAME);
    private static final Set<String> WHOLE_KIT = Set.of(ACTIONABLE, LATER_ATTEMPT, REVISION, CONCURRENT, NAME,
            NOT_ACTIONABLE, CONCURRENT_NOT_ACTIONABLE, FAILURE, FAILURE_MESSAGE, CONCURRENT_FAILURE);

    /** What one run of a kit did: every test that ran, and the failed ones with their failure's message. */
    private record Run(Set<String> ran, Map<String, String> failed) {
    }

    private static Run run(Class<?> kit) {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(kit)).execute();
        assertThat(results.containerEvents().failed().count()).as("failed containers").isZero();
        Events tests = results.testEvents();
        assertThat(tests.skipped().count()).as("skipped tests").isZero();
        assertThat(tests.aborted().count()).as("aborted tests").isZero();
        Map<String, String> failed = new TreeMap<>();
        tests.failed().stream().forEach(e -> failed.put(method(e), String.valueOf(e.getPayload(
                org.junit.platform.engine.TestExecutionResult.class).flatMap(r -> r.getThrowable())
                .map(Throwable::getMessage).orElse(null))));
        Set<String> ran = new java.util.TreeSet<>();
        tests.started().stream().forEach(e -> ran.add(method(e)));
        assertThat(tests.finished().count()).as("finished tests").isEqualTo(ran.size());
        return new Run(ran, failed);
    }

    private static String method(Event e) {
        return e.getTestDescriptor().getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast)
                .map(MethodSource::getMethodName).orElseThrow();
    }

    @Test
    void aCorrectPlannerPassesTheWholeKit() {
        Run r = run(KitRuns.Correct.class);
        assertThat(r.ran()).isEqualTo(WHOLE_KIT);
        assertThat(r.failed()).isEmpty();
    }

    @Test
    void aPlannerWithoutTheOptionalBehavioursRunsFewerTestsAndPassesThem() {
        Run r = run(KitRuns.ActionableOnly.class);
        assertThat(r.ran()).isEqualTo(EVERY_PLANNER);
        assertThat(r.failed()).isEmpty();
    }

    @Test
    void aTaskForAServiceOutsideTheCatalogFailsEveryTestThatWantsAPlanOfTheCatalog() {
        Run r = run(KitRuns.UnknownService.class);
        assertThat(r.ran()).isEqualTo(WHOLE_KIT);
        assertThat(r.failed()).containsOnlyKeys(ACTIONABLE, LATER_ATTEMPT, REVISION, CONCURRENT,
                CONCURRENT_NOT_ACTIONABLE, CONCURRENT_FAILURE);
        assertThat(r.failed().get(ACTIONABLE)).contains("task task2 names service 'teleporter', which is not in the "
                + "request's catalog", "UNKNOWN_SERVICE");
    }

    @Test
    void aTaskForAServiceOutsideTheCatalogOnALaterAttemptOrARevisionFailsThoseTests() {
        Run r = run(KitRuns.UnknownServiceWhenAskedAgain.class);
        assertThat(r.ran()).isEqualTo(WHOLE_KIT);
        assertThat(r.failed()).containsOnlyKeys(LATER_ATTEMPT, REVISION);
        assertThat(r.failed().get(LATER_ATTEMPT)).contains("task task2 names service 'teleporter', which is not in "
                + "the request's catalog");
        assertThat(r.failed().get(REVISION)).contains("'teleporter'");
    }

    @Test
    void aCodeOfDigitsAndUpperCaseLettersPassesWhateverItStartsWith() {
        Run r = run(KitRuns.CodeStartingWithADigit.class);
        assertThat(r.ran()).isEqualTo(WHOLE_KIT);
        assertThat(r.failed()).isEmpty();
    }

    @Test
    void anIllegalStateExceptionInsteadOfAPlannerExceptionFailsTheFailureTests() {
        Run r = run(KitRuns.ThrowsIllegalState.class);
        assertThat(r.failed()).containsOnlyKeys(FAILURE, FAILURE_MESSAGE, CONCURRENT_FAILURE);
        assertThat(r.failed().get(FAILURE)).contains("expected a PlannerException",
                "threw java.lang.IllegalStateException: no teleporter");
    }

    @Test
    void aNullPlanOnALaterAttemptFailsThatTest() {
        Run r = run(KitRuns.NullOnLaterAttempt.class);
        assertThat(r.failed()).containsOnlyKeys(LATER_ATTEMPT);
        assertThat(r.failed().get(LATER_ATTEMPT)).contains("returned null");
    }

    @Test
    void aMessageQuotingTheRequestFailsOnceTheRequestIsLarge() {
        Run r = run(KitRuns.QuotesTheRequest.class);
        assertThat(r.failed()).containsOnlyKeys(FAILURE_MESSAGE);
        assertThat(r.failed().get(FAILURE_MESSAGE)).contains("more than " + PlannerContractTest.MAX_MESSAGE_LENGTH,
                "its message quotes the request");
    }

    @Test
    void anOrdinaryPlanWhereTheAnswerIsNotActionableFailsTheNotActionableTests() {
        Run r = run(KitRuns.NeverNotActionable.class);
        assertThat(r.failed()).containsOnlyKeys(NOT_ACTIONABLE, CONCURRENT_NOT_ACTIONABLE);
        assertThat(r.failed().get(NOT_ACTIONABLE)).contains("expected a not-actionable plan");
    }

    @Test
    void aNameThatChangesFailsTheNameTest() {
        Run r = run(KitRuns.UnstableName.class);
        assertThat(r.failed()).containsOnlyKeys(NAME);
        assertThat(r.failed().get(NAME)).contains("minimal-1", "minimal-2");
    }

    @Test
    void tasksBuiltInASharedListFailEveryConcurrencyTest() {
        Run r = run(KitRuns.SharedTaskList.class);
        assertThat(r.failed()).containsOnlyKeys(CONCURRENT, CONCURRENT_NOT_ACTIONABLE, CONCURRENT_FAILURE);
        assertThat(r.failed().get(CONCURRENT)).contains("DUPLICATE_TASK_ID", "128 of 128 calls got a wrong answer");
    }

    @Test
    void aRequestKeptInAFieldFailsTheConcurrencyTestsThatMixRequests() {
        // with one request for every call, answering another call's request is still right
        Run r = run(KitRuns.LastRequestWins.class);
        assertThat(r.failed()).containsOnlyKeys(CONCURRENT_NOT_ACTIONABLE, CONCURRENT_FAILURE);
        assertThat(r.failed().get(CONCURRENT_NOT_ACTIONABLE)).contains("expected a");
        // 8 threads meet 16 times; each time the 4 calls whose request was not the last one set get a wrong answer
        assertThat(r.failed().get(CONCURRENT_FAILURE)).contains("64 of 128 calls got a wrong answer");
    }
}
