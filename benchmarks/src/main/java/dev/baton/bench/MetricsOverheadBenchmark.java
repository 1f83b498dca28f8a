package dev.baton.bench;

import dev.baton.Orchestrator;
import dev.baton.RunOptions;
import dev.baton.RunResult;
import dev.baton.RunStatus;
import dev.baton.SchedulingMode;
import dev.baton.metrics.BatonMetrics;
import dev.baton.store.InMemoryRunStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * What {@link BatonMetrics} costs a run: the same whole-DAG runs with no-op handlers as {@link EngineBenchmark}'s
 * {@code baton} arm, on one orchestrator without metrics ({@code plain}, the baseline) and one instrumented with a
 * {@code SimpleMeterRegistry} ({@code withMetrics}), in the same run on the same executor. No-op handlers are the
 * worst case: every event's listener work is measured against almost nothing else.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g"})
public class MetricsOverheadBenchmark {

    /** {@code layered10k}: 10,000 tasks, width 100, 2 deps each; {@code independent100k}: 100,000 tasks. */
    @Param({"layered10k", "independent100k"})
    public String shape;

    private Dags dags;
    private ExecutorService pool;
    private Orchestrator plain;
    private Orchestrator measured;
    private BatonMetrics metrics;

    @Setup(Level.Trial)
    public void setUp() {
        dags = shape.equals("layered10k") ? Dags.layered(10_000, 100, "noop") : Dags.independent(100_000, "noop");
        pool = new ForkJoinPool(Runtime.getRuntime().availableProcessors());
    }

    @Setup(Level.Iteration)
    public void newOrchestrators() {
        // fresh stores per iteration keep the retained logs of earlier runs out of the heap, as in EngineBenchmark
        plain = Orchestrator.builder().store(new InMemoryRunStore()).executor(pool)
                .service("noop", ctx -> null).build();
        metrics = BatonMetrics.builder(new SimpleMeterRegistry()).build();
        measured = metrics.instrument(Orchestrator.builder().store(new InMemoryRunStore()).executor(pool)
                .service("noop", ctx -> null)).build();
        metrics.bindTo(measured);
    }

    @TearDown(Level.Iteration)
    public void closeOrchestrators() {
        plain.close();
        measured.close();
        metrics.close();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.shutdownNow();
    }

    /** @return a run on the orchestrator without metrics: the baseline */
    @Benchmark
    public RunResult plain() {
        return run(plain);
    }

    /** @return the same run on the orchestrator with metrics */
    @Benchmark
    public RunResult withMetrics() {
        return run(measured);
    }

    private RunResult run(Orchestrator o) {
        RunResult r = o.submit(dags.plan, RunOptions.builder().schedulingMode(SchedulingMode.EAGER).build())
                .await(Duration.ofMinutes(5));
        if (r.status() != RunStatus.COMPLETED) {
            throw new IllegalStateException(r.toString());
        }
        return r;
    }
}
