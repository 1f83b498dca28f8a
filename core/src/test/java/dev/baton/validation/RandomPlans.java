package dev.baton.validation;

import dev.baton.plan.Plan;
import dev.baton.plan.Task;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Seeded random plans for property tests. */
final class RandomPlans {

    private RandomPlans() {
    }

    /** A DAG: each task references up to {@code refs} random earlier tasks, so plan order is a topological order. */
    static Plan layered(int size, int refs, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Task> tasks = new ArrayList<>(size + 1);
        tasks.add(new Task("task0", null, Map.of("p", 1), null));
        for (int i = 0; i < size; i++) {
            Map<String, Object> input = new LinkedHashMap<>();
            input.put("param", "$task0.p");
            if (i > 0) {
                int k = rnd.nextInt(refs + 1);
                for (int r = 0; r < k; r++) {
                    // mostly near neighbours, so layers stay deep and realistic
                    int j = Math.max(0, i - 1 - rnd.nextInt(Math.min(i, 50)));
                    input.put("in" + r, "$t" + j + ".out");
                }
            }
            tasks.add(new Task("t" + i, "svc" + (i % 7), input, null));
        }
        return Plan.of(tasks, List.of());
    }
}
