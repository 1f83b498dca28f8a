package dev.baton.bench;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * Two builds of the engine side by side in one JVM: the way to tell whether a change made the engine faster on a
 * machine whose load moves by more than the change. Each benchmark jar given is loaded by a class loader of its own
 * (nothing shared but the JDK), and blocks of {@link EngineAlternation}'s {@code baton} operation alternate between
 * them, the order rotating every round so neither build always runs after the other; each build has its own pool of
 * as many workers as cores (or {@code --workers n}). Each round gives the ratio of every build's time per operation to
 * the first one's, and the report gives the medians of those ratios, by wall time, by this process's CPU time, and by
 * the CPU time of the threads that run the build's work: the calling thread and the build's own pool workers. That
 * last measure leaves out the collector, the compiler and time spent waiting for a core, and reads each thread's
 * clock to the nanosecond, so it is the steadiest of the three: on the layered DAG the same jar passed twice gave
 * 0.955 to 1.037 on the benchmark machine, where process CPU time moved by a third and more.
 *
 * <p>Passing the same jar twice measures the method itself: its ratios should sit at 1 within the spread reported.
 * Check that first: on the 2-core benchmark machine they did not at 100,000 tasks, where one class loader's build ran
 * apart from the others throughout (the second one's in one round, the first one's in the next; the loaders after
 * the first then agreed with each other). See benchmarks/README.md, "Engine throughput".
 *
 * <p>Run: {@code java -Xms4g -Xmx4g -cp benchmarks/target/benchmarks.jar dev.baton.bench.JarAlternation
 * [--workers n] shape rounds operations before.jar after.jar [more.jar ...]}, shape {@code layered10k} or
 * {@code independent100k}; the first third of the rounds warms up and is not reported. Jars must be built from a commit that has
 * {@code EngineAlternation} (its block method is called by reflection).
 */
public final class JarAlternation {

    private JarAlternation() {
    }

    /** One build: its block method, its DAG, its pool and the pool's worker threads. */
    private record Build(String jar, Method block, Object dags, ForkJoinPool pool, List<Thread> workers) {

        /** @return the CPU time so far of the calling thread and of this build's workers, in nanoseconds */
        long threadCpu(ThreadMXBean threads) {
            long t = threads.getCurrentThreadCpuTime();
            for (Thread w : workers) {
                t += Math.max(0, threads.getThreadCpuTime(w.getId())); // -1 once a worker has ended: its time is lost
            }
            return t;
        }
    }

    /**
     * @param args optionally {@code --workers n}, then shape, rounds, operations per block, then two or more
     *             benchmark jars
     * @throws Exception a failed run ends the measurement
     */
    public static void main(String[] args) throws Exception {
        int workers = Runtime.getRuntime().availableProcessors();
        if (args.length >= 2 && args[0].equals("--workers")) {
            workers = Integer.parseInt(args[1]);
            if (workers < 1) {
                throw new IllegalArgumentException("--workers must be at least 1, was " + workers);
            }
            args = Arrays.copyOfRange(args, 2, args.length);
        }
        if (args.length < 5) {
            throw new IllegalArgumentException("usage: [--workers n] shape rounds operations before.jar after.jar"
                    + " [more.jar ...]");
        }
        String shape = args[0];
        int rounds = Integer.parseInt(args[1]);
        int perBlock = Integer.parseInt(args[2]);
        if (!shape.equals("layered10k") && !shape.equals("independent100k")) {
            throw new IllegalArgumentException("shape must be layered10k or independent100k, was " + shape);
        }
        if (rounds < 3 || perBlock < 1) {
            throw new IllegalArgumentException("at least 3 rounds of at least 1 operation");
        }
        List<Build> builds = new ArrayList<>();
        for (int j = 3; j < args.length; j++) {
            builds.add(load(args[j], shape, workers));
        }
        int n = builds.size();
        int warmUp = rounds / 3;
        List<double[]> wall = new ArrayList<>();
        List<double[]> cpu = new ArrayList<>();
        List<double[]> threadCpu = new ArrayList<>();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        System.out.printf("%s: %d rounds of %d operations per build, %d builds of %d workers each, order rotating"
                + " (the first %d warm up)%n", shape, rounds, perBlock, n, workers, warmUp);
        try {
            for (int r = 0; r < rounds; r++) {
                double[] w = new double[n];
                double[] c = new double[n];
                double[] tc = new double[n];
                for (int q = 0; q < n; q++) {
                    int j = (q + r) % n;
                    Build b = builds.get(j);
                    long tc0 = b.threadCpu(threads);
                    double[] t = (double[]) b.block.invoke(null, b.dags, b.pool, perBlock);
                    tc[j] = (b.threadCpu(threads) - tc0) / 1e6 / perBlock;
                    w[j] = t[0];
                    c[j] = t[1];
                }
                StringBuilder line = new StringBuilder(String.format("  round %2d", r));
                for (int j = 0; j < n; j++) {
                    line.append(String.format("  build %d %8.2f ms/op (CPU %7.2f, threads %7.2f)", j, w[j], c[j],
                            tc[j]));
                }
                System.out.println(line);
                if (r >= warmUp) {
                    wall.add(w);
                    cpu.add(c);
                    threadCpu.add(tc);
                }
            }
        } finally {
            for (Build b : builds) {
                b.pool.shutdownNow();
            }
        }
        for (int j = 0; j < n; j++) {
            int k = j;
            System.out.printf("build %d (%s): median %.2f ms/op, CPU %.2f ms/op, threads' CPU %.2f ms/op", j,
                    builds.get(j).jar, median(wall.stream().mapToDouble(x -> x[k]).toArray()),
                    median(cpu.stream().mapToDouble(x -> x[k]).toArray()),
                    median(threadCpu.stream().mapToDouble(x -> x[k]).toArray()));
            if (j > 0) {
                double[] ratios = wall.stream().mapToDouble(x -> x[0] / x[k]).toArray();
                System.out.printf("; speed against build 0: wall %.3f (min %.3f, max %.3f), CPU %.3f",
                        median(ratios), Arrays.stream(ratios).min().orElse(Double.NaN),
                        Arrays.stream(ratios).max().orElse(Double.NaN),
                        median(cpu.stream().mapToDouble(x -> x[0] / x[k]).toArray()));
                System.out.printf(", threads' CPU %.3f", median(threadCpu.stream().mapToDouble(x -> x[0] / x[k])
                        .toArray()));
            }
            System.out.println();
        }
    }

    private static Build load(String jar, String shape, int workers) throws Exception {
        File f = new File(jar);
        if (!f.isFile()) {
            throw new IllegalArgumentException("no such jar: " + jar);
        }
        // the platform loader as parent: this jar's classes, not the ones this class was loaded with
        ClassLoader loader = new URLClassLoader(new URL[]{f.toURI().toURL()}, ClassLoader.getPlatformClassLoader());
        Class<?> dagsClass = Class.forName("dev.baton.bench.Dags", true, loader);
        Object dags;
        if (shape.equals("layered10k")) {
            Method m = dagsClass.getDeclaredMethod("layered", int.class, int.class, String.class);
            m.setAccessible(true);
            dags = m.invoke(null, 10_000, 100, "noop");
        } else {
            Method m = dagsClass.getDeclaredMethod("independent", int.class, String.class);
            m.setAccessible(true);
            dags = m.invoke(null, 100_000, "noop");
        }
        Class<?> alternation = Class.forName("dev.baton.bench.EngineAlternation", true, loader);
        Method block = alternation.getDeclaredMethod("batonBlock", dagsClass, ForkJoinPool.class, int.class);
        block.setAccessible(true);
        List<Thread> started = new CopyOnWriteArrayList<>();
        ForkJoinPool pool = new ForkJoinPool(workers, p -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            started.add(t);
            return t;
        }, null, false);
        return new Build(jar, block, dags, pool, started);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }
}
