package dev.baton.bench;

import dev.baton.plan.Plan;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** DAG shapes shared by the engine benchmarks, as plans and as plain dependency arrays. */
final class Dags {

    final Plan plan;
    final int[][] deps;

    private Dags(Plan plan, int[][] deps) {
        this.plan = plan;
        this.deps = deps;
    }

    /** Layers of {@code width} tasks, each depending on 2 tasks of the layer before (chosen with a fixed seed). */
    static Dags layered(int tasks, int width, String service) {
        Random rnd = new Random(42);
        Plan.Builder b = Plan.builder();
        int[][] deps = new int[tasks][];
        for (int i = 0; i < tasks; i++) {
            int layer = i / width;
            Map<String, Object> input = new LinkedHashMap<>();
            if (layer == 0) {
                deps[i] = new int[0];
            } else {
                int base = (layer - 1) * width;
                int a = base + rnd.nextInt(width);
                int c = base + rnd.nextInt(width - 1);
                if (c >= a) {
                    c++;
                }
                deps[i] = new int[]{a, c};
                input.put("a", "$t" + a);
                input.put("b", "$t" + c);
            }
            b.task("t" + i, service, input);
        }
        return new Dags(b.build(), deps);
    }

    /** Independent tasks. */
    static Dags independent(int tasks, String service) {
        Plan.Builder b = Plan.builder();
        int[][] deps = new int[tasks][];
        for (int i = 0; i < tasks; i++) {
            b.task("t" + i, service, Map.of());
            deps[i] = new int[0];
        }
        return new Dags(b.build(), deps);
    }

    static List<String> ids(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> "t" + i).toList();
    }
}
