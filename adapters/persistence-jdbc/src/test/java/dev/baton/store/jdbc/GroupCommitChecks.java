package dev.baton.store.jdbc;

import dev.baton.event.RunCreated;
import dev.baton.event.RunEvent;
import dev.baton.event.RunSettings;
import dev.baton.event.TaskStarted;
import dev.baton.persistence.LeaseLostException;
import dev.baton.persistence.SequenceConflictException;
import dev.baton.persistence.StoreException;
import dev.baton.plan.Plan;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the group-commit writer promises when it is busy: a lease conflict inside a group rejects only the append whose
 * lease was lost, and {@code close()} commits the appends already queued before it stops. Each test holds the writer's
 * first group at its first statement, queues the appends under test behind it, and only then lets the writer go, so the
 * queued appends are certain to form one group (or to be queued when {@code close()} is called). Subclasses give the
 * database.
 */
abstract class GroupCommitChecks {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final AtomicInteger TABLES = new AtomicInteger();

    /** @return the database under test; shared by the tests, which isolate themselves by table prefix */
    protected abstract DataSource dataSource();

    /** @return its dialect */
    protected abstract JdbcRunStore.Dialect dialect();

    private String prefix() {
        return "gc" + TABLES.incrementAndGet() + "_";
    }

    private JdbcRunStore.Builder builder(DataSource ds, String prefix) {
        return JdbcRunStore.builder(ds, dialect()).tablePrefix(prefix);
    }

    private static List<RunEvent> created(String id) {
        Plan plan = Plan.builder().task("t", "svc", Map.of()).build();
        return List.of(new RunCreated(id, 1, T0, plan, new RunSettings(null, 0, "GROUPS", "FAIL_FAST", null, null)));
    }

    private static void createRuns(JdbcRunStore store, String... ids) {
        for (String id : ids) {
            store.append(id, 0, created(id), null, T0);
        }
    }

    private static List<RunEvent> started(String id, Instant at) {
        return List.of(new TaskStarted(id, 2, at, "t", id + "/t", 1, Map.of()));
    }

    @Test
    void aLeaseConflictInsideAGroupRejectsOnlyTheAppendWhoseLeaseWasLost() throws Exception {
        String prefix = prefix();
        Instant later = T0.plusSeconds(30);
        try (JdbcRunStore setup = builder(dataSource(), prefix).build()) {
            createRuns(setup, "a", "b", "c");
            assertThat(setup.tryLease("a", "one", Duration.ofHours(1), T0)).isPresent();
            assertThat(setup.tryLease("b", "one", Duration.ofSeconds(10), T0)).isPresent();
            assertThat(setup.tryLease("c", "one", Duration.ofHours(1), T0)).isPresent();
            // instance "one" stalled past its lease of b; instance "two" took b over
            assertThat(setup.tryLease("b", "two", Duration.ofHours(1), T0.plusSeconds(20))).isPresent();
        }
        // the held group and the group of a, b and c: two transactions, none rolled back, no one-by-one retry
        JdbcRunStore store = bRejectedAloneInItsGroup(prefix, (s, id) -> s.append(id, 1, started(id, later), "one", later),
                b -> {
                    assertThat(b).isInstanceOf(LeaseLostException.class);
                    assertThat(((Exception) b).getMessage()).contains("'two'");
                }, 0);
        assertThat(store.events("b")).hasSize(1);
        assertThat(store.run("a").orElseThrow().lastSeq()).isEqualTo(2);
        assertThat(store.run("b").orElseThrow().lastSeq()).isEqualTo(1);
    }

    @Test
    void aSeqTakenByAnotherWriterInsideAGroupRejectsOnlyThatAppend() throws Exception {
        String prefix = prefix();
        Instant later = T0.plusSeconds(30);
        try (JdbcRunStore other = builder(dataSource(), prefix).build()) {
            createRuns(other, "a", "b", "c");
            other.append("b", 1, started("b", T0), null, T0); // another writer's seq 2 of b
        }
        // PostgreSQL's fast group insert fails whole on a taken seq: the group is rolled back once and redone with
        // the insert that skips it (H2 fails only that row); either way, one transaction per group lands
        JdbcRunStore store = bConflictsAloneInItsGroup(prefix, (s, id) -> s.append(id, 1, started(id, later), null, later),
                2, dialect() == JdbcRunStore.Dialect.POSTGRES ? 1 : 0);
        assertThat(store.events("b")).hasSize(2);
        assertThat(((TaskStarted) store.events("b").get(1)).at()).isEqualTo(T0); // the other writer's, kept
    }

    @Test
    void aGapInsideAGroupRejectsOnlyThatAppend() throws Exception {
        String prefix = prefix();
        Instant later = T0.plusSeconds(30);
        try (JdbcRunStore setup = builder(dataSource(), prefix).build()) {
            createRuns(setup, "a", "b", "c");
        }
        // b's appender believes its log is longer than it is
        JdbcRunStore store = bConflictsAloneInItsGroup(prefix, (s, id) -> s.append(id, id.equals("b") ? 4 : 1,
                id.equals("b") ? List.of(new TaskStarted(id, 5, later, "t", id + "/t", 1, Map.of()))
                        : started(id, later), null, later), 1, 0);
        assertThat(store.events("b")).hasSize(1);
    }

    /**
     * Appends to runs a, b and c as one group behind a held writer and checks that a and c landed and b alone was
     * rejected as a sequence conflict with the given last seq, in one transaction of its own and the given number of
     * rollbacks.
     *
     * @return a closed store on the same tables, whose reads still work, for the caller's checks of b
     */
    private JdbcRunStore bConflictsAloneInItsGroup(String prefix, java.util.function.BiConsumer<JdbcRunStore, String> append,
                                                  long bActual, int rollbacks) throws Exception {
        return bRejectedAloneInItsGroup(prefix, append, b -> {
            assertThat(b).isInstanceOf(SequenceConflictException.class);
            assertThat(((SequenceConflictException) b).actual()).isEqualTo(bActual);
        }, rollbacks);
    }

    /** As {@link #bConflictsAloneInItsGroup}, with b's rejection checked by {@code bOutcome}. */
    private JdbcRunStore bRejectedAloneInItsGroup(String prefix, java.util.function.BiConsumer<JdbcRunStore, String> append,
                                                 java.util.function.Consumer<Object> bOutcome, int rollbacks)
            throws Exception {
        HeldWriter ds = new HeldWriter(dataSource());
        try (JdbcRunStore store = builder(ds, prefix).writers(1).build()) {
            Map<String, Object> outcomes = appendBehindAHeldGroup(store, ds, List.of("a", "b", "c"),
                    id -> append.accept(store, id));
            int commitsBefore = ds.commits.get();
            int rollbacksBefore = ds.rollbacks.get();
            ds.release();
            awaitAll(outcomes, 4);

            assertThat(outcomes).containsEntry("held", "ok").containsEntry("a", "ok").containsEntry("c", "ok");
            bOutcome.accept(outcomes.get("b"));
            assertThat(ds.commits.get() - commitsBefore).isEqualTo(2); // the held group and the group of a, b and c
            assertThat(ds.rollbacks.get() - rollbacksBefore).isEqualTo(rollbacks);
            assertThat(store.events("a")).hasSize(2);
            assertThat(store.events("c")).hasSize(2);
            return store;
        }
    }

    @Test
    void aGroupMixingSmallAndLargeEventsCommitsInOneTransaction() throws Exception {
        String prefix = prefix();
        try (JdbcRunStore setup = builder(dataSource(), prefix).build()) {
            createRuns(setup, "a", "b", "c");
        }
        HeldWriter ds = new HeldWriter(dataSource());
        try (JdbcRunStore store = builder(ds, prefix).writers(1).build()) {
            int commitsBefore = ds.commits.get();
            int rollbacksBefore = ds.rollbacks.get();
            Map<String, Object> outcomes = largeAroundSmall(store, ds, List.of("a", "b", "c"), "b");

            assertThat(outcomes).containsEntry("held", "ok").containsEntry("a", "ok").containsEntry("b", "ok")
                    .containsEntry("c", "ok");
            assertThat(ds.commits.get() - commitsBefore).isEqualTo(2); // the held group and the group of a, b and c
            assertThat(ds.rollbacks.get() - rollbacksBefore).isZero();
            for (String id : List.of("a", "c")) {
                LargeEventChecks.assertSame(store.events(id).subList(1, 2),
                        List.of(LargeEventChecks.bigCompletion(id, 2, "t")));
            }
            assertThat(store.events("b")).hasSize(2);
        }
    }

    @Test
    void aGroupRunsAsManyStatementsAsOneAppendAndLargeEventsAddOneBatchedInsert() throws Exception {
        String prefix = prefix();
        try (JdbcRunStore setup = builder(dataSource(), prefix).build()) {
            createRuns(setup, "a", "b", "c", "d");
        }
        String otherPrefix = prefix(); // the held group's run is created anew in each part
        try (JdbcRunStore setup = builder(dataSource(), otherPrefix).build()) {
            createRuns(setup, "e", "f", "g");
        }
        HeldWriter ds = new HeldWriter(dataSource());
        try (JdbcRunStore store = builder(ds, prefix).writers(1).build()) {
            // a group of three small appends
            Map<String, Object> small = appendBehindAHeldGroup(store, ds, List.of("a", "b", "c"),
                    id -> store.append(id, 1, started(id, T0), null, T0));
            ds.release();
            awaitAll(small, 4);
            assertThat(small.values()).containsOnly("ok");
            int threeSmall = ds.statementsPerCommit.get(ds.statementsPerCommit.size() - 1);
            // one small append alone
            store.append("d", 1, started("d", T0), null, T0);
            int oneSmall = ds.statementsPerCommit.get(ds.statementsPerCommit.size() - 1);

            // a group of three in which two events go to the overflow table, behind a group the writer is busy with
            HeldWriter again = new HeldWriter(dataSource());
            try (JdbcRunStore second = builder(again, otherPrefix).writers(1).build()) {
                Map<String, Object> mixed = largeAroundSmall(second, again, List.of("e", "f", "g"), "f");
                assertThat(mixed.values()).containsOnly("ok");
                int mixedGroup = again.statementsPerCommit.get(again.statementsPerCommit.size() - 1);

                assertThat(oneSmall).isPositive();
                assertThat(threeSmall).as("a group's statements do not grow with its appends").isEqualTo(oneSmall);
                assertThat(mixedGroup).as("large events add one batched insert").isEqualTo(oneSmall + 1);
            }
        }
    }

    @Test
    void aLargeEventThatCannotBeWrittenTakesItsAppendsEventRowsWithItAndNothingElse() throws Exception {
        String prefix = prefix();
        try (JdbcRunStore setup = builder(dataSource(), prefix).build()) {
            createRuns(setup, "a", "b", "c");
        }
        // a stray row where b's large event goes: its overflow insert fails after its events row went in
        SchemaChecks.execute(dataSource(), "INSERT INTO " + prefix + "event_overflow (run_id, seq, payload)"
                + " VALUES ('b', 2, 'stray')");
        HeldWriter ds = new HeldWriter(dataSource());
        try (JdbcRunStore store = builder(ds, prefix).writers(1).build()) {
            Map<String, Object> outcomes = largeAroundSmall(store, ds, List.of("a", "b", "c"), "a");

            assertThat(outcomes).containsEntry("held", "ok").containsEntry("a", "ok").containsEntry("c", "ok");
            assertThat(outcomes.get("b")).isInstanceOf(StoreException.class)
                    .isNotInstanceOf(SequenceConflictException.class);
            assertThat(((Exception) outcomes.get("b")).getMessage()).contains("run 'b'").contains("23505");
            assertThat(store.events("b")).as("b's events row went back with its overflow row").hasSize(1);
            assertThat(store.events("a")).hasSize(2);
            LargeEventChecks.assertSame(store.events("c").subList(1, 2),
                    List.of(LargeEventChecks.bigCompletion("c", 2, "t")));
        }
    }

    @Test
    void closeCommitsTheAppendsAlreadyQueued() throws Exception {
        closeCommitsWhatIsQueued(1);
    }

    @Test
    void closeWithSeveralWritersCommitsTheAppendsAlreadyQueued() throws Exception {
        closeCommitsWhatIsQueued(3);
    }

    private void closeCommitsWhatIsQueued(int writers) throws Exception {
        String prefix = prefix();
        HeldWriter ds = new HeldWriter(dataSource());
        JdbcRunStore store = builder(ds, prefix).writers(writers).build();
        List<String> ids = List.of("q1", "q2", "q3", "q4", "q5");
        Map<String, Object> outcomes = appendBehindAHeldGroup(store, ds, ids, id -> store.append(id, 0, created(id),
                null, T0));

        Thread closer = new Thread(store::close, "closer");
        closer.start();
        waitUntil(() -> closer.getState() == Thread.State.WAITING, "close() to wait for the writers");
        assertThatThrownBy(() -> store.append("late", 0, created("late"), null, T0))
                .isInstanceOf(StoreException.class).hasMessageContaining("closed");
        assertThat(outcomes).as("every append is still waiting").isEmpty();
        ds.release();
        closer.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(closer.isAlive()).isFalse();
        awaitAll(outcomes, ids.size() + 1);

        for (String id : ids) {
            assertThat(outcomes).as(id).containsEntry(id, "ok");
            assertThat(store.run(id)).as(id).isPresent(); // reads need no writer: they work after close
        }
        assertThat(outcomes).containsEntry("held", "ok");
        assertThat(store.run("late")).isEmpty();
    }

    /**
     * Starts an append of run "held" and waits until the writer holds it at its first statement, then starts one appender
     * per id and waits until each has queued its append and parked for the outcome. Outcomes land in the map ("ok" or
     * the exception), keyed by run id; the held append's under "held", put when it has an outcome.
     */
    private Map<String, Object> appendBehindAHeldGroup(JdbcRunStore store, HeldWriter ds, List<String> ids,
                                                      Appender appender) throws InterruptedException {
        Map<String, Object> outcomes = new ConcurrentHashMap<>();
        start("held", () -> store.append("held", 0, created("held"), null, T0), outcomes);
        assertThat(ds.writerWaiting.await(30, TimeUnit.SECONDS)).as("the writer reached for its first statement").isTrue();
        List<Thread> threads = new ArrayList<>();
        for (String id : ids) {
            threads.add(start(id, () -> appender.append(id), outcomes));
        }
        for (Thread t : threads) {
            // parked on its request: queued, waiting for the outcome
            waitUntil(() -> LockSupport.getBlocker(t) instanceof AppendWriter.Request, t.getName() + " to queue");
        }
        return outcomes;
    }

    /**
     * Appends one group behind a held writer: to {@code small} a small start, to each other run a completion large
     * enough for the overflow table; releases the writer and returns every outcome, the held group's among them.
     */
    private Map<String, Object> largeAroundSmall(JdbcRunStore store, HeldWriter ds, List<String> ids, String small)
            throws InterruptedException {
        Map<String, Object> outcomes = appendBehindAHeldGroup(store, ds, ids,
                id -> store.append(id, 1, id.equals(small) ? started(id, T0)
                        : List.of(LargeEventChecks.bigCompletion(id, 2, "t")), null, T0));
        ds.release();
        awaitAll(outcomes, ids.size() + 1);
        return outcomes;
    }

    @FunctionalInterface
    private interface Appender {
        void append(String id);
    }

    private static Thread start(String id, Runnable append, Map<String, Object> outcomes) {
        Thread t = new Thread(() -> {
            try {
                append.run();
                outcomes.put(id, "ok");
            } catch (RuntimeException e) {
                outcomes.put(id, e);
            }
        }, "append-" + id);
        t.start();
        return t;
    }

    private static void awaitAll(Map<String, Object> outcomes, int n) {
        waitUntil(() -> outcomes.size() >= n, n + " outcomes");
        assertThat(new LinkedHashMap<>(outcomes)).hasSize(n);
    }

    /** Polls for a state another thread reaches; the bound only keeps a broken build from hanging. */
    private static void waitUntil(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /**
     * A data source whose connections keep the store's writer threads waiting at their first statement until released
     * (other threads go on at once), and count their commits and rollbacks.
     */
    static final class HeldWriter extends ForwardingDataSource {
        final CountDownLatch writerWaiting = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);
        final AtomicInteger commits = new AtomicInteger();
        final AtomicInteger rollbacks = new AtomicInteger();
        /** Statements a writer executed since its last commit. */
        private final AtomicInteger executions = new AtomicInteger();
        /** Per commit of a writer, the statements it executed in that transaction, in commit order. */
        final List<Integer> statementsPerCommit = new java.util.concurrent.CopyOnWriteArrayList<>();

        HeldWriter(DataSource delegate) {
            super(delegate);
        }

        void release() {
            released.countDown();
        }

        @Override
        public Connection getConnection() throws SQLException {
            return counting(delegate.getConnection());
        }

        /** Holds a writer thread until released (the writer's connection is opened at build, by the caller). */
        private void holdWriter() throws SQLException {
            if (Thread.currentThread().getName().startsWith("baton-jdbc-writer-")) {
                writerWaiting.countDown();
                try {
                    if (!released.await(60, TimeUnit.SECONDS)) {
                        throw new SQLException("the test never released the writer");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException(e);
                }
            }
        }

        private Connection counting(Connection c) {
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[]{Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("prepareStatement")) {
                            holdWriter(); // a writer prepares its statements in its first group
                        }
                        if (method.getName().equals("commit")) {
                            commits.incrementAndGet();
                            if (onWriter()) {
                                statementsPerCommit.add(executions.getAndSet(0));
                            }
                        } else if (method.getName().equals("rollback") && (args == null || args.length == 0)) {
                            rollbacks.incrementAndGet();
                        }
                        Object result;
                        try {
                            result = method.invoke(c, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                        if (result instanceof java.sql.PreparedStatement ps) {
                            return countingExecutions(ps, java.sql.PreparedStatement.class);
                        }
                        if (result instanceof java.sql.Statement st) {
                            return countingExecutions(st, java.sql.Statement.class);
                        }
                        return result;
                    });
        }

        /** Counts a writer's executions of the statement ({@code execute...}, a batch counts once). */
        private <S extends java.sql.Statement> S countingExecutions(S statement, Class<S> type) {
            return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type},
                    (proxy, method, args) -> {
                        if (method.getName().startsWith("execute") && onWriter()) {
                            executions.incrementAndGet();
                        }
                        try {
                            return method.invoke(statement, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    }));
        }

        private static boolean onWriter() {
            return Thread.currentThread().getName().startsWith("baton-jdbc-writer-");
        }
    }
}
