package dev.baton.store.jdbc;

import dev.baton.event.RunCreated;
import dev.baton.event.RunEvent;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskDeadLettered;
import dev.baton.event.TaskRedriven;
import dev.baton.persistence.LeaseLostException;
import dev.baton.persistence.RunRecord;
import dev.baton.persistence.SequenceConflictException;
import dev.baton.persistence.StoreException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Group commit: appends from any number of threads queue up, and a writer thread (or a few, each with its own
 * connection) takes whatever has queued and commits it in a single transaction, so the cost of a durable commit is
 * shared by every append in the group. With more than one writer, one group's statements can run while another
 * group's commit waits for the disk.
 *
 * <p>Each append still gets its own outcome: the sequence check is part of the insert (the row lands only where the
 * log ends at the expected seq; the primary key refuses a second writer of the same seq), and only appends that pass
 * it write their events. A rejected append writes nothing and does not disturb the others. If the group's transaction
 * fails for any other reason, each append is retried alone so that one bad append cannot fail its neighbours.
 *
 * <p>Groups committed by different writers at once are isolated by the database: a check reads only committed rows,
 * and an insert of a key that another open transaction holds waits for it. Each group takes its row locks in run-id
 * order, so two groups never wait for each other in a cycle.
 */
final class AppendWriter {

    /**
     * One queued append; {@code encoded} holds each event's JSON, made by the calling thread, and {@code stored} what
     * each event's row holds (the JSON, or the marker of JSON kept in the overflow table).
     */
    static final class Request {
        final String runId;
        final long expectedSeq;
        final List<RunEvent> events;
        final List<String> encoded;
        final List<String> stored;
        /** Whether an event's JSON goes to the overflow table: only such appends cost a statement more. */
        final boolean overflows;
        final String owner;
        private final Thread waiter;
        /** null while pending, {@link #OK} once written, else the rejection or failure. */
        private volatile Object outcome;

        Request(String runId, long expectedSeq, List<RunEvent> events, List<String> encoded, String owner) {
            this.runId = runId;
            this.expectedSeq = expectedSeq;
            this.events = events;
            this.encoded = encoded;
            boolean any = false;
            for (int k = 0; k < encoded.size() && !any; k++) {
                any = StoredPayload.overflows(encoded.get(k));
            }
            this.overflows = any;
            if (any) { // rare: only then is a second list of row values built
                List<String> rows = new ArrayList<>(encoded.size());
                for (String json : encoded) {
                    rows.add(StoredPayload.rowValue(json));
                }
                this.stored = rows;
            } else {
                this.stored = encoded;
            }
            this.owner = owner;
            this.waiter = Thread.currentThread();
        }

        void complete(RuntimeException error) {
            outcome = error == null ? OK : error;
            LockSupport.unpark(waiter);
        }

        /** Parks the appending thread until the outcome is known; never gives up half-way. */
        void await() {
            boolean interrupted = false;
            Object o;
            while ((o = outcome) == null) {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    interrupted = true; // the outcome must still be known; re-assert afterwards
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (o != OK) {
                throw (RuntimeException) o;
            }
        }
    }

    private static final Object OK = new Object();
    /** The order in which a group takes its row locks (run rows, lease rows, event keys). */
    private static final java.util.Comparator<Request> BY_RUN = java.util.Comparator.comparing(r -> r.runId);
    private static final Request STOP = new Request("", 0, List.of(), List.of(), null);

    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final DataSource dataSource;
    private final Sql sql;
    private final int timeoutSeconds;
    private final int maxBatch;
    private final Thread[] threads;
    private final Worker[] workers;
    private volatile boolean closed;

    AppendWriter(DataSource dataSource, Sql sql, int timeoutSeconds, int maxBatch, int writers, String name) {
        this.dataSource = dataSource;
        this.sql = sql;
        this.timeoutSeconds = timeoutSeconds;
        this.maxBatch = maxBatch;
        this.workers = new Worker[writers];
        this.threads = new Thread[writers];
        // each writer's connection is opened here, on the caller's thread: at build, before any table exists, so that
        // a database which cannot give the writer what it needs (H2 without admin rights) is refused at start with
        // nothing created (a store that only checks its schema makes its writer at its first append, which then
        // fails instead); held for the store's life, it also keeps an H2 database open, and so keeps the write delay
        // the writer set
        for (int i = 0; i < writers; i++) {
            workers[i] = new Worker();
            try {
                workers[i].connection();
            } catch (Throwable e) {
                for (int j = 0; j <= i; j++) {
                    try {
                        workers[j].closeConnection();
                    } catch (Throwable suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw startFailure(e);
            }
        }
        for (int i = 0; i < writers; i++) {
            threads[i] = new Thread(workers[i], writers == 1 ? name : name + "-" + (i + 1));
            threads[i].setDaemon(true);
            threads[i].start();
        }
    }

    private static RuntimeException startFailure(Throwable e) {
        if (e instanceof SQLException sqle) {
            if (sqle.getErrorCode() == Sql.H2_ADMIN_RIGHTS_REQUIRED) {
                return new StoreException("the H2 database must write each commit to its file before the commit"
                        + " returns (SET WRITE_DELAY 0), which needs admin rights: connect as a user with them"
                        + " (H2 error " + Sql.H2_ADMIN_RIGHTS_REQUIRED + ")", e);
            }
            return JdbcRunStore.storeFailure("connect to the database", sqle);
        }
        if (e instanceof RuntimeException re) {
            return re;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return new StoreException("could not connect to the database: " + e, e);
    }

    /** Queues an append and waits for its outcome; never interrupted half-way, so the outcome is always known. */
    void append(Request r) {
        if (closed) {
            throw new StoreException("the store is closed");
        }
        queue.add(r);
        if (closed && queue.remove(r)) {
            throw new StoreException("the store is closed");
        }
        r.await();
    }

    /** Stops accepting appends, commits what is queued, and stops the threads. */
    void close() {
        closed = true;
        queue.add(STOP); // each writer that takes it puts it back for the next one
        boolean interrupted = false;
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        for (Request r; (r = queue.poll()) != null; ) {
            if (r != STOP) {
                r.complete(new StoreException("the store is closed"));
            }
        }
        for (Worker w : workers) {
            w.closeConnection();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** One writer thread and its connection. */
    private final class Worker implements Runnable {

        private Connection connection;
        private final java.util.Map<String, PreparedStatement> statements = new java.util.HashMap<>();

        @Override
        public void run() {
            List<Request> batch = new ArrayList<>(maxBatch);
            while (true) {
                batch.clear();
                try {
                    batch.add(queue.take());
                } catch (InterruptedException e) {
                    // the writer is only interrupted by nobody; keep serving until close() says STOP
                    continue;
                }
                queue.drainTo(batch, maxBatch - 1);
                boolean stopping = false;
                for (int i = batch.size() - 1; i >= 0; i--) {
                    if (batch.get(i) == STOP) {
                        batch.remove(i);
                        stopping = true;
                    }
                }
                if (!batch.isEmpty()) {
                    batch.sort(BY_RUN); // stable: appends of one run keep their queue order
                    commit(batch);
                }
                if (stopping) {
                    // everything queued before STOP has been taken by now (the queue is FIFO); pass it on and end
                    queue.add(STOP);
                    return;
                }
            }
        }

        private void commit(List<Request> batch) {
            Outcome[] outcomes;
            try {
                outcomes = tryGroup(batch);
            } catch (SQLException | RuntimeException | Error e) {
                // an Error too (a driver's assertion, a missing class): the writer thread must live on and every
                // append of the group must learn an outcome, or its appender would wait for ever
                discardConnectionIfBroken();
                outcomes = null;
                if (e instanceof CommitInDoubt d) {
                    // the connection failed at the commit, which may have taken effect all the same: redoing the
                    // group would then meet its own events and call them a conflict (the engine takes that for a
                    // takeover and drops the run), and failing it would say nothing was written; the log tells
                    try {
                        outcomes = landed(batch, d.outcomes) ? d.outcomes : null;
                    } catch (SQLException | RuntimeException | Error unknown) {
                        discardConnectionIfBroken();
                        for (int i = 0; i < batch.size(); i++) {
                            Request r = batch.get(i);
                            r.complete(d.outcomes[i] != null ? d.outcomes[i].error : new StoreException("append to run '"
                                    + r.runId + "': the commit failed (" + d.getMessage() + ") and whether it took"
                                    + " effect could not be read back: " + unknown, unknown));
                        }
                        return;
                    }
                }
                if (outcomes == null) {
                    if (batch.size() == 1) {
                        Throwable cause = e instanceof CommitInDoubt ? e.getCause() : e;
                        batch.get(0).complete(failure(batch.get(0), cause));
                        return;
                    }
                    for (Request r : batch) { // isolate: each append alone, with its own outcome
                        commit(List.of(r));
                    }
                    return;
                }
            }
            for (int i = 0; i < batch.size(); i++) {
                if (outcomes[i] == null) {
                    batch.get(i).complete(null);
                } else {
                    batch.get(i).complete(outcomes[i].error);
                }
            }
        }

        private static StoreException failure(Request r, Throwable e) {
            if (e instanceof StoreException se) {
                return se;
            }
            String state = e instanceof SQLException s ? " (SQL state " + s.getSQLState() + ")" : "";
            String what = e instanceof Error ? e.getClass().getName() + ": " + e.getMessage() : e.getMessage();
            return new StoreException("append to run '" + r.runId + "' failed" + state + ": " + what, e);
        }

        /** The group's commit failed: whether it took effect is known only once the log is read. */
        private static final class CommitInDoubt extends RuntimeException {
            private static final long serialVersionUID = 1L;
            final transient Outcome[] outcomes;

            CommitInDoubt(Outcome[] outcomes, Throwable cause) {
                super(String.valueOf(cause.getMessage()), cause, false, false);
                this.outcomes = outcomes;
            }
        }

        /**
         * Whether a group whose commit failed is in the log after all. The group is one transaction, so one of its
         * written appends tells for all: it landed if the log holds exactly its events at its seqs.
         */
        private boolean landed(List<Request> batch, Outcome[] outcomes) throws SQLException {
            for (int i = 0; i < batch.size(); i++) {
                if (outcomes[i] == null) {
                    return logHolds(batch.get(i));
                }
            }
            return true; // every append was rejected: nothing was to be written
        }

        private boolean logHolds(Request r) throws SQLException {
            Connection c = connection();
            try (PreparedStatement ps = prepare(c, sql.selectEventRange)) {
                ps.setString(1, r.runId);
                ps.setLong(2, r.expectedSeq);
                ps.setLong(3, r.expectedSeq + r.events.size());
                int k = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (k >= r.encoded.size() || rs.getLong(1) != r.expectedSeq + k + 1
                                || !r.stored.get(k).equals(rs.getString(2))) {
                            return false;
                        }
                        // JSON kept apart: the overflow row, written in the same transaction, must hold it whole
                        if (StoredPayload.overflows(r.encoded.get(k)) && !r.encoded.get(k).equals(rs.getString(3))) {
                            return false;
                        }
                        k++;
                    }
                }
                return k == r.encoded.size();
            } finally {
                c.rollback(); // the read's transaction, not to keep a snapshot open
            }
        }

        /** The fast insert met a seq that another writer took: the group is redone with the tolerant insert. */
        private static final class SeqTaken extends RuntimeException {
            private static final long serialVersionUID = 1L;

            SeqTaken(SQLException cause) {
                super(cause.getMessage(), cause, false, false);
            }
        }

        /** Why one append of a group was rejected. */
        private record Outcome(RuntimeException error) {
        }

        /** Runs the whole group in one transaction; returns per-append rejections (null: written). */
        private Outcome[] tryGroup(List<Request> batch) throws SQLException {
            try {
                return tryGroup(batch, false);
            } catch (SeqTaken e) {
                // another writer holds a seq this group wanted: the fast insert failed whole and nothing was kept;
                // redo the group with the insert that skips taken seqs, so each append learns its own outcome
                return tryGroup(batch, true);
            }
        }

        private Outcome[] tryGroup(List<Request> batch, boolean tolerant) throws SQLException {
            Connection c = connection();
            Outcome[] out = new Outcome[batch.size()];
            boolean ok = false;
            try {
                checkLeases(c, batch, out);
                createRuns(c, batch, out);
                insertFirstEvents(c, batch, out, tolerant);
                insertRemainingEvents(c, batch, out);
                insertOverflow(c, batch, out);
                try {
                    c.commit();
                } catch (SQLException | RuntimeException | Error e) {
                    throw new CommitInDoubt(out, e);
                }
                ok = true;
                return out;
            } finally {
                if (!ok) {
                    try {
                        c.rollback();
                    } catch (SQLException ignored) {
                        // the connection is checked and replaced by the caller
                    }
                }
            }
        }

        private void checkLeases(Connection c, List<Request> batch, Outcome[] out) throws SQLException {
            List<Integer> owned = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                if (batch.get(i).owner != null) {
                    owned.add(i);
                }
            }
            if (owned.isEmpty()) {
                return;
            }
            // one query for the group; locking the lease rows orders these appends against a concurrent takeover
            java.util.Map<String, String> owners = new java.util.HashMap<>(); // run id -> lease owner
            if (sql.postgres()) {
                String[] runIds = new String[owned.size()];
                for (int k = 0; k < runIds.length; k++) {
                    runIds[k] = batch.get(owned.get(k)).runId;
                }
                PreparedStatement ps = cached(c, sql.lockLeases);
                ps.setArray(1, c.createArrayOf("text", runIds));
                readLeases(ps, owners);
            } else {
                String text = sql.leasesPrefix + "?, ".repeat(owned.size() - 1) + "?) ORDER BY run_id FOR UPDATE";
                try (PreparedStatement ps = prepare(c, text)) {
                    for (int k = 0; k < owned.size(); k++) {
                        ps.setString(k + 1, batch.get(owned.get(k)).runId);
                    }
                    readLeases(ps, owners);
                }
            }
            for (int i : owned) {
                Request r = batch.get(i);
                String holder = owners.get(r.runId);
                // another owner's lease fences, expired or not (the taker claims it with tryLease first): fencing
                // must not hang on the writers' clocks agreeing, so the lease's expiry is not even read
                if (holder != null && !holder.equals(r.owner)) {
                    out[i] = new Outcome(new LeaseLostException(r.runId, r.owner, holder));
                }
            }
        }

        private static void readLeases(PreparedStatement ps, java.util.Map<String, String> owners) throws SQLException {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    owners.put(rs.getString(1), rs.getString(2));
                }
            }
        }

        private void createRuns(Connection c, List<Request> batch, Outcome[] out) throws SQLException {
            PreparedStatement ps = null;
            try {
                for (int i = 0; i < batch.size(); i++) {
                    Request r = batch.get(i);
                    if (out[i] != null || r.expectedSeq != 0) {
                        continue;
                    }
                    if (ps == null) {
                        ps = prepare(c, sql.insertRun);
                    }
                    RunRecord rec = RunRecord.created((RunCreated) r.events.get(0));
                    for (RunEvent e : r.events.subList(1, r.events.size())) {
                        rec = rec.after(e);
                    }
                    ps.setString(1, rec.runId());
                    ps.setString(2, rec.state().name());
                    ps.setLong(3, Sql.nanos(rec.createdAt()));
                    if (rec.endedAt() == null) {
                        ps.setNull(4, Types.BIGINT);
                    } else {
                        ps.setLong(4, Sql.nanos(rec.endedAt()));
                    }
                    ps.setString(5, rec.correlationId());
                    ps.setInt(6, rec.taskCount());
                    int rows;
                    try {
                        rows = ps.executeUpdate();
                    } catch (SQLException e) {
                        // H2 reports a taken run id as a duplicate key; it fails the statement, not the transaction
                        if (!sql.duplicateKeyThrows() || !"23505".equals(e.getSQLState())) {
                            throw e;
                        }
                        rows = 0;
                    }
                    if (rows == 0) {
                        out[i] = conflict(c, r); // a new run: expectedSeq is 0
                    }
                }
            } finally {
                if (ps != null) {
                    ps.close();
                }
            }
        }

        /** Phase 1: each continuing append's first event, inserted only where its log ends at the expected seq. */
        private void insertFirstEvents(Connection c, List<Request> batch, Outcome[] out, boolean tolerant)
                throws SQLException {
            if (sql.postgres()) {
                insertFirstEventsAtOnce(c, batch, out, tolerant);
                return;
            }
            List<Integer> indexes = new ArrayList<>();
            {
                PreparedStatement ps = cached(c, sql.insertNextEvent);
                for (int i = 0; i < batch.size(); i++) {
                    Request r = batch.get(i);
                    if (out[i] != null || r.expectedSeq == 0) {
                        continue;
                    }
                    bindEvent(ps, r, 0);
                    ps.setString(6, r.runId);
                    ps.setLong(7, r.expectedSeq);
                    ps.addBatch();
                    indexes.add(i);
                }
                if (indexes.isEmpty()) {
                    return;
                }
                int[] counts;
                try {
                    counts = ps.executeBatch();
                } catch (java.sql.BatchUpdateException e) {
                    // H2 runs the whole batch and fails only the rows whose seq is taken (by a group committed or in
                    // flight beside this one): those are conflicts; anything else fails the group
                    counts = e.getUpdateCounts();
                    if (counts == null || counts.length != indexes.size() || !onlyDuplicateKeys(e)) {
                        throw e;
                    }
                }
                for (int k = 0; k < counts.length; k++) {
                    if (counts[k] == 0 || counts[k] == java.sql.Statement.EXECUTE_FAILED) {
                        int i = indexes.get(k);
                        Request r = batch.get(i);
                        out[i] = conflict(c, r);
                    } else if (counts[k] < 0) {
                        throw new SQLException("the driver did not report update counts; cannot tell conflicts apart");
                    }
                }
            }
        }

        private static boolean onlyDuplicateKeys(SQLException e) {
            for (SQLException x = e; x != null; x = x.getNextException()) {
                if (!"23505".equals(x.getSQLState())) {
                    return false;
                }
            }
            return true;
        }

        /**
         * Phase 1 on PostgreSQL: one statement for the whole group, arrays in, the rows that landed out.
         *
         * @param tolerant whether to use the statement that skips seqs already taken; the fast one throws
         *                 {@link SeqTaken} instead, and the caller redoes the group
         */
        private void insertFirstEventsAtOnce(Connection c, List<Request> batch, Outcome[] out, boolean tolerant)
                throws SQLException {
            List<Integer> indexes = new ArrayList<>();
            List<Integer> duplicates = new ArrayList<>();
            java.util.Set<String> offered = new java.util.HashSet<>();
            for (int i = 0; i < batch.size(); i++) {
                Request r = batch.get(i);
                if (out[i] == null && r.expectedSeq != 0) {
                    // Appends of one group that expect the same seq of the same run: at most one can land, and the
                    // database would not say which. Offer the first; the others conflict with it (or fail as it does).
                    if (offered.add(r.runId + '\u0000' + r.expectedSeq)) {
                        indexes.add(i);
                    } else {
                        duplicates.add(i);
                    }
                }
            }
            if (indexes.isEmpty()) {
                return;
            }
            int n = indexes.size();
            String[] runIds = new String[n];
            Long[] seqs = new Long[n];
            String[] types = new String[n];
            String[] executionIds = new String[n];
            String[] payloads = new String[n];
            for (int k = 0; k < n; k++) {
                Request r = batch.get(indexes.get(k));
                RunEvent e = r.events.get(0);
                runIds[k] = r.runId;
                seqs[k] = e.seq();
                types[k] = EventCodec.typeOf(e);
                executionIds[k] = e instanceof TaskCompleted tc ? tc.executionId() : null;
                payloads[k] = r.stored.get(0);
            }
            java.util.Set<String> landed = new java.util.HashSet<>();
            {
                PreparedStatement ps = cached(c, tolerant ? sql.insertNextEvents : sql.insertNextEventsFast);
                ps.setArray(1, c.createArrayOf("text", runIds));
                ps.setArray(2, c.createArrayOf("bigint", seqs));
                ps.setArray(3, c.createArrayOf("text", types));
                ps.setArray(4, c.createArrayOf("text", executionIds));
                ps.setArray(5, c.createArrayOf("text", payloads));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        landed.add(rs.getString(1) + '\u0000' + rs.getLong(2));
                    }
                } catch (SQLException e) {
                    if (!tolerant && "23505".equals(e.getSQLState())) {
                        throw new SeqTaken(e);
                    }
                    throw e;
                }
            }
            for (int k = 0; k < n; k++) {
                int i = indexes.get(k);
                Request r = batch.get(i);
                if (!landed.contains(r.runId + '\u0000' + seqs[k])) {
                    out[i] = conflict(c, r);
                }
            }
            for (int i : duplicates) {
                Request r = batch.get(i);
                out[i] = conflict(c, r);
            }
        }

        /** Phase 2: the rest of every accepted append (all of a new run's events), then summaries and dead letters. */
        private void insertRemainingEvents(Connection c, List<Request> batch, Outcome[] out) throws SQLException {
            PreparedStatement ps = null; // most groups only continue runs by one event each: nothing to do here
            for (int i = 0; i < batch.size(); i++) {
                Request r = batch.get(i);
                if (out[i] != null) {
                    continue;
                }
                for (int k = r.expectedSeq == 0 ? 0 : 1; k < r.events.size(); k++) {
                    if (ps == null) {
                        ps = cached(c, sql.insertEvent);
                    }
                    bindEvent(ps, r, k);
                    ps.addBatch();
                }
            }
            if (ps != null) {
                ps.executeBatch();
            }
            PreparedStatement end = null;
            try {
                for (int i = 0; i < batch.size(); i++) {
                    Request r = batch.get(i);
                    if (out[i] != null) {
                        continue;
                    }
                    for (int k = 0; k < r.events.size(); k++) {
                        RunEvent e = r.events.get(k);
                        if (e instanceof TaskDeadLettered d) {
                            deadLetter(c, d, r.stored.get(k));
                        } else if (e instanceof TaskRedriven rd) {
                            redrive(c, rd);
                        } else if (e.isTerminal() && r.expectedSeq > 0) {
                            if (end == null) {
                                end = prepare(c, sql.endRun);
                            }
                            end.setString(1, terminalState(e));
                            end.setLong(2, Sql.nanos(e.at()));
                            end.setString(3, r.runId);
                            end.executeUpdate();
                        }
                    }
                }
            } finally {
                if (end != null) {
                    end.close();
                }
            }
        }

        private static void bindEvent(PreparedStatement ps, Request r, int k) throws SQLException {
            RunEvent e = r.events.get(k);
            ps.setString(1, r.runId);
            ps.setLong(2, e.seq());
            ps.setString(3, EventCodec.typeOf(e));
            if (e instanceof TaskCompleted tc && tc.executionId() != null) {
                ps.setString(4, tc.executionId());
            } else {
                ps.setNull(4, Types.VARCHAR);
            }
            ps.setString(5, r.stored.get(k));
        }

        /**
         * Phase 3: the JSON of the accepted appends' events too long for their rows, in the group's transaction. A
         * group without such an event runs no statement here. Not a cached statement: it would keep the last (long)
         * value bound until the next one.
         */
        private void insertOverflow(Connection c, List<Request> batch, Outcome[] out) throws SQLException {
            PreparedStatement ps = null;
            try {
                for (int i = 0; i < batch.size(); i++) {
                    Request r = batch.get(i);
                    if (out[i] != null || !r.overflows) {
                        continue;
                    }
                    for (int k = 0; k < r.events.size(); k++) {
                        if (!StoredPayload.overflows(r.encoded.get(k))) {
                            continue;
                        }
                        if (ps == null) {
                            ps = prepare(c, sql.insertOverflow);
                        }
                        ps.setString(1, r.runId);
                        ps.setLong(2, r.events.get(k).seq());
                        ps.setString(3, r.encoded.get(k));
                        ps.addBatch();
                    }
                }
                if (ps != null) {
                    ps.executeBatch();
                }
            } finally {
                if (ps != null) {
                    ps.close();
                }
            }
        }

        private static String terminalState(RunEvent terminal) {
            return terminal instanceof dev.baton.event.RunCompleted ? "COMPLETED"
                    : terminal instanceof dev.baton.event.RunFailed ? "FAILED" : "CANCELLED";
        }

        private void deadLetter(Connection c, TaskDeadLettered d, String json) throws SQLException {
            try (PreparedStatement ps = prepare(c, sql.upsertDeadLetter)) {
                ps.setString(1, d.runId());
                ps.setString(2, d.taskId());
                ps.setLong(3, Sql.nanos(d.at()));
                ps.setLong(4, d.seq());
                ps.setString(5, json);
                ps.executeUpdate();
            }
        }

        private void redrive(Connection c, TaskRedriven r) throws SQLException {
            try (PreparedStatement ps = prepare(c, sql.deleteDeadLetter)) {
                ps.setString(1, r.runId());
                ps.setString(2, r.taskId());
                ps.executeUpdate();
            }
        }

        private Outcome conflict(Connection c, Request r) throws SQLException {
            return new Outcome(new SequenceConflictException(r.runId, r.expectedSeq, lastSeq(c, r.runId)));
        }

        private long lastSeq(Connection c, String runId) throws SQLException {
            try (PreparedStatement ps = prepare(c, sql.lastSeq)) {
                ps.setString(1, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0;
                }
            }
        }

        /**
         * The hot statements, prepared once per connection: no parsing or statement set-up per group. A batch left
         * behind by a failed group is cleared first.
         */
        private PreparedStatement cached(Connection c, String text) throws SQLException {
            PreparedStatement ps = statements.get(text);
            if (ps == null) {
                ps = prepare(c, text);
                statements.put(text, ps);
            } else {
                ps.clearBatch();
            }
            return ps;
        }

        private PreparedStatement prepare(Connection c, String text) throws SQLException {
            PreparedStatement ps = c.prepareStatement(text);
            ps.setQueryTimeout(timeoutSeconds);
            return ps;
        }

        private Connection connection() throws SQLException {
            if (connection == null) {
                Connection c = dataSource.getConnection();
                try {
                    if (sql.durableCommitsSetup != null && Sql.hasFile(c, timeoutSeconds)) {
                        // a database setting that lasts only while the database is open: set on every connection
                        // the writer opens, since a reconnect may have reopened the database with the default
                        setUp(c, sql.durableCommitsSetup);
                    }
                    if (sql.writerSessionSetup != null) {
                        setUp(c, sql.writerSessionSetup);
                    }
                    c.setAutoCommit(false);
                    c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                } catch (SQLException | RuntimeException e) {
                    try {
                        c.close();
                    } catch (SQLException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                    throw e;
                }
                connection = c;
            }
            return connection;
        }

        /** Runs a setting outside any transaction, so that a group's rollback cannot undo it. */
        private void setUp(Connection c, String statement) throws SQLException {
            c.setAutoCommit(true);
            try (java.sql.Statement st = c.createStatement()) {
                st.setQueryTimeout(timeoutSeconds);
                st.execute(statement);
            }
        }

        private void discardConnectionIfBroken() {
            if (connection == null) {
                return;
            }
            boolean valid;
            try {
                valid = connection.isValid(Math.max(1, timeoutSeconds));
            } catch (SQLException e) {
                valid = false;
            }
            if (!valid) {
                closeConnection();
            }
        }

        private void closeConnection() {
            if (connection != null) {
                for (PreparedStatement ps : statements.values()) {
                    try {
                        ps.close();
                    } catch (SQLException ignored) {
                        // closing the connection frees it as well
                    }
                }
                statements.clear();
                try {
                    if (sql.writerSessionReset != null) {
                        // hand the connection back to the pool as it came
                        try (java.sql.Statement st = connection.createStatement()) {
                            st.setQueryTimeout(timeoutSeconds);
                            st.execute(sql.writerSessionReset);
                            connection.commit();
                        } catch (SQLException ignored) {
                            // a broken connection: the pool will not hand it out again
                        }
                    }
                    connection.close();
                } catch (SQLException ignored) {
                    // nothing left to save
                }
                connection = null;
            }
        }
    }
}
