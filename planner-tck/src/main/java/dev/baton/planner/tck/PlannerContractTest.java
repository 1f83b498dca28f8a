package dev.baton.planner.tck;

import dev.baton.plan.Plan;
import dev.baton.plan.Task;
import dev.baton.planner.Action;
import dev.baton.planner.FixedPlanner;
import dev.baton.planner.NotActionable;
import dev.baton.planner.PlanProblem;
import dev.baton.planner.Planner;
import dev.baton.planner.PlannerException;
import dev.baton.planner.PlanningRequest;
import dev.baton.planner.Revision;
import dev.baton.planner.ServiceCatalog;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.validation.PlanValidator;
import dev.baton.validation.ValidationCode;
import dev.baton.validation.ValidationResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every {@link Planner} honours, as its javadoc states it and the orchestrator relies on it. A planner's
 * test extends this class once, says how to make the planner and gives a request the planner can plan. What only some
 * planners do is in nested kits, which the test adds as {@code @Nested} classes when its planner does it; a planner
 * without them simply has fewer tests:
 *
 * <pre>{@code
 * class MyPlannerContractTest extends PlannerContractTest {
 *     static final ServiceCatalog CATALOG = ServiceCatalog.of(ServiceDescriptor.of("search"), ...);
 *
 *     @Override
 *     protected Planner createPlanner() {
 *         return new MyPlanner(...);
 *     }
 *
 *     @Override
 *     protected PlanningRequest actionableRequest() {
 *         return PlanningRequest.first(Action.of("summarise the news", Map.of("topic", "java")), CATALOG);
 *     }
 *
 *     @Nested
 *     class CannotBeDone extends NotActionableContract {      // the planner can answer "not actionable"
 *         @Override
 *         protected PlanningRequest notActionableRequest() {
 *             return PlanningRequest.first(Action.of("refund the order", Map.of()), CATALOG);
 *         }
 *     }
 *
 *     @Nested
 *     class UnknownIntent extends PlanningFailureContract {   // the planner can fail: one class per way it fails
 *         @Override
 *         protected PlanningRequest unplannableRequest() {
 *             return PlanningRequest.first(Action.of("teleport the order", Map.of()), CATALOG);
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>What the kit checks, for every planner:
 * <ul>
 *   <li>an actionable request gets a plan, not {@code null} and not a not-actionable one, whose tasks (besides
 *       {@code task0}) all name a service of the request's catalog, and which passes the orchestrator's validation
 *       against that catalog once the action's parameters fill {@code task0}, as the orchestrator fills them;</li>
 *   <li>a later attempt, with the previous attempt's problems, and a revision request get a plan (whose tasks
 *       besides {@code task0} name services of the request's catalog), a not-actionable plan or a
 *       {@link PlannerException}, nothing else;</li>
 *   <li>a {@link PlannerException} has an upper-case code and a short message (at most {@link #MAX_MESSAGE_LENGTH}
 *       characters); no other exception escapes a planner;</li>
 *   <li>many calls from {@link #concurrency()} threads at once each get the right answer for their own request;</li>
 *   <li>{@link Planner#name()} is not blank, one short line, and the same on every call.</li>
 * </ul>
 * {@link NotActionableContract} adds that a request the planner cannot do with the catalog's services gets a
 * not-actionable plan with a reason; {@link PlanningFailureContract} that a request the planner cannot plan fails with
 * a {@link PlannerException} whose message does not grow with the request. A {@link PlanningRequest} is deeply
 * immutable, so there is nothing a planner could change in it, and the kit does not test for it.
 *
 * <p>Nothing here sleeps: the concurrent calls start together at a barrier and are awaited with a bound.
 */
public abstract class PlannerContractTest {

    /**
     * The longest {@link PlannerException} message the kit accepts, for any request: messages are recorded with the
     * run and shown to people, so they say what failed and do not quote the request.
     */
    public static final int MAX_MESSAGE_LENGTH = 1_000;
    /** The longest {@link Planner#name()} the kit accepts. */
    public static final int MAX_NAME_LENGTH = 200;

    /** How long the concurrency tests wait for their threads before failing. */
    private static final long WAIT_SECONDS = 120;
    /** The most wrong answers a failed concurrency test lists. */
    private static final int MAX_LISTED = 10;
    private static final Pattern CODE = Pattern.compile("[A-Z0-9_]+"); // as PlannerException says, nothing more

    /** The planner under test, made fresh for each test. */
    protected Planner planner;

    /**
     * Makes a fresh planner.
     *
     * @return the planner; closed by the kit after each test when it is {@link AutoCloseable}
     * @throws Exception if it cannot be made
     */
    protected abstract Planner createPlanner() throws Exception;

    /**
     * A first request ({@link PlanningRequest#first}) that the planner answers with a plan that the orchestrator
     * accepts: every task a service of the request's catalog, valid against it.
     *
     * @return the request; it may be the same on every call
     */
    protected abstract PlanningRequest actionableRequest();

    /**
     * The validator plans are checked with, as the orchestrator builds it: against the request's catalog, with the
     * default limits. A planner meant for an orchestrator with a schema checker or other limits may say so here.
     * Called from the concurrency tests' threads too.
     *
     * @param catalog the request's catalog
     * @return the validator, thread-safe
     */
    protected PlanValidator validator(ServiceCatalog catalog) {
        return PlanValidator.builder().catalog(catalog).build();
    }

    /**
     * How many threads the concurrency tests use, all calling at once.
     *
     * @return thread count, at least 2
     */
    protected int concurrency() {
        return 8;
    }

    /**
     * How many calls each thread of a concurrency test makes, one after the other; a planner whose calls are slow may
     * lower it.
     *
     * @return calls per thread, at least 1
     */
    protected int callsPerThread() {
        return 16;
    }

    /** @throws Exception if the planner cannot be made */
    @BeforeEach
    void setUpPlanner() throws Exception {
        planner = createPlanner();
        assertThat(planner).as("createPlanner()").isNotNull();
    }

    /** @throws Exception if the planner cannot be closed */
    @AfterEach
    void closePlanner() throws Exception {
        if (planner instanceof AutoCloseable c) {
            c.close();
        }
    }

    // ---------------------------------------------------------------- every planner

    @Test
    void anActionableRequestGetsAValidPlan() {
        PlanningRequest request = actionableRequest();
        assertThat(validPlanProblems(request, ask(request))).as("the answer to the actionable request").isEmpty();
    }

    @Test
    void aLaterAttemptWithThePreviousProblemsGetsAPlanOrAPlannerException() {
        PlanningRequest request = actionableRequest().next(List.of(
                new PlanProblem(ValidationCode.UNKNOWN_SERVICE.name(), "task1", "/tasks/1/service",
                        "service 'teleporter' is not in the catalog"),
                new PlanProblem(ValidationCode.CYCLE.name(), null, "", "tasks task1 and task2 depend on each other")));
        assertThat(planOrFailureProblems(request, ask(request))).as("the answer to attempt 2").isEmpty();
    }

    @Test
    void aRevisionRequestGetsAPlanOrAPlannerException() {
        PlanningRequest first = actionableRequest();
        Answer answer = ask(first);
        assertThat(answer.plan()).as("a plan to revise: the answer to the actionable request, which %s",
                describe(answer)).isNotNull();
        Plan inEffect = FixedPlanner.withParams(answer.plan(), first.action().params());
        Task failed = inEffect.tasks().stream().filter(t -> !t.isParams()).findFirst().orElse(null);
        assertThat(failed).as("a task of the plan to revise, %s", inEffect).isNotNull();
        Revision revision = new Revision(inEffect, 1, List.of(), new Revision.FailedTask(failed.id(), failed.service(),
                null, "HANDLER_ERROR", "the service failed for good", 3));
        PlanningRequest request = PlanningRequest.revise(first.action(), first.catalog(), revision);
        assertThat(planOrFailureProblems(request, ask(request))).as("the answer to a revision request").isEmpty();
    }

    @Test
    void concurrentCallsEachGetAValidPlan() throws Exception {
        List<String> wrong = concurrently(List.of(new Expectation("actionable", actionableRequest(),
                this::validPlanProblems)));
        assertThat(wrong).as("wrong answers to concurrent calls").isEmpty();
    }

    @Test
    void nameIsNotBlankShortAndTheSameOnEveryCall() {
        String name = planner.name();
        assertThat(name).as("name()").isNotBlank().hasSizeLessThanOrEqualTo(MAX_NAME_LENGTH)
                .doesNotContain("\n").doesNotContain("\r");
        assertThat(planner.name()).as("name(), called again").isEqualTo(name);
        ask(actionableRequest());
        assertThat(planner.name()).as("name(), after planning").isEqualTo(name);
    }

    // ---------------------------------------------------------------- optional behaviours

    /**
     * The kit for a planner that can answer that an action cannot be done with the services it has: a
     * {@link NotActionable not-actionable} plan. Add it as a {@code @Nested} class of the planner's test.
     */
    public abstract class NotActionableContract {

        /**
         * A first request the planner cannot do with the catalog's services, and answers with a not-actionable plan.
         *
         * @return the request; it may be the same on every call
         */
        protected abstract PlanningRequest notActionableRequest();

        @Test
        void aNotActionableRequestGetsANotActionablePlanWithAReason() {
            PlanningRequest request = notActionableRequest();
            assertThat(notActionableProblems(request, ask(request))).as("the answer to the not-actionable request")
                    .isEmpty();
        }

        @Test
        void concurrentActionableAndNotActionableCallsEachGetTheirOwnAnswer() throws Exception {
            List<String> wrong = concurrently(List.of(
                    new Expectation("actionable", actionableRequest(), PlannerContractTest.this::validPlanProblems),
                    new Expectation("not actionable", notActionableRequest(),
                            PlannerContractTest.this::notActionableProblems)));
            assertThat(wrong).as("wrong answers to concurrent calls").isEmpty();
        }
    }

    /**
     * The kit for a planner that can fail to plan: a {@link PlannerException} (or a subtype), never another
     * exception. Add it as a {@code @Nested} class of the planner's test, once for each way the planner fails.
     */
    public abstract class PlanningFailureContract {

        /**
         * A first request the planner cannot plan, and answers with a {@link PlannerException}. Adding services,
         * parameters and previous problems that have nothing to do with it must not make it plannable: the kit pads
         * it so to check that the failure's message does not grow with the request.
         *
         * @return the request; it may be the same on every call
         */
        protected abstract PlanningRequest unplannableRequest();

        @Test
        void anUnplannableRequestFailsWithAPlannerException() {
            PlanningRequest request = unplannableRequest();
            assertThat(failureProblems(request, ask(request))).as("the answer to the unplannable request").isEmpty();
        }

        @Test
        void aFailureMessageIsShortAndDoesNotQuoteTheRequest() {
            PlanningRequest request = Padding.pad(unplannableRequest());
            Answer answer = ask(request);
            List<String> problems = new ArrayList<>(failureProblems(request, answer));
            if (answer.thrown() instanceof PlannerException e && e.getMessage() != null) {
                Padding.quoted(e.getMessage()).ifPresent(q -> problems.add("its message quotes the request: " + q));
            }
            assertThat(problems).as("the answer to the unplannable request padded with %d services, a parameter of "
                    + "%d characters and %d previous problems", Padding.SERVICES, Padding.PARAM_LENGTH,
                    Padding.PROBLEMS).isEmpty();
        }

        @Test
        void concurrentActionableAndUnplannableCallsEachGetTheirOwnAnswer() throws Exception {
            List<String> wrong = concurrently(List.of(
                    new Expectation("actionable", actionableRequest(), PlannerContractTest.this::validPlanProblems),
                    new Expectation("unplannable", unplannableRequest(), PlannerContractTest.this::failureProblems)));
            assertThat(wrong).as("wrong answers to concurrent calls").isEmpty();
        }
    }

    // ---------------------------------------------------------------- answers and their checks

    /** What one call did: returned a plan (perhaps {@code null}) or threw. */
    private record Answer(Plan plan, Throwable thrown) {
    }

    /** A request and what makes an answer to it right. */
    private record Expectation(String label, PlanningRequest request,
                               BiFunction<PlanningRequest, Answer, List<String>> check) {
    }

    private Answer ask(PlanningRequest request) {
        try {
            return new Answer(planner.plan(request), null);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            return new Answer(null, e);
        }
    }

    private static String describe(Answer a) {
        if (a.thrown() != null) {
            return "threw " + a.thrown().getClass().getName() + ": " + abbreviate(a.thrown().getMessage());
        }
        if (a.plan() == null) {
            return "returned null";
        }
        Optional<String> reason = NotActionable.reason(a.plan());
        return reason.map(r -> "answered not actionable (" + abbreviate(r) + ")")
                .orElseGet(() -> "returned " + abbreviate(a.plan().toJsonMap().toString(), 500));
    }

    private static String abbreviate(String s) {
        return abbreviate(s, 200);
    }

    private static String abbreviate(String s, int max) {
        if (s == null) {
            return "null";
        }
        return s.length() > max ? s.substring(0, max) + "... (" + s.length() + " characters)" : s;
    }

    /** An answer that is a plan the orchestrator accepts for the request. */
    private List<String> validPlanProblems(PlanningRequest request, Answer a) {
        if (a.plan() == null || NotActionable.test(a.plan())) {
            return List.of("expected a plan, but the planner " + describe(a));
        }
        List<String> problems = catalogProblems(request, a.plan());
        // the orchestrator fills task0 from the action before it validates; so does the kit
        ValidationResult result = validator(request.catalog())
                .validate(FixedPlanner.withParams(a.plan(), request.action().params()));
        if (!result.isValid()) {
            problems.add("the orchestrator's validation rejects the plan: " + abbreviate(result.errors().toString(), 600)
                    + "; the plan: " + abbreviate(a.plan().toJsonMap().toString(), 300));
        }
        return problems;
    }

    /** What of a plan's tasks (besides {@code task0}) names no service of the request's catalog. */
    private static List<String> catalogProblems(PlanningRequest request, Plan plan) {
        List<String> problems = new ArrayList<>();
        for (Task t : plan.tasks()) {
            if (t.isParams()) {
                continue;
            }
            if (t.service() == null || t.service().isEmpty()) {
                problems.add("task " + t.id() + " names no service");
            } else if (!request.catalog().contains(t.service())) {
                problems.add("task " + t.id() + " names service '" + t.service()
                        + "', which is not in the request's catalog " + request.catalog().versions().keySet());
            }
        }
        return problems;
    }

    /** An answer that is a not-actionable plan with a reason. */
    private List<String> notActionableProblems(PlanningRequest request, Answer a) {
        if (a.plan() == null) {
            return List.of("expected a not-actionable plan, but the planner " + describe(a));
        }
        Optional<String> reason = NotActionable.reason(a.plan());
        if (reason.isEmpty()) {
            return List.of("expected a not-actionable plan, but the planner " + describe(a));
        }
        return reason.get().isBlank() ? List.of("the not-actionable plan gives a blank reason") : List.of();
    }

    /** An answer that is a well-formed {@link PlannerException}. */
    private List<String> failureProblems(PlanningRequest request, Answer a) {
        if (a.thrown() instanceof PlannerException e) {
            return exceptionProblems(e);
        }
        return List.of("expected a PlannerException, but the planner " + describe(a));
    }

    /**
     * An answer that is a not-actionable plan, a plan whose tasks name services of the request's catalog, or a
     * well-formed {@link PlannerException}. Whether a later attempt's or a revision's plan passes validation is left to
     * the orchestrator, which asks again when it does not.
     */
    private List<String> planOrFailureProblems(PlanningRequest request, Answer a) {
        if (a.plan() != null) {
            return NotActionable.test(a.plan()) ? List.of() : catalogProblems(request, a.plan());
        }
        if (a.thrown() instanceof PlannerException e) {
            return exceptionProblems(e);
        }
        return List.of("expected a plan or a PlannerException, but the planner " + describe(a));
    }

    private static List<String> exceptionProblems(PlannerException e) {
        List<String> problems = new ArrayList<>();
        if (e.code() == null || !CODE.matcher(e.code()).matches()) {
            problems.add("the PlannerException's code '" + e.code() + "' is not upper-case letters, digits and _");
        }
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            problems.add("the " + e.getClass().getSimpleName() + " (" + e.code() + ") has no message");
        } else if (message.length() > MAX_MESSAGE_LENGTH) {
            problems.add("the " + e.getClass().getSimpleName() + " (" + e.code() + ") has a message of "
                    + message.length() + " characters, more than " + MAX_MESSAGE_LENGTH + ": " + abbreviate(message));
        }
        return problems;
    }

    // ---------------------------------------------------------------- concurrency

    /**
     * Makes {@link #callsPerThread()} calls on each of {@link #concurrency()} threads started together; call k of
     * thread t asks for expectation (t + k) mod n, so that every round of calls mixes the requests.
     *
     * @return the wrong answers, one line per call, at most {@link #MAX_LISTED} of them listed
     */
    private List<String> concurrently(List<Expectation> expectations) throws Exception {
        int threads = concurrency();
        int calls = callsPerThread();
        if (threads < 2 || calls < 1) {
            throw new IllegalStateException("concurrency() must be at least 2 and callsPerThread() at least 1, were "
                    + threads + " and " + calls);
        }
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<String> wrong = new ArrayList<>();
        int count = 0;
        try {
            List<Future<List<String>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await(WAIT_SECONDS, TimeUnit.SECONDS);
                    List<String> out = new ArrayList<>();
                    for (int k = 0; k < calls; k++) {
                        Expectation e = expectations.get((thread + k) % expectations.size());
                        List<String> problems = e.check().apply(e.request(), ask(e.request()));
                        if (!problems.isEmpty()) {
                            out.add("thread " + thread + ", call " + k + " (" + e.label() + " request): "
                                    + String.join("; ", problems));
                        }
                    }
                    return out;
                }));
            }
            for (Future<List<String>> f : futures) {
                for (String w : f.get(WAIT_SECONDS, TimeUnit.SECONDS)) {
                    if (count++ < MAX_LISTED) {
                        wrong.add(w);
                    }
                }
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS);
        }
        if (count > MAX_LISTED) {
            wrong.add("... and " + (count - MAX_LISTED) + " more: " + count + " of " + threads * calls + " calls got a wrong answer");
        }
        return wrong;
    }

    // ---------------------------------------------------------------- padding

    /** Pads a request with services, a parameter and previous problems it has no use for. */
    private static final class Padding {
        static final int SERVICES = 100;
        static final int PROBLEMS = 20;
        static final int PARAM_LENGTH = 4_000;
        static final String PARAM = "tckPadding";
        /** Text that only the padding holds; a message quoting any of it quotes the request. */
        static final String MARK = "padding-text-";

        private Padding() {
        }

        static String description(int i) {
            return MARK + "service-" + i + ": a service the planner contract kit adds; no plan needs it";
        }

        static String problem(int i) {
            return MARK + "problem-" + i + ": a previous problem the planner contract kit adds";
        }

        static String param() {
            StringBuilder sb = new StringBuilder(PARAM_LENGTH);
            while (sb.length() < PARAM_LENGTH) {
                sb.append(MARK).append("value ");
            }
            return sb.substring(0, PARAM_LENGTH);
        }

        static PlanningRequest pad(PlanningRequest r) {
            ServiceCatalog catalog = r.catalog();
            for (int i = 0; i < SERVICES; i++) {
                catalog = catalog.with(ServiceDescriptor.builder("tck-padding-service-" + i).description(description(i))
                        .build());
            }
            Map<String, Object> params = new LinkedHashMap<>(r.action().params());
            params.put(PARAM, param());
            Action a = r.action();
            Action.Builder b = Action.builder(a.intent()).params(params);
            a.webhook().ifPresent(b::webhook);
            a.runId().ifPresent(b::runId);
            a.correlationId().ifPresent(b::correlationId);
            b.replanOnFailure(a.maxRevisions());
            List<PlanProblem> problems = new ArrayList<>(r.previousProblems());
            for (int i = 0; i < PROBLEMS; i++) {
                problems.add(new PlanProblem(ValidationCode.UNKNOWN_SERVICE.name(), "task" + (i + 1),
                        "/tasks/" + (i + 1) + "/service", problem(i)));
            }
            return new PlanningRequest(b.build(), catalog, r.attempt() + 1, problems, r.revision());
        }

        /** @return what the message quotes of the padding, if it quotes any */
        static Optional<String> quoted(String message) {
            int at = message.indexOf(MARK);
            if (at < 0) {
                return Optional.empty();
            }
            return Optional.of(abbreviate(message.substring(at, Math.min(message.length(), at + 80))));
        }
    }
}
