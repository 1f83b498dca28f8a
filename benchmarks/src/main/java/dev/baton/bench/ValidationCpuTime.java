package dev.baton.bench;

import org.openjdk.jmh.infra.Blackhole;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * A cross-check of {@link ValidationBenchmark} for a shared, loaded machine: the same two operations on the same
 * plan and graph, called in alternation (so both see the same load), each call timed by the CPU time of the calling
 * thread as well as by the wall clock. Time the thread spent descheduled does not count as CPU time, so the CPU
 * ratio stays meaningful where JMH's wall-clock averages swing with the load; garbage collection runs on other
 * threads and is not counted either, which is why JMH's {@code -prof gc} allocation figures go with it.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.baton.bench.ValidationCpuTime [calls [sizes...]]}.
 */
public final class ValidationCpuTime {

    private ValidationCpuTime() {
    }

    /**
     * @param args optional number of measured calls per size and side (default 40; as many again warm up), then
     *             optional sizes (default 1000 10000 100000)
     * @throws Exception never in practice (the benchmark's setup declares none)
     */
    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Blackhole bh = new Blackhole(
                "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        System.out.println("| tasks | Baton CPU ms | JGraphT CPU ms | CPU ratio | Baton wall ms | JGraphT wall ms | wall ratio |");
        System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        int[] sizes = args.length > 1
                ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[]{1_000, 10_000, 100_000};
        for (int tasks : sizes) {
            ValidationBenchmark b = new ValidationBenchmark();
            b.tasks = tasks;
            b.setup();
            // small sizes take microseconds: repeat each timed call so that the clock's resolution does not matter
            int repeat = Math.max(1, 100_000 / tasks);
            long[][] t = new long[4][calls];
            for (int c = -calls; c < calls; c++) {
                long cpu0 = mx.getCurrentThreadCpuTime();
                long wall0 = System.nanoTime();
                for (int r = 0; r < repeat; r++) {
                    bh.consume(b.batonValidate());
                }
                long cpu1 = mx.getCurrentThreadCpuTime();
                long wall1 = System.nanoTime();
                for (int r = 0; r < repeat; r++) {
                    b.jgraphtTopologicalSort(bh);
                }
                long cpu2 = mx.getCurrentThreadCpuTime();
                long wall2 = System.nanoTime();
                if (c >= 0) {
                    t[0][c] = (cpu1 - cpu0) / repeat;
                    t[1][c] = (cpu2 - cpu1) / repeat;
                    t[2][c] = (wall1 - wall0) / repeat;
                    t[3][c] = (wall2 - wall1) / repeat;
                }
            }
            double[] m = new double[4];
            for (int k = 0; k < 4; k++) {
                Arrays.sort(t[k]);
                m[k] = t[k][calls / 2] / 1e6;
            }
            System.out.printf("| %,d | %.3g | %.3g | %.2f | %.3g | %.3g | %.2f |%n",
                    tasks, m[0], m[1], m[0] / m[1], m[2], m[3], m[2] / m[3]);
        }
    }
}
