package dev.baton.bench;

import dev.baton.event.RunCreated;
import dev.baton.event.RunEvent;
import dev.baton.event.RunSettings;
import dev.baton.event.TaskCompleted;
import dev.baton.plan.Plan;
import dev.baton.store.jdbc.JdbcRunStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.h2.jdbcx.JdbcConnectionPool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.postgresql.ds.PGConnectionPoolDataSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Durable task completions per second through {@link JdbcRunStore#append} (group commit) with 64 concurrent
 * appenders, beside the raw ceilings of the same database in the same run: one row per transaction from 64 threads,
 * and batched inserts (JDBC {@code addBatch}, {@value #BATCH} rows per transaction) from one thread.
 *
 * <p>{@code storeAppend} appends as a single orchestrator does (no instance id, so no lease to check);
 * {@code storeAppendLeased} as one of several instances sharing the database does (each append fenced by its lease).
 *
 * <p>Every operation is one row of the same shape and size: a task's completion event as JSON. The store's operation
 * also updates the run's summary row and the completed-execution index, in the same transaction.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 4)
@Fork(1)
public class DurableAppendBenchmark {

    /** Rows per transaction of the batched-insert ceiling: about one group of 64 appenders. */
    static final int BATCH = 64;

    private static final String OWNER = "bench-instance";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Map<String, Object> OUTPUT = Map.of("customerId", "CUST789", "name", "Ada Lovelace",
            "tier", "gold", "orders", List.of("ORD456", "ORD457"), "score", 0.93);

    /** One database, the store on it and a table for the raw inserts. */
    @State(Scope.Benchmark)
    public static class Db {
        /** Which database. */
        @Param({"h2", "postgres"})
        public String db;

        JdbcConnectionPool pool;
        JdbcRunStore store;
        EmbeddedPostgres server;
        Path dir;
        String payload;
        final AtomicInteger threads = new AtomicInteger();

        /** Starts the database and creates the tables. */
        @Setup(Level.Trial)
        public void start() throws IOException, SQLException {
            dir = Files.createTempDirectory("baton-bench");
            if (db.equals("postgres")) {
                // durable commits, as in production: the embedded server's defaults trade them for speed
                server = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).setCleanDataDirectory(true)
                        .setServerConfig("synchronous_commit", "on").setServerConfig("fsync", "on")
                        .setServerConfig("max_connections", "200").start();
                PGConnectionPoolDataSource ds = new PGConnectionPoolDataSource();
                ds.setServerNames(new String[]{"localhost"});
                ds.setPortNumbers(new int[]{server.getPort()});
                ds.setDatabaseName("postgres");
                ds.setUser("postgres");
                pool = JdbcConnectionPool.create(ds);
                store = JdbcRunStore.builder(pool, JdbcRunStore.Dialect.POSTGRES).build();
            } else {
                // every commit written to the file before it returns, as the store sets it (H2 defaults to a 500 ms delay)
                pool = JdbcConnectionPool.create("jdbc:h2:file:" + dir.resolve("h2").toAbsolutePath() + ";WRITE_DELAY=0",
                        "sa", "");
                store = JdbcRunStore.builder(pool, JdbcRunStore.Dialect.H2).build();
            }
            pool.setMaxConnections(150);
            try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE raw_rows (run_id VARCHAR(255) NOT NULL, seq BIGINT NOT NULL,"
                        + " type VARCHAR(32) NOT NULL, payload " + (db.equals("postgres") ? "TEXT" : "CHARACTER VARYING(1000000)")
                        + " NOT NULL, PRIMARY KEY (run_id, seq))");
            }
            payload = "{\"type\":\"TaskCompleted\",\"runId\":\"run-00000000\",\"seq\":2,\"at\":\"2026-01-01T00:00:00Z\","
                    + "\"taskId\":\"task1\",\"executionId\":\"run-00000000/task1\",\"attempt\":1,\"output\":"
                    + "{\"customerId\":\"CUST789\",\"name\":\"Ada Lovelace\",\"tier\":\"gold\","
                    + "\"orders\":[\"ORD456\",\"ORD457\"],\"score\":0.93},\"reused\":false}";
        }

        /** Stops everything and deletes the files. */
        @TearDown(Level.Trial)
        public void stop() throws IOException {
            store.close();
            pool.dispose();
            if (server != null) {
                server.close();
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** One appender: its own run (so appends never conflict) and its own connection for the raw inserts. */
    @State(Scope.Thread)
    public static class Appender extends RawInserter {
        String runId;
        long seq;
        long task;

        /** Creates this thread's run. */
        @Setup(Level.Trial)
        public void setUp(Db db) throws SQLException {
            runId = "run-" + db.threads.incrementAndGet();
            Plan plan = Plan.builder().task("task1", "svc", Map.of()).build();
            db.store.append(runId, 0, List.of(new RunCreated(runId, 1, T0, plan,
                    new RunSettings(null, 0, "GROUPS", "FAIL_FAST", null, null))), null, T0);
            seq = 1;
            db.store.tryLease(runId, OWNER, Duration.ofDays(1), T0).orElseThrow();
            open(db);
        }

        /** Returns the connection. */
        @TearDown(Level.Trial)
        public void tearDown() throws SQLException {
            close();
        }
    }

    /** A connection of its own for the raw inserts, and the insert prepared on it. */
    abstract static class RawInserter {
        Connection connection;
        PreparedStatement insert;

        void open(Db db) throws SQLException {
            connection = db.pool.getConnection();
            insert = connection.prepareStatement("INSERT INTO raw_rows (run_id, seq, type, payload) VALUES (?, ?, ?, ?)");
        }

        void close() throws SQLException {
            insert.close();
            connection.close();
        }

        /** Binds one row of the completion's shape. */
        void bind(String runId, long seq, String payload) throws SQLException {
            insert.setString(1, runId);
            insert.setLong(2, seq);
            insert.setString(3, "TaskCompleted");
            insert.setString(4, payload);
        }

        /** Writes the rows added to the batch in one transaction. */
        void commitBatch() throws SQLException {
            insert.executeBatch();
            connection.commit();
        }
    }

    /**
     * The batched ceiling's rows spread as the store's are: one connection writing {@value #BATCH} rows per
     * transaction, one to each of {@value #BATCH} runs, each run's rows in seq order.
     */
    @State(Scope.Thread)
    public static class Spread extends RawInserter {
        final String[] runIds = new String[BATCH];
        final long[] seqs = new long[BATCH];

        /** Names this thread's runs and opens its connection. */
        @Setup(Level.Trial)
        public void setUp(Db db) throws SQLException {
            int me = db.threads.incrementAndGet();
            for (int k = 0; k < BATCH; k++) {
                runIds[k] = "spread-" + me + "-" + k;
            }
            open(db);
        }

        /** Returns the connection. */
        @TearDown(Level.Trial)
        public void tearDown() throws SQLException {
            close();
        }
    }

    /**
     * A task completion made durable through the store: one append of one event, group-committed with the other
     * appenders'.
     */
    @Benchmark
    @Threads(64)
    public void storeAppend(Db db, Appender a) {
        appendCompletion(db, a, null);
    }

    /**
     * The same with fencing, as an orchestrator with an instance id appends ({@code Orchestrator.Builder.instanceId},
     * several instances on one database): each group also locks and checks the lease rows of its runs.
     */
    @Benchmark
    @Threads(64)
    public void storeAppendLeased(Db db, Appender a) {
        appendCompletion(db, a, OWNER);
    }

    /** Appends the appender's next task completion, as {@code owner} (null: no lease to check). */
    private static void appendCompletion(Db db, Appender a, String owner) {
        long next = a.seq + 1;
        RunEvent done = new TaskCompleted(a.runId, next, T0, "task" + a.task, a.runId + "/task" + a.task++, 1, OUTPUT,
                false);
        db.store.append(a.runId, a.seq, List.of(done), owner, T0);
        a.seq = next;
    }

    /** Ceiling 1: one row per transaction (autocommit), 64 threads. */
    @Benchmark
    @Threads(64)
    public void singleRowInsert(Db db, Appender a) throws SQLException {
        a.connection.setAutoCommit(true);
        a.bind(a.runId, ++a.seq, db.payload);
        a.insert.executeUpdate();
    }

    /** Ceiling 2: {@value #BATCH} rows per transaction with JDBC batching, one thread. */
    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(BATCH)
    public void batchedInsert(Db db, Appender a) throws SQLException {
        a.connection.setAutoCommit(false);
        for (int i = 0; i < BATCH; i++) {
            a.bind(a.runId, ++a.seq, db.payload);
            a.insert.addBatch();
        }
        a.commitBatch();
    }

    /**
     * Ceiling 3: {@value #BATCH} rows per transaction with JDBC batching, one thread, as {@code batchedInsert} but
     * with one row for each of {@value #BATCH} runs, as a group of the store's 64 appenders writes them. A
     * {@code batchedInsert} transaction puts its rows side by side in one run's part of the key range; these land in
     * {@value #BATCH} places of it, as the store's do.
     */
    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(BATCH)
    public void batchedInsertAcrossRuns(Db db, Spread s) throws SQLException {
        s.connection.setAutoCommit(false);
        for (int k = 0; k < BATCH; k++) {
            s.bind(s.runIds[k], ++s.seqs[k], db.payload);
            s.insert.addBatch();
        }
        s.commitBatch();
    }
}
