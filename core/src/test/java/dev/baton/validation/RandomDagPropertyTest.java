package dev.baton.validation;

import dev.baton.plan.Plan;
import dev.baton.plan.Task;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class RandomDagPropertyTest {

    private static long seed(RepetitionInfo info) {
        return 0x5eedL * 31 + info.getCurrentRepetition() * 1_000_003L + System.nanoTime() % 1000;
    }

    @RepeatedTest(40)
    void randomDagsValidateAndGroupsRespectDependencies(RepetitionInfo info) {
        long seed = seed(info);
        SplittableRandom rnd = new SplittableRandom(seed);
        Plan plan = shuffled(RandomPlans.layered(1 + rnd.nextInt(300), 4, seed), rnd);
        ValidationResult r = PlanValidator.defaults().validate(plan);
        assertThat(r.isValid()).as("seed %d: %s", seed, r.errors()).isTrue();
        PlanGraph g = r.graph().orElseThrow();
        int maxGroup = 0;
        for (int i = 0; i < g.size(); i++) {
            maxGroup = Math.max(maxGroup, g.group(i));
            boolean onLongestPathStep = g.group(i) == 0;
            for (int d : g.dependencies(i)) {
                assertThat(g.group(d)).as("seed %d: %s before %s", seed, g.task(d).id(), g.task(i).id()).isLessThan(g.group(i));
                onLongestPathStep |= g.group(d) == g.group(i) - 1;
            }
            // longest-path layering: each task sits right after its latest dependency
            assertThat(onLongestPathStep).as("seed %d: task %s placed too late", seed, g.task(i).id()).isTrue();
            for (int d : g.dependents(i)) {
                assertThat(g.dependencies(d)).as("seed %d", seed).contains(i);
            }
        }
        assertThat(r.criticalPathLength()).as("seed %d", seed).isEqualTo(maxGroup + 1);
        assertThat(r.parallelGroups().stream().mapToInt(List::size).sum()).as("seed %d", seed).isEqualTo(g.size());
        // the computed groups, given back as the plan's own, are accepted
        assertThat(PlanValidator.defaults().validate(plan.withParallelGroups(r.parallelGroups())).isValid())
                .as("seed %d", seed).isTrue();
    }

    @RepeatedTest(40)
    void injectedCyclesAreFound(RepetitionInfo info) {
        long seed = seed(info);
        SplittableRandom rnd = new SplittableRandom(seed);
        Plan dag = RandomPlans.layered(2 + rnd.nextInt(300), 3, seed);
        List<Task> tasks = new ArrayList<>(dag.tasks());
        // pick a path backwards through references, then close it with an edge from its first task to its last
        int last = 1 + rnd.nextInt(tasks.size() - 1);
        int first = last;
        Map<String, Integer> pos = new HashMap<>();
        for (int k = 0; k < tasks.size(); k++) {
            pos.put(tasks.get(k).id(), k);
        }
        int steps = rnd.nextInt(5);
        for (int s = 0; s < steps; s++) {
            String ref = tasks.get(first).input().values().stream().map(Object::toString)
                    .filter(v -> v.startsWith("$t") && !v.startsWith("$task0")).findFirst().orElse(null);
            if (ref == null) {
                break;
            }
            first = pos.get(ref.substring(1, ref.indexOf('.')));
        }
        Task f = tasks.get(first);
        Map<String, Object> input = new LinkedHashMap<>(f.input());
        input.put("back", "$" + tasks.get(last).id());
        tasks.set(first, new Task(f.id(), f.service(), input, null));
        ValidationResult r = PlanValidator.defaults().validate(Plan.of(tasks, List.of()));
        assertThat(r.errors()).as("seed %d", seed).isNotEmpty();
        assertThat(r.errors()).as("seed %d", seed).allSatisfy(e -> assertThat(e.code())
                .isIn(ValidationCode.CYCLE, ValidationCode.SELF_REFERENCE));
        assertThat(r.errors().get(0).message()).as("seed %d", seed).contains(f.id());
    }

    private static Plan shuffled(Plan plan, SplittableRandom rnd) {
        List<Task> tasks = new ArrayList<>(plan.tasks());
        Collections.shuffle(tasks, new java.util.Random(rnd.nextLong()));
        return Plan.of(tasks, List.of());
    }
}
