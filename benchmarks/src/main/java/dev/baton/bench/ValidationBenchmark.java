package dev.baton.bench;

import dev.baton.plan.Plan;
import dev.baton.plan.Task;
import dev.baton.validation.PlanValidator;
import dev.baton.validation.ValidationResult;
import org.jgrapht.Graph;
import org.jgrapht.graph.DefaultDirectedGraph;
import org.jgrapht.graph.DefaultEdge;
import org.jgrapht.traverse.TopologicalOrderIterator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Plan validation (ids, references, cycles, longest-path groups, the int-array graph) against a baseline that only
 * sorts: JGraphT's {@link TopologicalOrderIterator} over the same random layered DAG, built in setup so that only the
 * sort is timed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ValidationBenchmark {

    /** Executable tasks in the plan. */
    @Param({"1000", "10000", "100000"})
    public int tasks;

    private Plan plan;
    private PlanValidator validator;
    private Graph<String, DefaultEdge> jgrapht;

    /** Builds the plan and the equivalent JGraphT graph. */
    @Setup(Level.Trial)
    public void setup() {
        plan = layeredPlan(tasks, 3, 20_260_101L);
        validator = PlanValidator.defaults();
        jgrapht = new DefaultDirectedGraph<>(DefaultEdge.class);
        for (Task t : plan.tasks()) {
            if (!t.isParams()) {
                jgrapht.addVertex(t.id());
            }
        }
        for (Task t : plan.tasks()) {
            if (t.isParams()) {
                continue;
            }
            for (Object v : t.input().values()) {
                String ref = (String) v;
                if (!ref.startsWith("$task0")) {
                    String producer = ref.substring(1, ref.indexOf('.'));
                    jgrapht.addEdge(producer, t.id());
                }
            }
        }
        ValidationResult r = validator.validate(plan);
        if (!r.isValid()) {
            throw new IllegalStateException("benchmark plan is invalid: " + r.errors().get(0));
        }
    }

    /** @return the full validation result: every check, groups and graph */
    @Benchmark
    public ValidationResult batonValidate() {
        return validator.validate(plan);
    }

    /** Baseline: a topological sort alone. */
    @Benchmark
    public void jgraphtTopologicalSort(Blackhole bh) {
        TopologicalOrderIterator<String, DefaultEdge> it = new TopologicalOrderIterator<>(jgrapht);
        while (it.hasNext()) {
            bh.consume(it.next());
        }
    }

    /**
     * A random layered DAG: layers of about 100 tasks; each task takes one parameter and about {@code refs}
     * references to tasks of the previous few layers.
     */
    static Plan layeredPlan(int size, int refs, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int width = 100;
        List<Task> tasks = new ArrayList<>(size + 1);
        tasks.add(new Task("task0", null, Map.of("orderId", "ORD-1"), null));
        for (int i = 0; i < size; i++) {
            int layer = i / width;
            Map<String, Object> input = new LinkedHashMap<>();
            input.put("orderId", "$task0.orderId");
            if (layer > 0) {
                for (int r = 0; r < refs; r++) {
                    int fromLayer = Math.max(0, layer - 1 - rnd.nextInt(3));
                    int j = fromLayer * width + rnd.nextInt(width);
                    input.put("in" + r, "$t" + j + ".result.items[0]");
                }
            }
            tasks.add(new Task("t" + i, "service-" + (i % 16), input, null));
        }
        return Plan.of(tasks, List.of());
    }
}
