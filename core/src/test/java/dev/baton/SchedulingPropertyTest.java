package dev.baton;

import dev.baton.plan.Plan;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.store.InMemoryRunStore;
import dev.baton.validation.PlanGraph;
import dev.baton.validation.PlanValidator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded random DAGs: every task starts only after each of its dependencies ended, groups are honoured when asked,
 * and the service capacity and run limit are never exceeded. Each failure message carries its seed.
 */
class SchedulingPropertyTest {

    static LongStream seeds() {
        long base = Long.getLong("baton.seed", 20261122L);
        return LongStream.range(0, 25).map(i -> base + i * 7919);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void randomDagsRespectDependenciesGroupsAndLimits(long seed) {
        Random rnd = new Random(seed);
        int n = 5 + rnd.nextInt(60);
        Plan.Builder b = Plan.builder().params(Map.of("p", 1));
        for (int i = 0; i < n; i++) {
            Map<String, Object> input = new LinkedHashMap<>();
            List<String> dependsOn = new ArrayList<>();
            int deps = i == 0 ? 0 : rnd.nextInt(Math.min(i, 4) + 1);
            for (int d = 0; d < deps; d++) {
                String dep = "t" + rnd.nextInt(i);
                if (rnd.nextBoolean()) {
                    input.put("in" + d, "$" + dep);
                } else if (!dependsOn.contains(dep)) {
                    dependsOn.add(dep);
                }
            }
            input.put("p", "$task0.p");
            b.task("t" + i, rnd.nextInt(3) == 0 ? "narrow" : "wide", input, dependsOn);
        }
        Plan plain = b.build();
        boolean useGroups = rnd.nextBoolean();
        Plan plan = useGroups ? plain.withParallelGroups(PlanValidator.defaults().validate(plain).parallelGroups()) : plain;
        SchedulingMode mode = rnd.nextInt(4) == 0 ? SchedulingMode.EAGER : SchedulingMode.GROUPS;
        int runMax = 1 + rnd.nextInt(4);

        AtomicLong clock = new AtomicLong();
        Map<String, long[]> spans = new ConcurrentHashMap<>();
        AtomicInteger narrowNow = new AtomicInteger();
        AtomicInteger narrowMax = new AtomicInteger();
        AtomicInteger runNow = new AtomicInteger();
        AtomicInteger runPeak = new AtomicInteger();
        TaskHandler record = ctx -> {
            long start = clock.incrementAndGet();
            int r = runNow.incrementAndGet();
            runPeak.accumulateAndGet(r, Math::max);
            if (ctx.service().equals("narrow")) {
                narrowMax.accumulateAndGet(narrowNow.incrementAndGet(), Math::max);
            }
            for (int k = 0; k < 200; k++) {
                Thread.onSpinWait();
            }
            if (ctx.service().equals("narrow")) {
                narrowNow.decrementAndGet();
            }
            runNow.decrementAndGet();
            spans.put(ctx.taskId(), new long[]{start, clock.incrementAndGet()});
            return ctx.taskId();
        };
        try (Orchestrator o = Orchestrator.builder().store(new InMemoryRunStore())
                .service("wide", record)
                .service(ServiceDescriptor.of("narrow"), record, ServiceOptions.builder().capacity(1).build())
                .build()) {
            RunResult r = o.submit(plan, RunOptions.builder().schedulingMode(mode).maxParallel(runMax).build())
                    .await(Duration.ofSeconds(30));
            String ctx = "seed=" + seed + " n=" + n + " groups=" + useGroups + " mode=" + mode;
            assertThat(r.status()).as(ctx).isEqualTo(RunStatus.COMPLETED);
            assertThat(spans).as(ctx).hasSize(n);
            PlanGraph g = PlanValidator.defaults().validate(plan).graph().orElseThrow();
            Map<Integer, Long> groupEnd = new HashMap<>();
            for (int i = 0; i < g.size(); i++) {
                long[] span = spans.get(g.task(i).id());
                for (int d : g.dependencies(i)) {
                    assertThat(spans.get(g.task(d).id())[1]).as(ctx + " dependency of " + g.task(i).id())
                            .isLessThan(span[0]);
                }
                groupEnd.merge(g.group(i), span[1], Math::max);
            }
            if (useGroups && mode == SchedulingMode.GROUPS) {
                for (int i = 0; i < g.size(); i++) {
                    int grp = g.group(i);
                    if (grp > 0) {
                        assertThat(groupEnd.get(grp - 1)).as(ctx + " group before " + g.task(i).id())
                                .isLessThan(spans.get(g.task(i).id())[0]);
                    }
                }
            }
            assertThat(narrowMax.get()).as(ctx + " narrow capacity").isLessThanOrEqualTo(1);
            assertThat(runPeak.get()).as(ctx + " run maxParallel").isLessThanOrEqualTo(runMax);
        }
    }
}
