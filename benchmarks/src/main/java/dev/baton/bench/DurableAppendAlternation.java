package dev.baton.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A cross-check of {@link DurableAppendBenchmark} for a shared, loaded machine. JMH measures one method after the
 * other, so a shift of the load between them changes the ratio of the store to the batched-insert ceiling more than
 * anything the store does. Here the same operations, on the same database, state and tables as the benchmark, run
 * in short alternating slices ({@code storeAppend}, {@code storeAppendLeased}, {@code batchedInsert}, the order
 * rotating every round), and each round's ratios are taken between neighbouring slices; the report gives the median
 * of the per-round ratios as well as of each arm's throughput.
 *
 * <p>Besides the wall clock, each slice is timed by CPU time: this process's, plus the PostgreSQL server's (read from
 * {@code /proc} where it exists), and of that the calling threads' and the store's writer threads'. CPU per operation does not
 * count the time a thread waits for the disk or for a core, so it says what each row costs the machine.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.baton.bench.DurableAppendAlternation [db [rounds
 * [seconds]]]} with db {@code h2} or {@code postgres} (default h2), rounds default 7 (the first is a warm-up and
 * not reported), seconds per slice default 3.
 */
public final class DurableAppendAlternation {

    private static final int APPENDERS = 64;
    private static final String[] ARMS = {"storeAppend", "storeAppendLeased", "batchedInsert",
        "batchedInsertAcrossRuns"};

    private DurableAppendAlternation() {
    }

    /**
     * @param args optional database ({@code h2} or {@code postgres}), rounds and seconds per slice
     * @throws Exception a failed set-up or operation ends the run
     */
    public static void main(String[] args) throws Exception {
        String dbName = args.length > 0 ? args[0] : "h2";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 3;
        DurableAppendBenchmark.Db db = new DurableAppendBenchmark.Db();
        db.db = dbName;
        db.start();
        try {
            DurableAppendBenchmark bench = new DurableAppendBenchmark();
            DurableAppendBenchmark.Appender[] appenders = new DurableAppendBenchmark.Appender[APPENDERS];
            for (int i = 0; i < APPENDERS; i++) {
                appenders[i] = new DurableAppendBenchmark.Appender();
                appenders[i].setUp(db);
            }
            DurableAppendBenchmark.Appender batcher = new DurableAppendBenchmark.Appender();
            batcher.setUp(db);
            DurableAppendBenchmark.Spread spreader = new DurableAppendBenchmark.Spread();
            spreader.setUp(db);
            Map<String, List<double[]>> results = new HashMap<>(); // arm -> per round {ops/s, CPU µs per op: all, calling threads, writer threads}
            for (String arm : ARMS) {
                results.put(arm, new ArrayList<>());
            }
            System.out.printf("%s: %d rounds of %s s slices (round 0 warms up)%n", dbName, rounds, seconds);
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k < ARMS.length; k++) {
                    String arm = ARMS[(k + round) % ARMS.length];
                    double[] r = slice(arm, bench, db, appenders, batcher, spreader, seconds);
                    System.out.printf("  round %d %-18s %,10.0f ops/s %8.1f µs CPU/op (calling threads %.1f, writer %.1f)%n",
                            round, arm, r[0], r[1], r[2], r[3]);
                    if (round > 0) {
                        results.get(arm).add(r);
                    }
                }
            }
            report(dbName, results);
            for (DurableAppendBenchmark.Appender a : appenders) {
                a.tearDown();
            }
            batcher.tearDown();
            spreader.tearDown();
        } finally {
            db.stop();
        }
    }

    /** One arm for {@code seconds}: {ops/s, CPU µs per op: all, calling threads, writer threads}. */
    private static double[] slice(String arm, DurableAppendBenchmark bench, DurableAppendBenchmark.Db db,
            DurableAppendBenchmark.Appender[] appenders, DurableAppendBenchmark.Appender batcher,
            DurableAppendBenchmark.Spread spreader, double seconds)
            throws Exception {
        LongAdder ops = new LongAdder();
        LongAdder callerCpu = new LongAdder();
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long writer0 = writerCpuNanos(mx);
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        boolean batched = arm.startsWith("batchedInsert");
        int n = batched ? 1 : APPENDERS;
        Thread[] threads = new Thread[n];
        long cpu0 = cpuNanos(db);
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        for (int i = 0; i < n; i++) {
            DurableAppendBenchmark.Appender a = batched ? batcher : appenders[i];
            threads[i] = new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        switch (arm) {
                            case "storeAppend" -> bench.storeAppend(db, a);
                            case "storeAppendLeased" -> bench.storeAppendLeased(db, a);
                            case "batchedInsert" -> bench.batchedInsert(db, a);
                            default -> bench.batchedInsertAcrossRuns(db, spreader);
                        }
                        ops.add(batched ? DurableAppendBenchmark.BATCH : 1);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
                callerCpu.add(mx.getCurrentThreadCpuTime());
            });
            threads[i].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        long wall = System.nanoTime() - t0;
        long cpu = cpuNanos(db) - cpu0;
        long writer = writerCpuNanos(mx) - writer0;
        if (!failures.isEmpty()) {
            throw new IllegalStateException(arm + " failed", failures.get(0));
        }
        long count = ops.sum();
        double perOp = 1e3 * Math.max(1, count);
        return new double[]{count / (wall / 1e9), cpu / perOp, callerCpu.sum() / perOp, writer / perOp};
    }

    private static void report(String dbName, Map<String, List<double[]>> results) {
        double[] batched = column(results.get("batchedInsert"), 0);
        double[] across = column(results.get("batchedInsertAcrossRuns"), 0);
        System.out.printf("%n%s, medians over %d rounds:%n", dbName, batched.length);
        System.out.println("| arm | ops/s | CPU µs/op | of which calling threads | of which writer |"
                + " median of per-round ratios to batchedInsert (min-max) | to batchedInsertAcrossRuns (min-max) |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (String arm : ARMS) {
            double[] ops = column(results.get(arm), 0);
            double[] cpu = column(results.get(arm), 1);
            double[] ratios = ratios(ops, batched);
            double[] acrossRatios = ratios(ops, across);
            System.out.printf("| %s | %,.0f | %.1f | %.1f | %.1f | %.2f (%.2f-%.2f) | %.2f (%.2f-%.2f) |%n", arm,
                    median(ops), median(cpu), median(column(results.get(arm), 2)),
                    median(column(results.get(arm), 3)), median(ratios), ratios[0], ratios[ratios.length - 1],
                    median(acrossRatios), acrossRatios[0], acrossRatios[acrossRatios.length - 1]);
        }
    }

    /** Per-round ratios of {@code ops} to {@code ceiling}, sorted. */
    private static double[] ratios(double[] ops, double[] ceiling) {
        double[] r = new double[ops.length];
        for (int i = 0; i < ops.length; i++) {
            r[i] = ops[i] / ceiling[i];
        }
        Arrays.sort(r);
        return r;
    }

    /** CPU time of the store's writer threads (their names start with {@code baton-jdbc-writer}). */
    private static long writerCpuNanos(java.lang.management.ThreadMXBean mx) {
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("baton-jdbc-writer")) {
                sum += Math.max(0, mx.getThreadCpuTime(t.getId()));
            }
        }
        return sum;
    }

    private static double[] column(List<double[]> rows, int k) {
        return rows.stream().mapToDouble(r -> r[k]).toArray();
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }

    /**
     * CPU time of this process and, with PostgreSQL, of the server and its live backends (the server detaches from
     * this process when it starts: it is found by the pid file in its data directory).
     */
    private static long cpuNanos(DurableAppendBenchmark.Db db) throws IOException {
        long own = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        if (db.server == null) {
            return own;
        }
        long postmaster = Long.parseLong(Files.readAllLines(db.dir.resolve("pg").resolve("postmaster.pid")).get(0).trim());
        return own + processTreeCpuNanos(postmaster);
    }

    private static long processTreeCpuNanos(long root) {
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc)) {
            return 0;
        }
        List<ProcessHandle> tree = new ArrayList<>();
        ProcessHandle.of(root).ifPresent(p -> {
            tree.add(p);
            tree.addAll(p.descendants().toList());
        });
        long ticks = 0;
        for (ProcessHandle p : tree) {
            try {
                String stat = Files.readString(proc.resolve(Long.toString(p.pid())).resolve("stat"));
                // fields after the command name, which is in parentheses and may contain spaces
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
            } catch (IOException | RuntimeException e) {
                // the process ended between the listing and the read: its time is lost to both neighbours alike
            }
        }
        return ticks * 10_000_000L; // USER_HZ is 100 on Linux
    }
}
