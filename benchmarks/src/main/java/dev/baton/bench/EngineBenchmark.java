package dev.baton.bench;

import com.github.dexecutor.core.DefaultDexecutor;
import com.github.dexecutor.core.DexecutorConfig;
import com.github.dexecutor.core.ExecutionConfig;
import com.github.dexecutor.core.task.Task;
import com.github.dexecutor.core.task.TaskProvider;
import dev.baton.Orchestrator;
import dev.baton.RunOptions;
import dev.baton.RunResult;
import dev.baton.RunStatus;
import dev.baton.SchedulingMode;
import dev.baton.planner.ServiceCatalog;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.store.InMemoryRunStore;
import dev.baton.validation.PlanValidator;
import dev.baton.validation.ValidationResult;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * Whole-DAG throughput with no-op handlers: Baton's engine, a hand-written {@code CompletableFuture} graph of the same
 * DAG (the limit: no validation, no log, no bookkeeping), and Dexecutor, all on the same executor. One operation
 * runs the whole DAG; tasks/s = tasks / (ms/op) * 1000. {@code baton} resubmits one plan instance (validated once
 * per iteration), {@code batonNewPlan} submits a plan the orchestrator has not seen, so it validates every time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g"})
public class EngineBenchmark {

    /** {@code layered10k}: 10,000 tasks, width 100, 2 deps each; {@code independent100k}: 100,000 tasks. */
    @Param({"layered10k", "independent100k"})
    public String shape;

    private Dags dags;
    private ExecutorService pool;
    private Orchestrator baton;
    private PlanValidator validator;

    @Setup(Level.Trial)
    public void setUp() {
        dags = dags();
        pool = new ForkJoinPool(Runtime.getRuntime().availableProcessors());
        validator = PlanValidator.builder().catalog(ServiceCatalog.of(List.of(ServiceDescriptor.of("noop")))).build();
    }

    @Setup(Level.Iteration)
    public void newOrchestrator() {
        // a fresh store per iteration keeps the retained logs of earlier runs out of the heap
        baton = Orchestrator.builder().store(new InMemoryRunStore()).executor(pool)
                .service("noop", ctx -> null).build();
    }

    @TearDown(Level.Iteration)
    public void closeOrchestrator() {
        baton.close();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.shutdownNow();
    }

    private Dags dags() {
        return shape.equals("layered10k") ? Dags.layered(10_000, 100, "noop") : Dags.independent(100_000, "noop");
    }

    /**
     * The headline: one plan instance submitted again and again, as a caller with a constant plan does. The
     * orchestrator validated it on the first submit of the iteration and reuses that validation, as the limit
     * reuses its prebuilt dependency arrays.
     */
    @Benchmark
    public RunResult baton() {
        return run(dags.plan);
    }

    /**
     * Each operation submits a plan instance the orchestrator has not validated yet (equal to the others, built
     * before the operation and not timed): every operation includes the plan's full validation, as a planner's new
     * plan does.
     */
    @Benchmark
    public RunResult batonNewPlan(NewPlan fresh) {
        return run(fresh.plan);
    }

    /** A plan instance of the benchmark's shape, built anew before each operation. */
    @State(Scope.Thread)
    public static class NewPlan {
        dev.baton.plan.Plan plan;

        /** Builds the next operation's plan (operations take milliseconds, so a per-invocation set-up is fine). */
        @Setup(Level.Invocation)
        public void build(EngineBenchmark b) {
            plan = b.dags().plan;
        }
    }

    private RunResult run(dev.baton.plan.Plan plan) {
        RunResult r = baton.submit(plan, RunOptions.builder().schedulingMode(SchedulingMode.EAGER).build())
                .await(Duration.ofMinutes(5));
        if (r.status() != RunStatus.COMPLETED) {
            throw new IllegalStateException(r.toString());
        }
        return r;
    }

    /**
     * Not a headline: the share of {@link #baton()} that is plan validation, measured alone with the validator the
     * orchestrator builds (the same catalog of one service), so the engine's own cost can be told apart.
     */
    @Benchmark
    public ValidationResult validationShare() {
        return validator.validate(dags.plan);
    }

    @Benchmark
    public Object completableFutureLimit() {
        int n = dags.deps.length;
        CompletableFuture<?>[] cf = new CompletableFuture<?>[n];
        for (int i = 0; i < n; i++) {
            int[] d = dags.deps[i];
            if (d.length == 0) {
                cf[i] = CompletableFuture.supplyAsync(EngineBenchmark::noop, pool);
            } else {
                cf[i] = cf[d[0]].thenCombineAsync(cf[d[1]], (a, b) -> noop(), pool);
            }
        }
        return CompletableFuture.allOf(cf).join();
    }

    @Benchmark
    public Object dexecutor() {
        TaskProvider<Integer, Integer> provider = id -> new Task<>() {
            private static final long serialVersionUID = 1L;

            @Override
            public Integer execute() {
                return id;
            }
        };
        DefaultDexecutor<Integer, Integer> dex = new DefaultDexecutor<>(new DexecutorConfig<>(pool, provider));
        for (int i = 0; i < dags.deps.length; i++) {
            int[] d = dags.deps[i];
            if (d.length == 0) {
                dex.addIndependent(i);
            } else {
                for (int p : d) {
                    dex.addDependency(p, i);
                }
            }
        }
        return dex.execute(ExecutionConfig.TERMINATING);
    }

    private static Object noop() {
        return null;
    }
}
