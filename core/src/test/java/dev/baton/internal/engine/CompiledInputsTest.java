package dev.baton.internal.engine;

import dev.baton.ServiceOptions;
import dev.baton.plan.Plan;
import dev.baton.plan.Reference;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.validation.PlanGraph;
import dev.baton.validation.PlanValidator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompiledInputsTest {

    private static final Plan PLAN = Plan.builder()
            .params(Map.of("k", "K", "nested", Map.of("deep", List.of(1, 2))))
            .task("a", "s", Map.of())
            .task("b", "s", ordered("x", "$a.v", "whole", "$a", "p", "$task0.nested.deep[1]", "lit", "$$lit",
                    "n", 3, "plain", Map.of("q", List.of("text")), "nil", "$a.nil"))
            .task("c", "s", Map.of("y", Map.of("z", List.of(1, "$a.v"))))
            .task("d", "s", ordered("only", "$$escaped", "n", 1))
            .task("e", "s", ordered("n", 1, "list", List.of("no dollar")))
            .task("f", "s", ordered("m", "$a.missing"))
            .task("g", "s", ordered("esc", List.of("$$deep")))
            .build();
    private static final PlanGraph GRAPH = PlanValidator.defaults().validate(PLAN).graph().orElseThrow();
    private static final Map<String, Object> A_OUTPUT = dev.baton.plan.JsonValues.freezeObject(
            ordered("v", 5, "nil", null));

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Outputs as a run sees them: {@code a} completed, or nothing completed yet. */
    private static IntFunction<Object> at(boolean aDone) {
        int a = GRAPH.indexOf("a");
        return p -> p == a && aDone ? A_OUTPUT : InputResolver.MISSING;
    }

    private static Function<String, Object> byId(boolean aDone) {
        return id -> id.equals(Reference.PARAMS_TASK) ? GRAPH.params()
                : id.equals("a") && aDone ? A_OUTPUT : InputResolver.MISSING;
    }

    private static Map<String, Object> resolve(CompiledInputs inputs, String task, boolean aDone) {
        return inputs.resolve(GRAPH.indexOf(task), at(aDone), byId(aDone), Reference::parse);
    }

    private static Map<String, Object> walk(String task) {
        return InputResolver.resolve(GRAPH.task(GRAPH.indexOf(task)).input(), byId(true));
    }

    @Test
    void everyShapeOfInputResolvesAsTheWalkDoesInTheInputsOrder() {
        CompiledInputs inputs = new CompiledInputs(GRAPH);
        for (String task : List.of("a", "b", "c", "d", "e", "g")) {
            for (int round = 0; round < 2; round++) { // compiled on the first dispatch, used as compiled on the next
                Map<String, Object> r = resolve(inputs, task, true);
                assertThat(r).as(task).isEqualTo(walk(task));
                assertThat(r.keySet()).as(task)
                        .containsExactlyElementsOf(GRAPH.task(GRAPH.indexOf(task)).input().keySet());
                assertThatThrownBy(() -> r.put("new", 1)).isInstanceOf(UnsupportedOperationException.class);
            }
        }
        Map<String, Object> b = resolve(inputs, "b", true);
        assertThat(b).containsEntry("x", 5).containsEntry("whole", A_OUTPUT).containsEntry("p", 2)
                .containsEntry("lit", "$lit").containsEntry("n", 3).containsEntry("nil", null);
        assertThat(b.get("whole")).isSameAs(A_OUTPUT); // a producer's output is shared, not copied
        assertThat(resolve(inputs, "c", true)).isEqualTo(Map.of("y", Map.of("z", List.of(1, 5))));
        assertThat(resolve(inputs, "g", true)).isEqualTo(Map.of("esc", List.of("$deep")));
    }

    @Test
    void anInputWithoutReferencesIsResolvedOnceAndSharedByEveryDispatch() {
        CompiledInputs inputs = new CompiledInputs(GRAPH);
        Map<String, Object> e = GRAPH.task(GRAPH.indexOf("e")).input();
        assertThat(resolve(inputs, "e", false)).isSameAs(e); // nothing to replace: the planned input itself
        Map<String, Object> d = resolve(inputs, "d", false);
        assertThat(d).isEqualTo(Map.of("only", "$escaped", "n", 1));
        assertThat(resolve(inputs, "d", true)).isSameAs(d); // escapes only: unescaped once, then shared
        assertThat(resolve(inputs, "a", false)).isSameAs(GRAPH.task(GRAPH.indexOf("a")).input());
    }

    @Test
    void aFailedLookUpNamesItsPointerAsTheWalkDoes() {
        CompiledInputs inputs = new CompiledInputs(GRAPH);
        for (int round = 0; round < 2; round++) {
            assertThatThrownBy(() -> resolve(inputs, "f", true))
                    .isInstanceOf(InputResolver.UnresolvedReferenceException.class)
                    .hasMessageContaining("'$a.missing' at /m")
                    .hasMessageContaining("'a' output has no 'missing'");
            assertThatThrownBy(() -> resolve(inputs, "b", false))
                    .isInstanceOf(InputResolver.UnresolvedReferenceException.class)
                    .hasMessageContaining("'$a.v' at /x")
                    .hasMessageContaining("task 'a' has no output");
            assertThatThrownBy(() -> resolve(inputs, "c", false))
                    .hasMessageContaining("at /y/z/1");
        }
        // the failures left nothing behind: the same inputs resolve once the producer has completed
        assertThat(resolve(inputs, "b", true)).isEqualTo(walk("b"));
    }

    @Test
    void aCatalogSharesOneCompiledInputsPerRememberedPlanInstance() {
        ServiceRegistry registry = new ServiceRegistry(Map.of("s", new ServiceBinding(ServiceDescriptor.of("s"),
                ctx -> null, null, ServiceOptions.defaults())), PlanValidator.defaults(), b -> { });
        ServiceRegistry.Catalog catalog = registry.current();
        PlanGraph graph = catalog.validate(PLAN).graph().orElseThrow();
        CompiledInputs first = catalog.inputs(graph);
        assertThat(first.graph()).isSameAs(graph);
        assertThat(catalog.inputs(catalog.validate(PLAN).graph().orElseThrow())).isSameAs(first);
        // a graph the catalog does not remember gets inputs of its own, which it does not keep
        CompiledInputs other = catalog.inputs(GRAPH);
        assertThat(other).isNotSameAs(first);
        assertThat(other.graph()).isSameAs(GRAPH);
        assertThat(catalog.inputs(GRAPH)).isNotSameAs(other);
    }

    @Test
    void threadsResolvingOnePlanAtOnceAllSeeTheSameValues() throws Exception {
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int trial = 0; trial < 200; trial++) {
                CompiledInputs inputs = new CompiledInputs(GRAPH); // compiled by whichever thread comes first
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<List<Map<String, Object>>>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    Callable<List<Map<String, Object>>> job = () -> {
                        start.await(10, TimeUnit.SECONDS);
                        List<Map<String, Object>> out = new ArrayList<>();
                        for (String task : List.of("b", "c", "d", "e", "g", "b")) {
                            out.add(resolve(inputs, task, true));
                        }
                        return out;
                    };
                    results.add(pool.submit(job));
                }
                List<Map<String, Object>> expected = List.of(walk("b"), walk("c"), walk("d"), walk("e"), walk("g"),
                        walk("b"));
                for (Future<List<Map<String, Object>>> f : results) {
                    assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(expected);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
