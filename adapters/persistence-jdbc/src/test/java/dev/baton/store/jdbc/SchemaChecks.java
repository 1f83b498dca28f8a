package dev.baton.store.jdbc;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Checks shared by the H2 and PostgreSQL schema tests. */
final class SchemaChecks {

    private SchemaChecks() {
    }

    /** Starts {@code n} stores on one prefix at once; all must come up and the migration be recorded once. */
    static void concurrentStartsMigrateOnce(DataSource ds, JdbcRunStore.Dialect dialect, String prefix, int n)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CyclicBarrier barrier = new CyclicBarrier(n);
        List<Future<JdbcRunStore>> starts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            starts.add(pool.submit(() -> {
                barrier.await(30, TimeUnit.SECONDS);
                return JdbcRunStore.builder(ds, dialect).tablePrefix(prefix).build();
            }));
        }
        try {
            for (Future<JdbcRunStore> f : starts) {
                f.get(60, TimeUnit.SECONDS).close();
            }
        } finally {
            pool.shutdownNow();
        }
        // every migration applied exactly once (v1 runs and logs, v2 plan definitions, ...)
        List<Integer> all = java.util.stream.IntStream.rangeClosed(1, new Sql(dialect, prefix).migrations().length)
                .boxed().toList();
        assertThat(versions(ds, prefix)).isEqualTo(all);
        JdbcRunStore.builder(ds, dialect).tablePrefix(prefix).build().close(); // a restart changes nothing
        assertThat(versions(ds, prefix)).isEqualTo(all);
    }

    /**
     * A database at schema version 2 (with the old index on {@code execution_id}) is upgraded by the next start: the
     * index is gone, and completions are still found, by an id of the engine's form in its run and by any other id
     * in every run.
     */
    static void anUpgradeFromVersion2DropsTheExecutionIndex(DataSource ds, JdbcRunStore.Dialect dialect, String prefix)
            throws Exception {
        java.time.Instant t0 = java.time.Instant.parse("2026-01-01T00:00:00Z");
        dev.baton.plan.Plan plan = dev.baton.plan.Plan.builder().task("t", "svc", java.util.Map.of()).build();
        dev.baton.event.RunSettings settings = new dev.baton.event.RunSettings(null, 0, "GROUPS", "FAIL_FAST", null,
                null);
        dev.baton.event.TaskCompleted done = new dev.baton.event.TaskCompleted("r1", 3, t0, "t", "r1/t", 1,
                java.util.Map.of("ok", true), false);
        dev.baton.event.TaskCompleted custom = new dev.baton.event.TaskCompleted("r2", 3, t0, "t", "custom-id", 1,
                java.util.Map.of("ok", 2), false);
        // an id that names another run than its own: found only by a look-up in every log
        dev.baton.event.TaskCompleted borrowed = new dev.baton.event.TaskCompleted("r3", 3, t0, "t", "r1/borrowed", 1,
                java.util.Map.of("ok", 3), false);
        try (JdbcRunStore store = JdbcRunStore.builder(ds, dialect).tablePrefix(prefix).build()) {
            for (dev.baton.event.TaskCompleted c : List.of(done, custom, borrowed)) {
                store.append(c.runId(), 0, List.of(new dev.baton.event.RunCreated(c.runId(), 1, t0, plan, settings),
                        new dev.baton.event.TaskStarted(c.runId(), 2, t0, "t", c.executionId(), 1, java.util.Map.of()),
                        c), null, t0);
            }
        }
        // back to version 2 as an older library left it
        execute(ds, "CREATE INDEX " + prefix + "events_execution ON " + prefix + "events (execution_id)");
        execute(ds, "DROP TABLE " + prefix + "event_overflow");
        execute(ds, "DELETE FROM " + prefix + "schema_version WHERE version >= 3");
        assertThat(versions(ds, prefix)).containsExactly(1, 2);

        try (JdbcRunStore store = JdbcRunStore.builder(ds, dialect).tablePrefix(prefix).build()) {
            assertThat(versions(ds, prefix)).containsExactly(1, 2, 3, 4);
            assertThat(store.completedExecution("r1/t")).contains(done);
            assertThat(store.completedExecution("r2/t")).as("r2's task completed under another id").isEmpty();
            assertThat(store.completedExecution("custom-id")).contains(custom);
            assertThat(store.completedExecution("r1/borrowed")).as("an id naming r1 is looked for in r1's log only")
                    .isEmpty();
        }
        // the index is gone: creating it again under its name works
        execute(ds, "CREATE INDEX " + prefix + "events_execution ON " + prefix + "events (execution_id)");
    }

    /**
     * A store that only checks its schema refuses missing, older and newer tables and leaves them as they are, and
     * reads tables at its own version.
     */
    static void checkingTheSchemaOnlyChangesNothing(DataSource ds, JdbcRunStore.Dialect dialect, String prefix)
            throws Exception {
        java.util.function.Supplier<JdbcRunStore> checking =
                () -> JdbcRunStore.builder(ds, dialect).tablePrefix(prefix).migrateSchema(false).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(checking::get)
                .isInstanceOf(dev.baton.persistence.StoreException.class)
                .hasMessageContaining("no Baton tables").hasMessageContaining(prefix + "schema_version");
        assertThat(tables(ds, prefix)).as("nothing created").isEmpty();

        java.time.Instant t0 = java.time.Instant.parse("2026-01-01T00:00:00Z");
        try (JdbcRunStore store = JdbcRunStore.builder(ds, dialect).tablePrefix(prefix).build()) {
            store.append("r1", 0, TestRuns.run("r1"), null, t0);
        }
        int latest = new Sql(dialect, prefix).migrations().length;
        List<String> all = tables(ds, prefix);
        execute(ds, "DELETE FROM " + prefix + "schema_version WHERE version = " + latest);
        org.assertj.core.api.Assertions.assertThatThrownBy(checking::get)
                .isInstanceOf(dev.baton.persistence.StoreException.class)
                .hasMessageContaining("schema version " + (latest - 1) + ", older than this library's " + latest);
        assertThat(versions(ds, prefix)).as("not migrated").hasSize(latest - 1);

        JdbcRunStore.builder(ds, dialect).tablePrefix(prefix).build().close(); // migrating is the default
        assertThat(versions(ds, prefix)).hasSize(latest);
        try (JdbcRunStore store = checking.get()) {
            assertThat(store.events("r1")).isEqualTo(TestRuns.run("r1"));
        }
        assertThat(tables(ds, prefix)).isEqualTo(all);

        execute(ds, "INSERT INTO " + prefix + "schema_version VALUES (" + (latest + 1) + ", 'later', 0)");
        org.assertj.core.api.Assertions.assertThatThrownBy(checking::get)
                .isInstanceOf(dev.baton.persistence.StoreException.class)
                .hasMessageContaining("newer than this library knows");
        execute(ds, "DELETE FROM " + prefix + "schema_version WHERE version = " + (latest + 1));
    }

    /**
     * A store that only checks its schema holds no connection and sets no session up until its first append, which
     * starts every writer once, however many appends come first at once; a migrating store holds its writers'
     * connections from build on.
     */
    static void aStoreThatOnlyChecksStartsItsWriterAtItsFirstAppend(DataSource ds, JdbcRunStore.Dialect dialect,
            String prefix) throws Exception {
        int writers = 2;
        OpenConnections counted = new OpenConnections(ds);
        try (JdbcRunStore store = JdbcRunStore.builder(counted, dialect).tablePrefix(prefix).writers(writers)
                .build()) {
            assertThat(counted.open()).as("a migrating store, after build").isEqualTo(writers);
        }
        assertThat(counted.open()).as("closed").isZero();

        try (JdbcRunStore store = JdbcRunStore.builder(counted, dialect).tablePrefix(prefix).writers(writers)
                .migrateSchema(false).build()) {
            assertThat(counted.open()).as("a checking store, after build").isZero();
            assertThat(store.events("r0")).isEmpty();
            assertThat(store.unfinishedRuns()).isEmpty();
            assertThat(counted.open()).as("after reads").isZero();

            int appenders = 8;
            ExecutorService pool = Executors.newFixedThreadPool(appenders);
            CyclicBarrier barrier = new CyclicBarrier(appenders);
            List<Future<?>> appends = new ArrayList<>();
            try {
                for (int i = 0; i < appenders; i++) {
                    String runId = "r" + i;
                    appends.add(pool.submit(() -> {
                        barrier.await(30, TimeUnit.SECONDS);
                        store.append(runId, 0, TestRuns.run(runId), null, TestRuns.T0);
                        return null;
                    }));
                }
                for (Future<?> f : appends) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(counted.open()).as("the writers' connections, opened once").isEqualTo(writers);
            for (int i = 0; i < appenders; i++) {
                assertThat(store.events("r" + i)).isEqualTo(TestRuns.run("r" + i));
            }
        }
        assertThat(counted.open()).as("closed").isZero();
    }

    /** A data source that counts the connections it handed out and that are not closed yet. */
    static final class OpenConnections extends ForwardingDataSource {
        private final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();

        OpenConnections(DataSource delegate) {
            super(delegate);
        }

        int open() {
            return open.get();
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection c = delegate.getConnection();
            open.incrementAndGet();
            java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
            return (Connection) java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close") && closed.compareAndSet(false, true)) {
                            open.decrementAndGet();
                        }
                        try {
                            return method.invoke(c, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }

    /** The names of the tables whose names start with the prefix, sorted, in lower case. */
    static List<String> tables(DataSource ds, String prefix) throws SQLException {
        try (Connection c = ds.getConnection();
             ResultSet rs = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), null, new String[] {"TABLE"})) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                String name = rs.getString("TABLE_NAME").toLowerCase(java.util.Locale.ROOT);
                if (name.startsWith(prefix)) {
                    out.add(name);
                }
            }
            java.util.Collections.sort(out);
            return out;
        }
    }

    static List<Integer> versions(DataSource ds, String prefix) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version FROM " + prefix + "schema_version ORDER BY version")) {
            List<Integer> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
            return out;
        }
    }

    static void execute(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
