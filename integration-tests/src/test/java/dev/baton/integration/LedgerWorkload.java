package dev.baton.integration;

import dev.baton.TaskContext;
import dev.baton.TaskHandler;
import dev.baton.plan.Plan;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The workload every durability test runs: a layered 20-task plan with references, and a handler whose side effect
 * is a ledger row in the same database as the run store.
 *
 * <p>The handler makes its effect exactly-once the way the README tells users to: the effect row's primary key is
 * the execution id, inserted with "do nothing on conflict", so a redelivered execution (after a crash) finds its row
 * and adds nothing. Every delivery is also counted in a separate table, with the generation (child JVM start) that
 * ran it, so the test can tell redeliveries (expected after a crash) from lost or duplicated effects (never allowed),
 * and can prove that no task ran again after its completion was durable.
 */
final class LedgerWorkload {

    /** Layers of the plan; every task after the first layer reads two outputs of the layer before. */
    static final int LAYERS = 4;
    /** Tasks per layer. */
    static final int WIDTH = 5;
    /** Executable tasks per run. */
    static final int TASKS = LAYERS * WIDTH;
    static final String SERVICE = "ledger";

    private LedgerWorkload() {
    }

    static String taskId(int layer, int i) {
        return "t" + layer + "_" + i;
    }

    /** @return the layer of a task id of this plan ({@code t<layer>_<i>}) */
    static int layer(String taskId) {
        return Integer.parseInt(taskId.substring(1, taskId.indexOf('_')));
    }

    /** @return the position of a task id of this plan within its layer ({@code t<layer>_<i>}) */
    static int position(String taskId) {
        return Integer.parseInt(taskId.substring(taskId.indexOf('_') + 1));
    }

    /** @return the positions, in the layer before, of the two tasks whose outputs task {@code i} of a layer reads */
    static int[] producers(int i) {
        return new int[] {i, (i + 1) % WIDTH};
    }

    static String runId(int n) {
        return String.format("run-%04d", n);
    }

    /** A layered DAG: layer 0 reads the caller's seed; every later task sums two outputs of the layer before. */
    static Plan plan() {
        Plan.Builder b = Plan.builder().params(Map.of("seed", 1));
        for (int layer = 0; layer < LAYERS; layer++) {
            for (int i = 0; i < WIDTH; i++) {
                Map<String, Object> input = new HashMap<>();
                if (layer == 0) {
                    input.put("a", "$task0.seed");
                    input.put("b", "$task0.seed");
                } else {
                    int[] producers = producers(i);
                    input.put("a", "$" + taskId(layer - 1, producers[0]) + ".value");
                    input.put("b", "$" + taskId(layer - 1, producers[1]) + ".value");
                }
                b.task(taskId(layer, i), SERVICE, input);
            }
        }
        return b.build();
    }

    /** The value every task of layer {@code layer} must output: each layer doubles the previous, plus one. */
    static long expectedValue(int layer) {
        long v = 1;
        for (int l = 0; l <= layer; l++) {
            v = 2 * v + 1;
        }
        return v;
    }

    static void createTables(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS ledger_effect (execution_id VARCHAR(300) PRIMARY KEY,"
                    + " run_id VARCHAR(200) NOT NULL, task_id VARCHAR(200) NOT NULL, gen INT NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS ledger_attempt (execution_id VARCHAR(300) NOT NULL,"
                    + " attempt INT NOT NULL, gen INT NOT NULL)");
        }
    }

    /**
     * The handler prints {@code D <executionId> <attempt> .} once a delivery's ledger rows are committed: what the
     * parent knows for certain the database was told, to check afterwards that it kept it (the final dot tells a
     * whole line from one the kill cut short).
     */
    static final String REPORTED = "D ";

    /** Every this many deliveries the handler prints {@code DELIVERED <n>}, the progress the parent kills by. */
    static final int PROGRESS_EVERY = 10;

    /**
     * The handler: counts the delivery, applies the effect once per execution id, returns the sum of its inputs plus
     * one and the generation that ran it. Every {@link #PROGRESS_EVERY} deliveries it prints a progress line, so a
     * parent can kill the process at a point measured in work done rather than in wall-clock time (which depends on
     * how fast and how loaded the machine is).
     */
    static TaskHandler handler(DataSource ds, boolean postgres, int generation) {
        return handler(ds, postgres, generation, Integer.MAX_VALUE);
    }

    /**
     * The handler, stalling once it has made {@code stallAfter} deliveries: every later delivery writes its attempt and
     * effect rows and then blocks without returning, the first one printing {@code STALLED <n>}. A parent that kills
     * the process after that line knows the kill lands mid-work however fast the machine is: at most
     * {@code stallAfter} tasks completed, the stalled ones ran their effect but recorded no completion.
     */
    static TaskHandler handler(DataSource ds, boolean postgres, int generation, int stallAfter) {
        String effect = postgres
                ? "INSERT INTO ledger_effect (execution_id, run_id, task_id, gen) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (execution_id) DO NOTHING"
                : "MERGE INTO ledger_effect t USING (VALUES (CAST(? AS VARCHAR(300)), CAST(? AS VARCHAR(200)),"
                + " CAST(? AS VARCHAR(200)), CAST(? AS INT))) s(e, r, k, g) ON t.execution_id = s.e"
                + " WHEN NOT MATCHED THEN INSERT (execution_id, run_id, task_id, gen) VALUES (s.e, s.r, s.k, s.g)";
        AtomicInteger delivered = new AtomicInteger();
        return (TaskContext ctx) -> {
            try {
                return deliver(ctx, ds, effect, generation, stallAfter, delivered);
            } catch (Exception e) {
                // a failed delivery is retried by the engine; say so, since a run of them is what makes a test slow
                // (a stalled delivery interrupted by its attempt timeout is expected, and not worth a line)
                if (!(e instanceof InterruptedException)) {
                    System.out.println("HANDLER FAILED " + ctx.executionId() + " attempt " + ctx.attempt() + ": " + e);
                }
                throw e;
            }
        };
    }

    private static Object deliver(TaskContext ctx, DataSource ds, String effect, int generation, int stallAfter,
                                  AtomicInteger delivered) throws Exception {
        try (Connection c = ds.getConnection()) {
            // the delivery count is its own transaction: a redelivery must show even when the effect is a no-op
            c.setAutoCommit(true);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO ledger_attempt (execution_id, attempt, gen) VALUES (?, ?, ?)")) {
                ps.setString(1, ctx.executionId());
                ps.setInt(2, ctx.attempt());
                ps.setInt(3, generation);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(effect)) {
                ps.setString(1, ctx.executionId());
                ps.setString(2, ctx.runId());
                ps.setString(3, ctx.taskId());
                ps.setInt(4, generation);
                ps.executeUpdate();
            } catch (SQLException e) {
                if (!"23505".equals(e.getSQLState())) {
                    throw e;
                }
                // The database says the execution id's effect is there: applied once already, which is what an
                // idempotent handler does with a duplicate key. On H2 after a SIGKILL we saw this once where the
                // insert-if-absent found no row through the key's index but the insert met the key (a row the scan
                // does see): an inconsistency of H2's own index. Said, so a run of the test shows it.
                System.out.println("EFFECT KEY PRESENT " + ctx.executionId() + " (" + e.getSQLState() + ")");
            }
        }
        // the rows above are committed: from here on the database must keep them, whatever happens to this JVM
        System.out.println(REPORTED + ctx.executionId() + " " + ctx.attempt() + " .");
        int n = delivered.incrementAndGet();
        if (n > stallAfter) {
            if (n == stallAfter + 1) {
                System.out.println("STALLED " + stallAfter);
            }
            // never returns: an attempt timeout interrupts it, and the retry stalls again
            new CountDownLatch(1).await();
        }
        if (n % PROGRESS_EVERY == 0) {
            System.out.println("DELIVERED " + n);
        }
        long a = ((Number) ctx.input().get("a")).longValue();
        long b = ((Number) ctx.input().get("b")).longValue();
        return Map.of("value", a + b + 1, "gen", generation);
    }

    /**
     * Effect rows per execution id, counted over every row the table holds (read in full, not through the key's
     * index: on H2 we once saw a SIGKILL leave that index without a committed row, which a look-up then missed).
     */
    static Map<String, Integer> effects(DataSource ds) throws SQLException {
        // every column: a query of the key alone is answered from the key's index
        return countRows(ds, "SELECT execution_id, run_id, task_id, gen FROM ledger_effect");
    }

    /** Deliveries per execution id, likewise. */
    static Map<String, Integer> deliveries(DataSource ds) throws SQLException {
        return countRows(ds, "SELECT execution_id, attempt, gen FROM ledger_attempt");
    }

    private static Map<String, Integer> countRows(DataSource ds, String sql) throws SQLException {
        Map<String, Integer> out = new HashMap<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.merge(rs.getString(1), 1, Integer::sum);
            }
        }
        return out;
    }

    /** The latest generation that delivered each execution. */
    static Map<String, Integer> lastDeliveryGeneration(DataSource ds) throws SQLException {
        return countBy(ds, "SELECT execution_id, MAX(gen) FROM ledger_attempt GROUP BY execution_id");
    }

    /** The deliveries of one execution, as "attempt@generation", in the order they were counted. */
    static List<String> attempts(DataSource ds, String executionId) throws SQLException {
        List<String> out = new java.util.ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT attempt, gen FROM ledger_attempt WHERE execution_id = ?")) {
            ps.setString(1, executionId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getInt(1) + "@" + rs.getInt(2));
                }
            }
        }
        return out;
    }

    /** Every delivery counted, as {@code "<executionId> <attempt> <generation>"}. */
    static Set<String> attemptKeys(DataSource ds) throws SQLException {
        Set<String> out = new HashSet<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT execution_id, attempt, gen FROM ledger_attempt")) {
            while (rs.next()) {
                out.add(rs.getString(1) + " " + rs.getInt(2) + " " + rs.getInt(3));
            }
        }
        return out;
    }

    static int effectCount(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM ledger_effect")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static Map<String, Integer> countBy(DataSource ds, String sql) throws SQLException {
        Map<String, Integer> out = new HashMap<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getInt(2));
            }
        }
        return out;
    }
}
