package dev.baton.store.jdbc;

import dev.baton.event.RunCreated;
import dev.baton.event.RunEvent;
import dev.baton.event.RunSettings;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskStarted;
import dev.baton.persistence.RunFilter;
import dev.baton.persistence.StoreException;
import dev.baton.plan.Plan;
import org.h2.jdbcx.JdbcConnectionPool;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.baton.store.jdbc.TestRuns.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the JDBC store does beyond the contract: schema handling, restarts, configuration. */
class JdbcRunStoreTest {

    private static final Instant T0 = TestRuns.T0;
    private static final JdbcConnectionPool POOL =
            JdbcConnectionPool.create("jdbc:h2:mem:jdbcstore;DB_CLOSE_DELAY=-1", "sa", "");

    @AfterAll
    static void closePool() {
        POOL.dispose();
    }

    @Test
    void theEmbeddedStoreKeepsRunsAcrossRestarts(@TempDir Path dir) {
        try (JdbcRunStore store = JdbcRunStore.embedded(dir)) {
            store.append("r1", 0, run("r1"), null, T0);
        }
        try (JdbcRunStore store = JdbcRunStore.embedded(dir)) {
            assertThat(store.events("r1")).isEqualTo(run("r1"));
            assertThat(store.completedExecution("r1/t")).contains((TaskCompleted) run("r1").get(2));
            assertThat(store.unfinishedRuns()).containsExactly("r1");
        }
    }

    @Test
    void anEmbeddedDirectoryWithASemicolonIsRefusedBeforeAnythingIsCreated(@TempDir Path dir) {
        Path odd = dir.resolve("runs;MODE=MySQL");
        assertThatThrownBy(() -> JdbcRunStore.embedded(odd)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("may not contain ';'").hasMessageContaining("runs;MODE=MySQL");
        assertThat(odd).doesNotExist();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void aDatabaseFileAtSchemaVersion3IsUpgradedAndThenHoldsLargeEvents(@TempDir Path dir) throws Exception {
        try (JdbcRunStore store = JdbcRunStore.embedded(dir)) {
            store.append("old", 0, run("old"), null, T0);
        }
        // back to version 3 as the previous library left the file: no overflow table
        String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("baton");
        JdbcDataSource file = new JdbcDataSource();
        file.setURL(url);
        file.setUser("sa");
        SchemaChecks.execute(file, "DROP TABLE baton_event_overflow");
        SchemaChecks.execute(file, "DELETE FROM baton_schema_version WHERE version = 4");
        assertThat(SchemaChecks.versions(file, "baton_")).containsExactly(1, 2, 3);

        List<RunEvent> big = List.of(new RunCreated("big", 1, T0, Plan.builder().task("t", "svc", Map.of()).build(),
                new RunSettings(null, 0, "GROUPS", "FAIL_FAST", null, null)),
                LargeEventChecks.bigCompletion("big", 2, "t"));
        try (JdbcRunStore store = JdbcRunStore.embedded(dir)) {
            assertThat(SchemaChecks.versions(file, "baton_")).containsExactly(1, 2, 3, 4);
            assertThat(store.events("old")).isEqualTo(run("old"));
            store.append("big", 0, big, null, T0);
        }
        try (JdbcRunStore store = JdbcRunStore.embedded(dir)) { // and again: nothing more to migrate
            assertThat(SchemaChecks.versions(file, "baton_")).containsExactly(1, 2, 3, 4);
            LargeEventChecks.assertSame(store.events("big"), big);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pooled", "unpooled"})
    void onH2TheStoreMakesEveryCommitReachTheFileForAsLongAsItLives(String kind, @TempDir Path dir) throws Exception {
        // H2's default write delay keeps acknowledged commits in memory for half a second (H2KillTest shows a kill
        // losing them); the value set applies only while the database stays open, and an unpooled data source lets
        // it close whenever its last connection does
        String url = "jdbc:h2:file:" + dir.resolve("db");
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "sa", "");
        JdbcDataSource unpooled = new JdbcDataSource();
        unpooled.setURL(url);
        unpooled.setUser("sa");
        try (JdbcRunStore store = JdbcRunStore.h2(kind.equals("pooled") ? pool : unpooled)) {
            store.append("r1", 0, run("r1"), null, T0);
            assertThat(writeDelays(unpooled)).isNotEmpty().containsOnly("0");
        } finally {
            pool.dispose();
        }
    }

    @Test
    void onH2AWriterThatReconnectsSetsTheWriteDelayAgain(@TempDir Path dir) throws Exception {
        JdbcDataSource unpooled = new JdbcDataSource();
        unpooled.setURL("jdbc:h2:file:" + dir.resolve("db"));
        unpooled.setUser("sa");
        try (JdbcRunStore store = JdbcRunStore.h2(unpooled)) {
            store.append("r1", 0, run("r1"), null, T0);
            try (Connection c = unpooled.getConnection(); Statement st = c.createStatement()) {
                st.execute("SHUTDOWN"); // closes the database under the writer's connection
            }
            // opened again by someone else, at H2's default: the stored value is not applied
            assertThat(writeDelays(unpooled)).contains("500");
            // the append that meets the writer's broken connection may fail; the writer then opens a new one
            for (int attempt = 1; ; attempt++) {
                try {
                    store.append("r2", 0, run("r2"), null, T0);
                    break;
                } catch (StoreException e) {
                    assertThat(attempt).as("appends failed after the database was closed: %s", e).isLessThan(3);
                }
            }
            assertThat(writeDelays(unpooled)).containsOnly("0");
            assertThat(store.events("r1")).isEqualTo(run("r1"));
        }
    }

    /** The write-delay values H2 reports: the database's stored one and the one in effect, which can differ. */
    private static List<String> writeDelays(DataSource ds) throws Exception {
        List<String> values = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    @Test
    void onH2AUserWhoCannotMakeCommitsDurableIsRefusedAtStartWithNothingCreated(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("db");
        JdbcConnectionPool admin = JdbcConnectionPool.create(url, "sa", "");
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            // a user who owns a schema (so the store could create its tables) but has no admin rights
            st.execute("CREATE USER app PASSWORD 'secret'");
            st.execute("CREATE SCHEMA app_schema AUTHORIZATION app");
            JdbcConnectionPool app = JdbcConnectionPool.create(url + ";SCHEMA=APP_SCHEMA", "app", "secret");
            try {
                assertThatThrownBy(() -> JdbcRunStore.h2(app))
                        .isInstanceOf(StoreException.class)
                        .hasMessageContaining("SET WRITE_DELAY 0")
                        .hasMessageContaining("admin rights");
            } finally {
                app.dispose();
            }
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES"
                    + " WHERE TABLE_SCHEMA = 'APP_SCHEMA'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("tables created for the refused user").isZero();
            }
        } finally {
            admin.dispose();
        }
    }

    @Test
    void onAnInMemoryH2DatabaseNoAdminRightsAreNeeded() throws Exception {
        // nothing outlives the process there, so there is no write delay to set
        // (the admin's open connection keeps the database alive; a URL setting such as DB_CLOSE_DELAY needs admin)
        JdbcConnectionPool admin = JdbcConnectionPool.create("jdbc:h2:mem:noadmin", "sa", "");
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE USER app PASSWORD 'secret'");
            st.execute("CREATE SCHEMA app_schema AUTHORIZATION app");
            JdbcConnectionPool app = JdbcConnectionPool.create("jdbc:h2:mem:noadmin;SCHEMA=APP_SCHEMA", "app", "secret");
            try (JdbcRunStore store = JdbcRunStore.h2(app)) {
                store.append("r1", 0, run("r1"), null, T0);
                assertThat(store.events("r1")).isEqualTo(run("r1"));
            } finally {
                app.dispose();
            }
        } finally {
            admin.dispose();
        }
    }

    @Test
    void storesStartingAtOnceMigrateTheSchemaOnce() throws Exception {
        SchemaChecks.concurrentStartsMigrateOnce(POOL, JdbcRunStore.Dialect.H2, "race_", 4);
    }

    @Test
    void anUpgradeFromVersion2DropsTheExecutionIndex() throws Exception {
        SchemaChecks.anUpgradeFromVersion2DropsTheExecutionIndex(POOL, JdbcRunStore.Dialect.H2, "upgrade_");
    }

    @Test
    void aStoreThatOnlyChecksTheSchemaChangesNothing() throws Exception {
        SchemaChecks.checkingTheSchemaOnlyChangesNothing(POOL, JdbcRunStore.Dialect.H2, "check_");
    }

    @Test
    void aStoreThatOnlyChecksStartsItsWriterAtItsFirstAppend() throws Exception {
        SchemaChecks.aStoreThatOnlyChecksStartsItsWriterAtItsFirstAppend(POOL, JdbcRunStore.Dialect.H2, "lazy_");
    }

    @Test
    void anEmbeddedStoreThatOnlyChecksCreatesNoDatabase(@TempDir Path dir) {
        Path empty = dir.resolve("none");
        assertThatThrownBy(() -> JdbcRunStore.embeddedBuilder(empty).migrateSchema(false).build())
                .isInstanceOf(StoreException.class).hasMessageContaining("not found");
        assertThat(empty).doesNotExist();
        try (JdbcRunStore store = JdbcRunStore.embeddedBuilder(dir).maxBatchSize(4).build()) {
            store.append("r1", 0, run("r1"), null, T0);
        }
        JdbcRunStore.Builder checking = JdbcRunStore.embeddedBuilder(dir).migrateSchema(false);
        for (int i = 0; i < 2; i++) { // each build opens the database of its own and closes it with the store
            try (JdbcRunStore store = checking.build()) {
                assertThat(store.events("r1")).isEqualTo(run("r1"));
            }
        }
    }

    @Test
    void onH2AStoreThatOnlyChecksLeavesTheWriteDelayAsItWasUntilItsFirstAppend(@TempDir Path dir) throws Exception {
        try (JdbcRunStore store = JdbcRunStore.embedded(dir)) {
            store.append("r1", 0, run("r1"), null, T0);
        }
        JdbcDataSource file = new JdbcDataSource();
        file.setURL("jdbc:h2:file:" + dir.toAbsolutePath().resolve("baton").toString().replace('\\', '/'));
        file.setUser("sa");
        // this connection keeps the database open, and with it the write delay set here (H2 applies it while open)
        try (Connection held = file.getConnection(); Statement st = held.createStatement()) {
            st.execute("SET WRITE_DELAY 500");
            try (JdbcRunStore store = JdbcRunStore.embeddedBuilder(dir).migrateSchema(false).build()) {
                assertThat(store.events("r1")).isEqualTo(run("r1"));
                assertThat(store.runs(RunFilter.all(10))).hasSize(1);
                assertThat(writeDelays(file)).as("after build and reads").isNotEmpty().containsOnly("500");

                // the first append starts the writer, which makes commits durable as a migrating store's does
                store.append("r2", 0, run("r2"), null, T0);
                assertThat(writeDelays(file)).containsOnly("0");
                assertThat(store.events("r2")).isEqualTo(run("r2"));
            }
        }
    }

    @Test
    void onH2AUserAllowedOnlyToReadReadsThroughAStoreThatOnlyChecks(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("db");
        JdbcConnectionPool admin = JdbcConnectionPool.create(url, "sa", "");
        JdbcConnectionPool reader = JdbcConnectionPool.create(url, "reader", "x");
        // the admin's connection keeps the database open, and with it the write delay set here
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            try (JdbcRunStore store = JdbcRunStore.h2(admin)) {
                store.append("r1", 0, run("r1"), null, T0);
            }
            st.execute("CREATE USER reader PASSWORD 'x'");
            List<String> tables = SchemaChecks.tables(admin, "baton_");
            assertThat(tables).contains("baton_schema_version", "baton_events", "baton_runs");
            for (String table : tables) {
                st.execute("GRANT SELECT ON " + table + " TO reader");
            }
            st.execute("SET WRITE_DELAY 500");

            try (JdbcRunStore store = JdbcRunStore.builder(reader, JdbcRunStore.Dialect.H2).migrateSchema(false)
                    .build()) {
                assertThat(store.events("r1")).isEqualTo(run("r1"));
                assertThat(store.run("r1")).isPresent();
                assertThat(store.runs(RunFilter.all(10))).hasSize(1);
                assertThat(store.unfinishedRuns()).containsExactly("r1");
                assertThat(store.completedExecution("r1/t")).contains((TaskCompleted) run("r1").get(2));
                assertThat(store.deadLetters()).isEmpty();
                assertThat(store.definitions()).isEmpty();
                assertThat(writeDelays(admin)).isNotEmpty().containsOnly("500");

                // an append needs what the writer needs: refused with the reason, nothing written or set
                assertThatThrownBy(() -> store.append("r2", 0, run("r2"), null, T0))
                        .isInstanceOf(StoreException.class)
                        .hasMessageContaining("SET WRITE_DELAY 0")
                        .hasMessageContaining("admin rights");
                assertThat(store.run("r2")).isEmpty();
                assertThat(writeDelays(admin)).containsOnly("500");

                // the next append tries again: with the rights granted meanwhile, it starts the writer
                st.execute("ALTER USER reader ADMIN TRUE");
                store.append("r2", 0, run("r2"), null, T0);
                assertThat(store.events("r2")).isEqualTo(run("r2"));
                assertThat(writeDelays(admin)).containsOnly("0");
            }
        } finally {
            reader.dispose();
            admin.dispose();
        }
    }

    @Test
    void aStoreThatOnlyChecksAndIsClosedBeforeItsFirstAppendRefusesAppends() {
        JdbcRunStore.builder(POOL, JdbcRunStore.Dialect.H2).tablePrefix("checkclosed_").build().close();
        JdbcRunStore store = JdbcRunStore.builder(POOL, JdbcRunStore.Dialect.H2).tablePrefix("checkclosed_")
                .migrateSchema(false).build();
        store.close();

        assertThatThrownBy(() -> store.append("r1", 0, run("r1"), null, T0))
                .isInstanceOf(StoreException.class).hasMessageContaining("closed");
        assertThat(store.run("r1")).isEmpty();
    }

    @Test
    void aSchemaNewerThanTheLibraryIsRefused() throws Exception {
        JdbcRunStore.builder(POOL, JdbcRunStore.Dialect.H2).tablePrefix("future_").build().close();
        SchemaChecks.execute(POOL, "INSERT INTO future_schema_version VALUES (99, 'from the future', 0)");

        assertThatThrownBy(() -> JdbcRunStore.builder(POOL, JdbcRunStore.Dialect.H2).tablePrefix("future_").build())
                .isInstanceOf(StoreException.class).hasMessageContaining("schema version 99");
    }

    @Test
    void aClosedStoreRefusesAppendsButCommittedWorkStays() {
        JdbcRunStore store = JdbcRunStore.builder(POOL, JdbcRunStore.Dialect.H2).tablePrefix("closed_").build();
        store.append("r1", 0, run("r1"), null, T0);
        store.close();

        assertThatThrownBy(() -> store.append("r2", 0, run("r2"), null, T0))
                .isInstanceOf(StoreException.class).hasMessageContaining("closed");
        assertThat(store.run("r1")).isPresent();
    }

    @Test
    void everyAppendOfALargeConcurrentGroupGetsItsOwnOutcome() throws Exception {
        try (JdbcRunStore store = JdbcRunStore.builder(POOL, JdbcRunStore.Dialect.H2).tablePrefix("group_")
                .maxBatchSize(16).build()) {
            int threads = 32;
            Thread[] workers = new Thread[threads];
            java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(threads);
            java.util.concurrent.atomic.AtomicInteger conflicts = new java.util.concurrent.atomic.AtomicInteger();
            for (int i = 0; i < threads; i++) {
                String id = i % 4 == 0 ? "same" : "run" + i; // a quarter of them race for one run id
                workers[i] = new Thread(() -> {
                    try {
                        barrier.await();
                        store.append(id, 0, run(id), null, T0);
                    } catch (dev.baton.persistence.SequenceConflictException e) {
                        conflicts.incrementAndGet();
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
                workers[i].start();
            }
            for (Thread w : workers) {
                w.join(30_000);
            }
            assertThat(conflicts).hasValue(threads / 4 - 1);
            assertThat(store.runs(RunFilter.all(100))).hasSize(threads - threads / 4 + 1);
        }
    }

    @Test
    void continuingAppendsOfLargeGroupsEachGetTheirOwnOutcome() throws Exception {
        // groups of up to 200 continuing appends, with races for a seq (a taken seq) and gaps (rows the previous-seq
        // check leaves out) among good rows: each append learns its own outcome, and only the winners' rows land
        try (JdbcRunStore store = JdbcRunStore.builder(POOL, JdbcRunStore.Dialect.H2).tablePrefix("cont_")
                .maxBatchSize(200).build()) {
            int runs = 50;
            for (int k = 0; k < runs; k++) {
                store.append("c" + k, 0, run("c" + k).subList(0, 1), null, T0);
                store.append("g" + k, 0, run("g" + k).subList(0, 1), null, T0);
            }
            int threads = runs * 3;
            Thread[] workers = new Thread[threads];
            String[] outcomes = new String[threads];
            java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(threads);
            for (int i = 0; i < threads; i++) {
                int n = i;
                // two appenders race for seq 2 of a run; a third appends where another run's log does not end (a gap)
                String id = (n % 3 == 2 ? "g" : "c") + (i / 3);
                long expected = n % 3 == 2 ? 5 : 1;
                workers[i] = new Thread(() -> {
                    try {
                        barrier.await();
                        store.append(id, expected, List.of(new TaskStarted(id, expected + 1, T0, "t", "x" + n, 1,
                                Map.of())), null, T0);
                        outcomes[n] = "ok";
                    } catch (dev.baton.persistence.SequenceConflictException e) {
                        outcomes[n] = "conflict";
                    } catch (Exception e) {
                        outcomes[n] = e.toString();
                    }
                });
                workers[i].start();
            }
            for (Thread w : workers) {
                w.join(30_000);
            }
            for (int k = 0; k < runs; k++) {
                String id = "c" + k;
                assertThat(outcomes[3 * k + 2]).as("the gap in " + id).isEqualTo("conflict");
                assertThat(List.of(outcomes[3 * k], outcomes[3 * k + 1])).as("the race for " + id)
                        .containsExactlyInAnyOrder("ok", "conflict");
                int winner = outcomes[3 * k].equals("ok") ? 3 * k : 3 * k + 1;
                List<RunEvent> log = store.events(id);
                assertThat(log).hasSize(2);
                assertThat(((TaskStarted) log.get(1)).executionId()).isEqualTo("x" + winner);
                assertThat(store.events("g" + k)).hasSize(1);
            }
        }
    }

    @Test
    void severalWritersCommittingGroupsAtOnceNeverInterleaveOneRunsLog() throws Exception {
        try (JdbcRunStore store = JdbcRunStore.builder(POOL, JdbcRunStore.Dialect.H2).tablePrefix("writers_")
                .writers(4).maxBatchSize(4).build()) {
            store.append("shared", 0, run("shared").subList(0, 1), null, T0);
            int threads = 16;
            int perThread = 10;
            java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(threads);
            java.util.concurrent.atomic.AtomicInteger conflicts = new java.util.concurrent.atomic.AtomicInteger();
            List<Throwable> failures = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            Thread[] workers = new Thread[threads];
            for (int i = 0; i < threads; i++) {
                String task = "t" + i;
                workers[i] = new Thread(() -> {
                    try {
                        barrier.await();
                        for (int done = 0, attempt = 1; done < perThread; attempt++) {
                            long last = store.run("shared").orElseThrow().lastSeq();
                            try {
                                store.append("shared", last, List.of(
                                        new TaskStarted("shared", last + 1, T0, task, "shared/" + task, attempt, Map.of()),
                                        new TaskCompleted("shared", last + 2, T0, task, "shared/" + task, attempt,
                                                Map.of(), false)), null, T0);
                                done++;
                            } catch (dev.baton.persistence.SequenceConflictException e) {
                                conflicts.incrementAndGet();
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                workers[i].start();
            }
            for (Thread w : workers) {
                w.join(60_000);
            }
            assertThat(failures).isEmpty();
            List<RunEvent> log = store.events("shared");
            assertThat(log).hasSize(1 + threads * perThread * 2);
            for (int i = 0; i < log.size(); i++) {
                assertThat(log.get(i).seq()).isEqualTo(i + 1);
            }
            for (int i = 1; i < log.size(); i += 2) { // each start directly followed by its own completion
                assertThat(log.get(i)).isInstanceOf(TaskStarted.class);
                assertThat(log.get(i + 1).taskId()).isEqualTo(log.get(i).taskId());
                assertThat(((TaskCompleted) log.get(i + 1)).attempt()).isEqualTo(((TaskStarted) log.get(i)).attempt());
            }
            assertThat(conflicts.get()).as("the race was real").isPositive();
        }
    }

    @Test
    void anInterruptedAppenderStillLearnsItsOutcomeAndKeepsItsInterrupt() {
        try (JdbcRunStore store = JdbcRunStore.builder(POOL, JdbcRunStore.Dialect.H2).tablePrefix("interrupt_")
                .build()) {
            Thread.currentThread().interrupt();
            store.append("r1", 0, run("r1"), null, T0);
            assertThat(Thread.interrupted()).isTrue();

            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> store.append("r1", 1, run("r1").subList(1, 2), null, T0))
                    .isInstanceOf(dev.baton.persistence.SequenceConflictException.class);
            assertThat(Thread.interrupted()).isTrue();
            assertThat(store.events("r1")).hasSize(3);
        }
    }

    @Test
    void builderSettingsAreCheckedAsTheyAreMade() {
        JdbcRunStore.Builder b = JdbcRunStore.builder(POOL, JdbcRunStore.Dialect.H2);
        assertThatThrownBy(() -> b.tablePrefix("bad-prefix")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tablePrefix").hasMessageContaining("bad-prefix");
        assertThatThrownBy(() -> b.statementTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("statementTimeout");
        assertThatThrownBy(() -> b.completedCacheSize(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxBatchSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.writers(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("writers").hasMessageContaining("0");
        assertThatThrownBy(() -> b.writers(17)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("17");
    }

    @Test
    void theCodecRejectsValuesThatAreNotJson() {
        try (JdbcRunStore store = JdbcRunStore.builder(POOL, JdbcRunStore.Dialect.H2).tablePrefix("codec_").build()) {
            store.append("r1", 0, run("r1").subList(0, 1), null, T0);
            TaskCompleted odd = new TaskCompleted("r1", 2, T0, "t", "r1/t", 1, new Object(), false);
            assertThatThrownBy(() -> store.append("r1", 1, List.of(odd), null, T0))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(store.events("r1")).hasSize(1);
        }
    }
}
