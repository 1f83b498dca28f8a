package dev.baton.bench;

import dev.baton.Orchestrator;
import dev.baton.RunOptions;
import dev.baton.RunResult;
import dev.baton.RunStatus;
import dev.baton.SchedulingMode;
import dev.baton.plan.Plan;
import dev.baton.store.InMemoryRunStore;
import dev.baton.validation.PlanGraph;
import dev.baton.validation.PlanValidator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Makespan against the critical path for random task durations, eager scheduling against parallel groups. Each task
 * waits its own duration without holding a thread (a delayed completion), so the only limit is the schedule.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.baton.bench.MakespanReport [seeds]}.
 */
public final class MakespanReport {

    private MakespanReport() {
    }

    /**
     * @param args optional number of seeds (default 5)
     */
    public static void main(String[] args) {
        int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        System.out.println("| seed | tasks | critical path | eager makespan | eager / critical | groups makespan | groups / critical |");
        System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        List<double[]> ratios = new ArrayList<>();
        try (Orchestrator baton = Orchestrator.builder().store(new InMemoryRunStore())
                .asyncService("sleep", ctx -> {
                    long ms = ((Number) ctx.input().get("ms")).longValue();
                    return CompletableFuture.supplyAsync(() -> (Object) ms,
                            CompletableFuture.delayedExecutor(ms, TimeUnit.MILLISECONDS));
                }).build()) {
            for (int s = 0; s < seeds; s++) {
                long seed = 1000 + s;
                Random rnd = new Random(seed);
                int n = 120;
                long[] ms = new long[n];
                Plan.Builder b = Plan.builder();
                for (int i = 0; i < n; i++) {
                    ms[i] = 5 + rnd.nextInt(60);
                    Map<String, Object> input = new LinkedHashMap<>();
                    input.put("ms", ms[i]);
                    int deps = i == 0 ? 0 : rnd.nextInt(Math.min(i, 3) + 1);
                    for (int d = 0; d < deps; d++) {
                        input.put("in" + d, "$t" + rnd.nextInt(i));
                    }
                    b.task("t" + i, "sleep", input);
                }
                Plan plan = b.build();
                PlanGraph g = PlanValidator.defaults().validate(plan).graph().orElseThrow();
                long critical = criticalPath(g, ms);
                Plan grouped = plan.withParallelGroups(g.parallelGroups());
                long eager = makespan(baton, plan, SchedulingMode.EAGER);
                long groups = makespan(baton, grouped, SchedulingMode.GROUPS);
                ratios.add(new double[]{(double) eager / critical, (double) groups / critical});
                System.out.printf("| %d | %d | %d ms | %d ms | %.2f | %d ms | %.2f |%n", seed, n, critical, eager,
                        (double) eager / critical, groups, (double) groups / critical);
            }
        }
        double[] e = ratios.stream().mapToDouble(r -> r[0]).sorted().toArray();
        double[] gr = ratios.stream().mapToDouble(r -> r[1]).sorted().toArray();
        System.out.printf("median eager / critical %.2f, groups / critical %.2f%n", e[e.length / 2], gr[gr.length / 2]);
    }

    private static long makespan(Orchestrator baton, Plan plan, SchedulingMode mode) {
        long t0 = System.nanoTime();
        RunResult r = baton.submit(plan, RunOptions.builder().schedulingMode(mode).build()).await(Duration.ofMinutes(2));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (r.status() != RunStatus.COMPLETED) {
            throw new IllegalStateException(r.toString());
        }
        return ms;
    }

    /** Longest path by summed duration (tasks are in plan order, dependencies always earlier). */
    private static long criticalPath(PlanGraph g, long[] ms) {
        long[] finish = new long[g.size()];
        Arrays.fill(finish, 0);
        long best = 0;
        for (int i = 0; i < g.size(); i++) {
            long start = 0;
            for (int d : g.dependencies(i)) {
                start = Math.max(start, finish[d]);
            }
            finish[i] = start + ms[i];
            best = Math.max(best, finish[i]);
        }
        return best;
    }
}
