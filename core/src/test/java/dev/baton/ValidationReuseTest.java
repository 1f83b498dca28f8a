package dev.baton;

import dev.baton.plan.Plan;
import dev.baton.planner.Action;
import dev.baton.planner.FixedPlanner;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.validation.ValidationCode;
import dev.baton.validation.ValidationError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A plan instance that validated against a state of the catalog is not validated again when it is submitted again
 * against that state; anything else is. Validations are counted through the schema checker: plan validation asks it
 * once per validation to check the input schema of the one service here ({@code checkSchema}), and nothing else does.
 */
class ValidationReuseTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final RequiredOnlySchemaChecker checker = new RequiredOnlySchemaChecker();
    /** Plan validations: each asks the checker once to check the one service's input schema. */
    private final AtomicInteger validations = checker.schemaChecks;
    private final List<Orchestrator> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() {
        toClose.forEach(Orchestrator::close);
    }

    private static ServiceDescriptor svc(String label, String required) {
        return ServiceDescriptor.builder("svc").version(label).inputSchema(Map.of("required", List.of(required))).build();
    }

    private Orchestrator.Builder builder() {
        return Orchestrator.builder().schemaChecker(checker)
                .service(svc("1", "x"), ctx -> Map.of("x", ctx.input().get("x")), ServiceOptions.defaults());
    }

    private Orchestrator keep(Orchestrator o) {
        toClose.add(o);
        return o;
    }

    private static Plan plan() {
        return Plan.builder().params(Map.of("seed", 7))
                .task("a", "svc", Map.of("x", "$task0.seed"))
                .task("b", "svc", Map.of("x", "$a.x"))
                .build();
    }

    private static RunOptions id(String runId) {
        return RunOptions.builder().runId(runId).build();
    }

    @Test
    void theSamePlanInstanceSubmittedAgainIsValidatedOnce() {
        Orchestrator o = keep(builder().build());
        Plan plan = plan();

        RunResult first = o.submit(plan, id("r1")).await(WAIT);
        RunResult second = o.submit(plan, id("r2")).await(WAIT);
        RunResult again = o.submit(plan, id("r1")).await(WAIT); // the same run id: the same run

        assertThat(List.of(first, second, again)).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.output("b")).isEqualTo(Map.of("x", 7));
        });
        assertThat(again.runId()).isEqualTo("r1");
        assertThat(validations).hasValue(1);
        assertThat(o.inspect("r2").orElseThrow().serviceVersions()).containsExactly(Map.entry("svc", 1));
    }

    @Test
    void anEqualButDistinctPlanIsValidatedAgain() {
        Orchestrator o = keep(builder().build());
        Plan one = plan();
        Plan other = plan();
        assertThat(other).isEqualTo(one).isNotSameAs(one);

        o.submit(one, id("one")).await(WAIT);
        o.submit(other, id("other")).await(WAIT);
        assertThat(validations).hasValue(2);

        o.submit(one, id("one-again")).await(WAIT);
        o.submit(other, id("other-again")).await(WAIT);
        assertThat(validations).as("both are remembered").hasValue(2);
    }

    @Test
    void eightPlansAreRememberedAndANinthTakesTheOldestPlace() {
        Orchestrator o = keep(builder().build());
        List<Plan> plans = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            plans.add(plan());
        }
        for (int i = 0; i < 8; i++) {
            o.submit(plans.get(i), id("p" + i)).await(WAIT);
        }
        for (int i = 0; i < 8; i++) {
            o.submit(plans.get(i), id("q" + i)).await(WAIT);
        }
        assertThat(validations).hasValue(8);

        o.submit(plans.get(8), id("p8")).await(WAIT);
        o.submit(plans.get(1), id("r1")).await(WAIT);
        assertThat(validations).as("the ninth plan is remembered, the second still is").hasValue(9);
        o.submit(plans.get(0), id("r0")).await(WAIT);
        assertThat(validations).as("the first one made room: the memo is bounded").hasValue(10);
    }

    @Test
    void aPlanIsValidatedAgainAfterTheCatalogChanged() {
        Orchestrator o = keep(builder().build());
        Plan plan = plan();
        o.submit(plan, id("before")).await(WAIT);

        o.registerService("other", ctx -> "o"); // a new state of the catalog, which this plan does not use
        assertThat(o.submit(plan, id("after-other")).await(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(validations).hasValue(2);

        // a new version of the plan's service, whose input schema the plan does not meet: the earlier result is not used
        assertThat(o.registerService(svc("2", "y"), ctx -> "v2", ServiceOptions.defaults())).isEqualTo(2);
        InvalidPlanException e = catchThrowableOfType(InvalidPlanException.class,
                () -> o.submit(plan, id("after-v2")));
        assertThat(e.errors()).extracting(ValidationError::code).containsOnly(ValidationCode.SCHEMA_VIOLATION);
        assertThat(e.errors()).extracting(ValidationError::taskId).containsExactly("a", "b");
        assertThat(validations).hasValue(3);
        assertThat(o.inspect("after-v2")).isEmpty();
    }

    @Test
    void anInvalidPlanIsValidatedAndRejectedWithEveryErrorEachTime() {
        Orchestrator o = keep(builder().build());
        Plan invalid = Plan.builder()
                .task("a", "svc", Map.of("z", 1))          // misses the required x
                .task("b", "nowhere", Map.of("in", "$a"))  // no such service
                .task("c", "svc", Map.of("x", "$ghost"))   // no such task
                .build();

        for (int i = 1; i <= 3; i++) {
            String runId = "bad-" + i;
            InvalidPlanException e = catchThrowableOfType(InvalidPlanException.class,
                    () -> o.submit(invalid, id(runId)));
            assertThat(e.errors()).extracting(ValidationError::code).containsExactlyInAnyOrder(
                    ValidationCode.SCHEMA_VIOLATION, ValidationCode.UNKNOWN_SERVICE, ValidationCode.DANGLING_REFERENCE);
            assertThat(validations).hasValue(i);
            assertThat(o.inspect(runId)).isEmpty();
        }
    }

    @Test
    void eightThreadsSubmittingOnePlanAllComplete() throws Exception {
        Orchestrator o = keep(builder().build());
        Plan plan = plan();
        int threads = 8;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<RunResult>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String runId = "c" + t;
                results.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return o.submit(plan, id(runId)).await(WAIT);
                }));
            }
            for (int t = 0; t < threads; t++) {
                RunResult r = results.get(t).get(20, TimeUnit.SECONDS);
                assertThat(r.runId()).isEqualTo("c" + t);
                assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
                assertThat(r.outputs()).containsOnly(Map.entry("a", Map.of("x", 7)), Map.entry("b", Map.of("x", 7)));
            }
        } finally {
            pool.shutdownNow();
        }
        // threads that missed at once each validated (a benign race); once remembered, no one validates again
        int raced = validations.get();
        assertThat(raced).isBetween(1, threads);
        assertThat(o.submit(plan, id("late")).await(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(validations).hasValue(raced);
    }

    @Test
    void anActionsPlanIsValidatedOnceBetweenPlanningAndTheRun() {
        Orchestrator o = keep(builder().planner(FixedPlanner.of(plan())).build());

        RunResult r = o.submit(Action.builder("echo").param("seed", 3).runId("act").build()).await(WAIT);

        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(r.output("b")).isEqualTo(Map.of("x", 3));
        assertThat(validations).as("planning validated it; the submit reused that").hasValue(1);
    }

    @Test
    void aNullPlanIsStillRefused() {
        Orchestrator o = keep(builder().build());
        assertThatThrownBy(() -> o.submit((Plan) null, id("null"))).isInstanceOf(NullPointerException.class);
    }
}
