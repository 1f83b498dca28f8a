package dev.baton.bench;

import dev.baton.Orchestrator;
import dev.baton.RunOptions;
import dev.baton.RunResult;
import dev.baton.RunStatus;
import dev.baton.SchedulingMode;
import dev.baton.store.InMemoryRunStore;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.function.ToDoubleFunction;

/**
 * A cross-check of {@link EngineBenchmark} for a shared, noisy machine. JMH runs the engine and the
 * {@code CompletableFuture} limit minutes apart, and the load of this machine moves by more than a factor of two in
 * that time. Here one JVM alternates blocks of the two on the same pool: a block of {@code baton} operations (one
 * orchestrator, a fresh in-memory store, the plan submitted again as {@code EngineBenchmark.baton} does), then a block
 * of the limit, and so on; each pair of neighbouring blocks gives a ratio, and the report gives the median of those
 * ratios and of each arm's time per operation.
 *
 * <p>Each block is also timed by this process's CPU time, all threads together (the pool's workers, the submitting
 * thread, the collector and the compiler). CPU time does not count a thread waiting for a core or a lock, so it says
 * what an operation costs the machine; wall time says how long it took, and the ratio of the two tells how much of the
 * two cores an operation kept busy.
 *
 * <p>Run: {@code java -Xms2g -Xmx2g -cp benchmarks/target/benchmarks.jar dev.baton.bench.EngineAlternation [shape
 * [blocks [operations [workers]]]]} with shape {@code layered10k} or {@code independent100k} (default layered10k),
 * blocks default 15 per arm (the first third warms up and is not reported), operations per block default 10, workers
 * (the pool both arms run on) default as many as cores. One worker shows what each arm costs when nothing runs in
 * parallel: all of a run's bookkeeping is then on one thread, as the limit's wiring is.
 */
public final class EngineAlternation {

    private EngineAlternation() {
    }

    /**
     * @param args optional shape, blocks per arm, operations per block and pool workers
     * @throws Exception a failed run ends the measurement
     */
    public static void main(String[] args) throws Exception {
        String shape = args.length > 0 ? args[0] : "layered10k";
        int blocks = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        int perBlock = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int workers = args.length > 3 ? Integer.parseInt(args[3]) : Runtime.getRuntime().availableProcessors();
        Dags dags = switch (shape) {
            case "layered10k" -> Dags.layered(10_000, 100, "noop");
            case "independent100k" -> Dags.independent(100_000, "noop");
            default -> throw new IllegalArgumentException("shape must be layered10k or independent100k, was " + shape);
        };
        if (blocks < 3 || perBlock < 1 || workers < 1) {
            throw new IllegalArgumentException("at least 3 blocks of at least 1 operation, on at least 1 worker");
        }
        ForkJoinPool pool = new ForkJoinPool(workers);
        int warmUp = blocks / 3;
        // per measured block: {baton wall ms/op, baton CPU ms/op, limit wall ms/op, limit CPU ms/op}
        List<double[]> measured = new ArrayList<>();
        System.out.printf("%s: %d blocks of %d operations per arm on %d workers, alternating (the first %d warm up)%n",
                shape, blocks, perBlock, workers, warmUp);
        try {
            for (int b = 0; b < blocks; b++) {
                double[] baton = batonBlock(dags, pool, perBlock);
                double[] limit = timed(perBlock, () -> limit(dags, pool));
                System.out.printf("  block %2d  baton %8.2f ms/op (CPU %7.2f)  limit %7.2f ms/op (CPU %6.2f)  "
                        + "limit/baton %.3f%n", b, baton[0], baton[1], limit[0], limit[1], limit[0] / baton[0]);
                if (b >= warmUp) {
                    measured.add(new double[]{baton[0], baton[1], limit[0], limit[1]});
                }
            }
        } finally {
            pool.shutdownNow();
        }
        double batonWall = median(measured, r -> r[0]);
        double batonCpu = median(measured, r -> r[1]);
        double limitWall = median(measured, r -> r[2]);
        double limitCpu = median(measured, r -> r[3]);
        System.out.printf("%s, medians of %d blocks: baton %.2f ms/op (CPU %.2f, %.2f cores), limit %.2f ms/op (CPU %.2f,"
                        + " %.2f cores)%n", shape, measured.size(), batonWall, batonCpu, batonCpu / batonWall, limitWall,
                limitCpu, limitCpu / limitWall);
        System.out.printf("%s, limit / baton: wall %.3f (min %.3f, max %.3f), CPU %.3f%n", shape,
                median(measured, r -> r[2] / r[0]), min(measured, r -> r[2] / r[0]), max(measured, r -> r[2] / r[0]),
                median(measured, r -> r[3] / r[1]));
    }

    /** One block of {@code baton} operations on a fresh orchestrator and store, as one JMH iteration has. */
    private static double[] batonBlock(Dags dags, ForkJoinPool pool, int n) throws Exception {
        try (Orchestrator o = Orchestrator.builder().store(new InMemoryRunStore()).executor(pool)
                .service("noop", ctx -> null).build()) {
            RunOptions options = RunOptions.builder().schedulingMode(SchedulingMode.EAGER).build();
            return timed(n, () -> {
                RunResult r = o.submit(dags.plan, options).await(Duration.ofMinutes(5));
                if (r.status() != RunStatus.COMPLETED) {
                    throw new IllegalStateException(r.toString());
                }
            });
        }
    }

    /** The same DAG as a hand-written {@code CompletableFuture} graph, as {@code EngineBenchmark} builds it. */
    private static void limit(Dags dags, ForkJoinPool pool) {
        int n = dags.deps.length;
        CompletableFuture<?>[] cf = new CompletableFuture<?>[n];
        for (int i = 0; i < n; i++) {
            int[] d = dags.deps[i];
            if (d.length == 0) {
                cf[i] = CompletableFuture.supplyAsync(() -> null, pool);
            } else {
                cf[i] = cf[d[0]].thenCombineAsync(cf[d[1]], (a, b) -> null, pool);
            }
        }
        CompletableFuture.allOf(cf).join();
    }

    /** An operation that may fail. */
    @FunctionalInterface
    private interface Operation {
        void run() throws Exception;
    }

    /** @return {wall ms per operation, process CPU ms per operation} over {@code n} operations */
    private static double[] timed(int n, Operation op) throws Exception {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        for (int k = 0; k < n; k++) {
            op.run();
        }
        long wall = System.nanoTime() - t0;
        long cpu = os.getProcessCpuTime() - cpu0;
        return new double[]{wall / 1e6 / n, cpu / 1e6 / n};
    }

    private static double median(List<double[]> rows, ToDoubleFunction<double[]> f) {
        double[] v = rows.stream().mapToDouble(f).sorted().toArray();
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }

    private static double min(List<double[]> rows, ToDoubleFunction<double[]> f) {
        return rows.stream().mapToDouble(f).min().orElse(Double.NaN);
    }

    private static double max(List<double[]> rows, ToDoubleFunction<double[]> f) {
        return rows.stream().mapToDouble(f).max().orElse(Double.NaN);
    }
}
