package dev.baton.store.jdbc;

import dev.baton.event.RunEvent;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskStarted;
import dev.baton.persistence.StoreException;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.baton.store.jdbc.TestRuns.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the store does with a driver that fails in odd ways and with rows damaged behind its back. */
class DamagedStoreTest {

    private static final Instant T0 = TestRuns.T0;
    private static final JdbcConnectionPool POOL =
            JdbcConnectionPool.create("jdbc:h2:mem:damaged;DB_CLOSE_DELAY=-1", "sa", "");

    @AfterAll
    static void closePool() {
        POOL.dispose();
    }

    /** Runs an append on another thread and waits a bounded time, so that a hang fails the test. */
    private static Throwable appendOutcome(JdbcRunStore store, String id) throws Exception {
        CompletableFuture<Void> f = CompletableFuture.runAsync(() -> store.append(id, 0, run(id), null, T0));
        try {
            f.get(20, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    @Test
    void aDriverThatThrowsAnErrorFailsThatAppendAndTheWriterServesTheNext() throws Exception {
        // at the commit, and before it (the writer's first statement): the two places the writer catches it
        for (String method : List.of("commit", "prepareStatement")) {
            FailingOnce source = new FailingOnce(POOL);
            try (JdbcRunStore store = JdbcRunStore.builder(source, JdbcRunStore.Dialect.H2)
                    .tablePrefix("error_" + method.toLowerCase(java.util.Locale.ROOT) + "_").build()) {
                source.fail(method, new AssertionError("driver bug"));
                assertThat(appendOutcome(store, "r1")).as(method).isInstanceOf(StoreException.class)
                        .hasMessageContaining("run 'r1'").hasMessageContaining("AssertionError: driver bug");
                assertThat(store.run("r1")).as(method).isEmpty();

                assertThat(appendOutcome(store, "r2")).as(method).isNull(); // the writer thread is still there
                assertThat(store.events("r2")).isEqualTo(run("r2"));
            }
        }
    }

    @Test
    void aCommitThatTookEffectBeforeItsConnectionFailedIsReportedWritten() throws Exception {
        FailingOnce source = new FailingOnce(POOL);
        try (JdbcRunStore store = JdbcRunStore.builder(source, JdbcRunStore.Dialect.H2).tablePrefix("doubt_").build()) {
            List<RunEvent> r = run("r1");
            store.append("r1", 0, r.subList(0, 2), null, T0);

            source.failAfter("commit", new SQLException("connection reset after the commit", "08006"));
            store.append("r1", 2, r.subList(2, 3), null, T0); // written: no StoreException, no conflict
            assertThat(store.events("r1")).isEqualTo(r);

            // a commit that failed without taking effect still fails, and leaves nothing
            source.fail("commit", new SQLException("connection reset before the commit", "08006"));
            List<RunEvent> next = List.of(new TaskStarted("r1", 4, T0, "t", "r1/t", 2, Map.of("n", 1)));
            assertThatThrownBy(() -> store.append("r1", 3, next, null, T0)).isInstanceOf(StoreException.class)
                    .hasMessageContaining("08006");
            assertThat(store.events("r1")).isEqualTo(r);
            store.append("r1", 3, next, null, T0);
            assertThat(store.events("r1")).hasSize(4);
        }
    }

    @Test
    void aDamagedLogFailsItsReadNamingTheRunAndTheSeq() throws Exception {
        String p = "damaged_";
        try (JdbcRunStore store = JdbcRunStore.builder(POOL, JdbcRunStore.Dialect.H2).tablePrefix(p).build()) {
            for (String id : List.of("json", "type", "null", "gap", "moved", "whole")) {
                store.append(id, 0, run(id), null, T0);
            }
            String events = p + "events";
            SchemaChecks.execute(POOL, "UPDATE " + events + " SET payload = '{not json' WHERE run_id = 'json' AND seq = 2");
            SchemaChecks.execute(POOL, "UPDATE " + events + " SET payload = REPLACE(payload, 'TaskStarted', 'TaskExploded')"
                    + " WHERE run_id = 'type' AND seq = 2");
            SchemaChecks.execute(POOL, "UPDATE " + events + " SET payload = 'null' WHERE run_id = 'null' AND seq = 2");
            SchemaChecks.execute(POOL, "DELETE FROM " + events + " WHERE run_id = 'gap' AND seq = 2");
            SchemaChecks.execute(POOL, "UPDATE " + events + " SET payload = (SELECT payload FROM " + events
                    + " WHERE run_id = 'moved' AND seq = 2) WHERE run_id = 'moved' AND seq = 3");

            assertThatThrownBy(() -> store.events("json")).isInstanceOf(StoreException.class)
                    .hasMessageStartingWith("run 'json', seq 2: ").hasMessageContaining("not valid JSON");
            assertThatThrownBy(() -> store.events("type")).isInstanceOf(StoreException.class)
                    .hasMessageStartingWith("run 'type', seq 2: ").hasMessageContaining("TaskExploded");
            assertThatThrownBy(() -> store.events("null")).isInstanceOf(StoreException.class)
                    .hasMessageStartingWith("run 'null', seq 2: ").hasMessageContaining("not a JSON object");
            assertThatThrownBy(() -> store.events("gap")).isInstanceOf(StoreException.class)
                    .hasMessage("run 'gap', seq 3: the stored log has a gap (expected seq 2)");
            assertThatThrownBy(() -> store.events("moved")).isInstanceOf(StoreException.class)
                    .hasMessage("run 'moved', seq 3: the stored event is TaskStarted of run 'moved' at seq 2");
            assertThat(store.events("whole")).isEqualTo(run("whole")); // the others read as before
        }
    }

    @Test
    void aDamagedRunRowOrCompletionRowIsAStoreExceptionNamingIt() throws Exception {
        String p = "rows_";
        try (JdbcRunStore store = JdbcRunStore.builder(POOL, JdbcRunStore.Dialect.H2).tablePrefix(p).build()) {
            store.append("state", 0, run("state"), null, T0);
            store.append("kind", 0, run("kind"), null, T0);
            SchemaChecks.execute(POOL, "UPDATE " + p + "runs SET state = 'EXPLODED' WHERE run_id = 'state'");
            // the completion's row holds the started event instead (a row swapped behind the store's back)
            SchemaChecks.execute(POOL, "UPDATE " + p + "events SET payload = (SELECT payload FROM " + p + "events"
                    + " WHERE run_id = 'kind' AND seq = 2) WHERE run_id = 'kind' AND seq = 3");

            assertThatThrownBy(() -> store.run("state")).isInstanceOf(StoreException.class)
                    .hasMessage("run 'state': the stored state 'EXPLODED' is not a run state");
            assertThatThrownBy(() -> store.runs(dev.baton.persistence.RunFilter.all(10)))
                    .isInstanceOf(StoreException.class).hasMessageContaining("'EXPLODED'");
            try (JdbcRunStore fresh = JdbcRunStore.builder(POOL, JdbcRunStore.Dialect.H2).tablePrefix(p)
                    .completedCacheSize(0).build()) {
                assertThatThrownBy(() -> fresh.completedExecution("kind/t")).isInstanceOf(StoreException.class)
                        .hasMessage("execution 'kind/t': the stored event is TaskStarted of run 'kind' at seq 2,"
                                + " not a TaskCompleted");
            }
        }
    }

    @Test
    void aCommitWithALargeEventThatTookEffectBeforeItsConnectionFailedIsReportedWritten() throws Exception {
        FailingOnce source = new FailingOnce(POOL);
        try (JdbcRunStore store = JdbcRunStore.builder(source, JdbcRunStore.Dialect.H2).tablePrefix("bigdoubt_")
                .build()) {
            store.append("r1", 0, run("r1").subList(0, 2), null, T0);
            List<RunEvent> big = List.of(LargeEventChecks.bigCompletion("r1", 3, "t"));
            // the read-back compares the overflow row with the event's JSON, not the events row's marker
            source.failAfter("commit", new SQLException("connection reset after the commit", "08006"));
            store.append("r1", 2, big, null, T0); // written: no StoreException, no conflict
            LargeEventChecks.assertSame(store.events("r1").subList(2, 3), big);

            List<RunEvent> next = List.of(new TaskStarted("r1", 4, T0, "u", "r1/u", 1, Map.of()),
                    LargeEventChecks.bigCompletion("r1", 5, "u"));
            source.fail("commit", new SQLException("connection reset before the commit", "08006"));
            assertThatThrownBy(() -> store.append("r1", 3, next, null, T0)).isInstanceOf(StoreException.class)
                    .hasMessageContaining("08006");
            assertThat(store.events("r1")).hasSize(3);
            store.append("r1", 3, next, null, T0);
            assertThat(store.events("r1")).hasSize(5);
        }
    }

    @Test
    void aLargeEventWhoseOverflowRowIsMissingOrCutFailsItsReadNamingTheRunAndTheSeq() throws Exception {
        String p = "bigdamaged_";
        try (JdbcRunStore store = JdbcRunStore.builder(POOL, JdbcRunStore.Dialect.H2).tablePrefix(p)
                .completedCacheSize(0).build()) {
            for (String id : List.of("gone", "cut", "marker")) {
                store.append(id, 0, run(id).subList(0, 2), null, T0);
                store.append(id, 2, List.of(LargeEventChecks.bigCompletion(id, 3, "t")), null, T0);
            }
            store.append("dead", 0, run("dead").subList(0, 2), null, T0);
            store.append("dead", 2, List.of(new dev.baton.event.TaskDeadLettered("dead", 3, T0, "t", "dead/t", "svc",
                    Map.of("doc", LargeEventChecks.BIG), List.of(new dev.baton.event.FailedAttempt(1, T0,
                    new dev.baton.event.ErrorInfo("BOOM", "boom", null))))), null, T0);
            SchemaChecks.execute(POOL, "DELETE FROM " + p + "event_overflow WHERE run_id IN ('gone', 'dead')");
            SchemaChecks.execute(POOL, "UPDATE " + p + "event_overflow SET payload = SUBSTRING(payload, 1, 2000000)"
                    + " WHERE run_id = 'cut'");
            SchemaChecks.execute(POOL, "UPDATE " + p + "events SET payload = '@baton-overflow chars=x'"
                    + " WHERE run_id = 'marker' AND seq = 3");

            assertThatThrownBy(() -> store.events("gone")).isInstanceOf(StoreException.class)
                    .hasMessageStartingWith("run 'gone', seq 3: ").hasMessageContaining("overflow row is missing");
            assertThatThrownBy(() -> store.completedExecution("gone/t")).isInstanceOf(StoreException.class)
                    .hasMessageStartingWith("execution 'gone/t': ").hasMessageContaining("overflow row is missing");
            assertThatThrownBy(() -> store.events("cut")).isInstanceOf(StoreException.class)
                    .hasMessageStartingWith("run 'cut', seq 3: ").hasMessageContaining("holds 2000000");
            assertThatThrownBy(() -> store.events("marker")).isInstanceOf(StoreException.class)
                    .hasMessageStartingWith("run 'marker', seq 3: ").hasMessageContaining("damaged overflow marker");
            assertThatThrownBy(store::deadLetters).isInstanceOf(StoreException.class)
                    .hasMessageStartingWith("the dead letter of run 'dead', seq 3: ")
                    .hasMessageContaining("overflow row is missing");
        }
    }

    /** Hands out connections whose named method fails once, with what the test says. */
    private static final class FailingOnce extends ForwardingDataSource {
        private final AtomicReference<String> method = new AtomicReference<>();
        private final AtomicReference<Throwable> error = new AtomicReference<>();

        FailingOnce(DataSource delegate) {
            super(delegate);
        }

        private volatile boolean after;

        void fail(String methodName, Throwable t) {
            after = false;
            error.set(t);
            method.set(methodName);
        }

        /** The named method does its work, then throws: a connection lost just after the database acted. */
        void failAfter(String methodName, Throwable t) {
            after = true;
            error.set(t);
            method.set(methodName);
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection real = delegate.getConnection();
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[]{Connection.class}, (proxy, m, args) -> {
                        if (m.getName().equals(method.get()) && method.compareAndSet(m.getName(), null)) {
                            if (after) {
                                m.invoke(real, args);
                            }
                            throw error.getAndSet(null);
                        }
                        try {
                            return m.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }
}
