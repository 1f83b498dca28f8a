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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * Group commit: appends from any number of threads queue up, and one writer thread commits whatever has queued in a
 * single transaction, so the cost of a durable commit is shared by every append in the group.
 *
 * <p>Each append still gets its own outcome: the sequence check is a conditional update whose row count says whether
 * that append may land, and only appends that pass it write their events. A rejected append writes nothing and does
 * not disturb the others. If the group's transaction fails for any other reason, each append is retried alone so that
 * one bad append cannot fail its neighbours.
 */
final class AppendWriter implements Runnable {

    /** One queued append; {@code encoded} holds each event's JSON, made by the calling thread. */
    record Request(String runId, long expectedSeq, List<RunEvent> events, List<String> encoded, String owner,
                   Instant now, CompletableFuture<Void> done) {
    }

    private static final Request STOP = new Request("", 0, List.of(), List.of(), null, Instant.EPOCH, null);

    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final DataSource dataSource;
    private final Sql sql;
    private final int timeoutSeconds;
    private final int maxBatch;
    private final Consumer<List<TaskCompleted>> onCommitted;
    private final Thread thread;
    private volatile boolean closed;
    private Connection connection;

    AppendWriter(DataSource dataSource, Sql sql, int timeoutSeconds, int maxBatch, String name,
                 Consumer<List<TaskCompleted>> onCommitted) {
        this.dataSource = dataSource;
        this.sql = sql;
        this.timeoutSeconds = timeoutSeconds;
        this.maxBatch = maxBatch;
        this.onCommitted = onCommitted;
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
        this.thread.start();
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
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    r.done().get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new StoreException("append to run '" + r.runId() + "' failed", e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops accepting appends, commits what is queued, and stops the thread. */
    void close() {
        closed = true;
        queue.add(STOP);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        for (Request r; (r = queue.poll()) != null; ) {
            if (r != STOP) {
                r.done().completeExceptionally(new StoreException("the store is closed"));
            }
        }
        closeConnection();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        List<Request> batch = new ArrayList<>(maxBatch);
        boolean stopping = false;
        while (!stopping || !queue.isEmpty()) {
            batch.clear();
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                // the writer is only interrupted by nobody; keep serving until close() says STOP
                continue;
            }
            queue.drainTo(batch, maxBatch - 1);
            if (batch.remove(STOP)) {
                stopping = true;
            }
            while (batch.remove(STOP)) {
                // more than one close(): nothing more to do
            }
            if (!batch.isEmpty()) {
                commit(batch);
            }
        }
    }

    private void commit(List<Request> batch) {
        Outcome[] outcomes;
        try {
            outcomes = tryGroup(batch);
        } catch (SQLException | RuntimeException e) {
            discardConnectionIfBroken();
            if (batch.size() == 1) {
                batch.get(0).done().completeExceptionally(failure(batch.get(0), e));
                return;
            }
            for (Request r : batch) { // isolate: each append alone, with its own outcome
                commit(List.of(r));
            }
            return;
        }
        List<TaskCompleted> completions = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Request r = batch.get(i);
            if (outcomes[i] == null) {
                for (RunEvent e : r.events()) {
                    if (e instanceof TaskCompleted c && c.executionId() != null) {
                        completions.add(c);
                    }
                }
            }
        }
        try {
            onCommitted.accept(completions);
        } catch (RuntimeException ignored) {
            // a cache is a hint; the commit stands
        }
        for (int i = 0; i < batch.size(); i++) {
            if (outcomes[i] == null) {
                batch.get(i).done().complete(null);
            } else {
                batch.get(i).done().completeExceptionally(outcomes[i].error);
            }
        }
    }

    private static StoreException failure(Request r, Exception e) {
        if (e instanceof StoreException se) {
            return se;
        }
        String state = e instanceof SQLException s ? " (SQL state " + s.getSQLState() + ")" : "";
        return new StoreException("append to run '" + r.runId() + "' failed" + state + ": " + e.getMessage(), e);
    }

    /** Why one append of a group was rejected. */
    private record Outcome(RuntimeException error) {
    }

    /** Runs the whole group in one transaction; returns per-append rejections (null: written). */
    private Outcome[] tryGroup(List<Request> batch) throws SQLException {
        Connection c = connection();
        Outcome[] out = new Outcome[batch.size()];
        boolean ok = false;
        try {
            checkLeases(c, batch, out);
            createRuns(c, batch, out);
            insertFirstEvents(c, batch, out);
            insertRemainingEvents(c, batch, out);
            c.commit();
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
            if (batch.get(i).owner() != null) {
                owned.add(i);
            }
        }
        if (owned.isEmpty()) {
            return;
        }
        // one query for the group; locking the lease rows orders these appends against a concurrent takeover
        java.util.Map<String, String[]> leases = new java.util.HashMap<>();
        try (PreparedStatement ps = prepare(c, sql.leasesPrefix + "?, ".repeat(owned.size() - 1) + "?) FOR UPDATE")) {
            for (int k = 0; k < owned.size(); k++) {
                ps.setString(k + 1, batch.get(owned.get(k)).runId());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    leases.put(rs.getString(1), new String[]{rs.getString(2), Long.toString(rs.getLong(3))});
                }
            }
        }
        for (int i : owned) {
            Request r = batch.get(i);
            String[] lease = leases.get(r.runId());
            if (lease != null && !lease[0].equals(r.owner()) && Sql.nanos(r.now()) < Long.parseLong(lease[1])) {
                out[i] = new Outcome(new LeaseLostException(r.runId(), r.owner(), lease[0]));
            }
        }
    }

    private void createRuns(Connection c, List<Request> batch, Outcome[] out) throws SQLException {
        PreparedStatement ps = null;
        try {
            for (int i = 0; i < batch.size(); i++) {
                Request r = batch.get(i);
                if (out[i] != null || r.expectedSeq() != 0) {
                    continue;
                }
                if (ps == null) {
                    ps = prepare(c, sql.insertRun);
                }
                RunRecord rec = RunRecord.created((RunCreated) r.events().get(0));
                for (RunEvent e : r.events().subList(1, r.events().size())) {
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
                    out[i] = new Outcome(new SequenceConflictException(r.runId(), 0, lastSeq(c, r.runId())));
                }
            }
        } finally {
            if (ps != null) {
                ps.close();
            }
        }
    }

    /** Phase 1: each continuing append's first event, inserted only where its log ends at the expected seq. */
    private void insertFirstEvents(Connection c, List<Request> batch, Outcome[] out) throws SQLException {
        if (sql.postgres()) {
            insertFirstEventsAtOnce(c, batch, out);
            return;
        }
        List<Integer> indexes = new ArrayList<>();
        try (PreparedStatement ps = prepare(c, sql.insertNextEvent)) {
            for (int i = 0; i < batch.size(); i++) {
                Request r = batch.get(i);
                if (out[i] != null || r.expectedSeq() == 0) {
                    continue;
                }
                bindEvent(ps, r, 0);
                ps.setString(6, r.runId());
                ps.setLong(7, r.expectedSeq());
                if (!sql.postgres()) {
                    ps.setString(8, r.runId());
                    ps.setLong(9, r.expectedSeq() + 1);
                }
                ps.addBatch();
                indexes.add(i);
            }
            if (indexes.isEmpty()) {
                return;
            }
            int[] counts = ps.executeBatch();
            for (int k = 0; k < counts.length; k++) {
                if (counts[k] == 0) {
                    int i = indexes.get(k);
                    Request r = batch.get(i);
                    out[i] = new Outcome(new SequenceConflictException(r.runId(), r.expectedSeq(), lastSeq(c, r.runId())));
                } else if (counts[k] < 0) {
                    throw new SQLException("the driver did not report update counts; cannot tell conflicts apart");
                }
            }
        }
    }

    /** Phase 1 on PostgreSQL: one statement for the whole group, arrays in, the rows that landed out. */
    private void insertFirstEventsAtOnce(Connection c, List<Request> batch, Outcome[] out) throws SQLException {
        List<Integer> indexes = new ArrayList<>();
        List<Integer> duplicates = new ArrayList<>();
        java.util.Set<String> offered = new java.util.HashSet<>();
        for (int i = 0; i < batch.size(); i++) {
            Request r = batch.get(i);
            if (out[i] == null && r.expectedSeq() != 0) {
                // Appends of one group that expect the same seq of the same run: at most one can land, and the
                // database would not say which. Offer the first; the others conflict with it (or fail as it does).
                if (offered.add(r.runId() + '\u0000' + r.expectedSeq())) {
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
            RunEvent e = r.events().get(0);
            runIds[k] = r.runId();
            seqs[k] = e.seq();
            types[k] = EventCodec.typeOf(e);
            executionIds[k] = e instanceof TaskCompleted tc ? tc.executionId() : null;
            payloads[k] = r.encoded().get(0);
        }
        java.util.Set<String> landed = new java.util.HashSet<>();
        try (PreparedStatement ps = prepare(c, sql.insertNextEvents)) {
            ps.setArray(1, c.createArrayOf("text", runIds));
            ps.setArray(2, c.createArrayOf("bigint", seqs));
            ps.setArray(3, c.createArrayOf("text", types));
            ps.setArray(4, c.createArrayOf("text", executionIds));
            ps.setArray(5, c.createArrayOf("text", payloads));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    landed.add(rs.getString(1) + '\u0000' + rs.getLong(2));
                }
            }
        }
        for (int k = 0; k < n; k++) {
            int i = indexes.get(k);
            Request r = batch.get(i);
            if (!landed.contains(r.runId() + '\u0000' + seqs[k])) {
                out[i] = new Outcome(new SequenceConflictException(r.runId(), r.expectedSeq(), lastSeq(c, r.runId())));
            }
        }
        for (int i : duplicates) {
            Request r = batch.get(i);
            out[i] = new Outcome(new SequenceConflictException(r.runId(), r.expectedSeq(), lastSeq(c, r.runId())));
        }
    }

    /** Phase 2: the rest of every accepted append (all of a new run's events), then summaries and dead letters. */
    private void insertRemainingEvents(Connection c, List<Request> batch, Outcome[] out) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql.insertEvent)) {
            boolean any = false;
            for (int i = 0; i < batch.size(); i++) {
                Request r = batch.get(i);
                if (out[i] != null) {
                    continue;
                }
                for (int k = r.expectedSeq() == 0 ? 0 : 1; k < r.events().size(); k++) {
                    bindEvent(ps, r, k);
                    ps.addBatch();
                    any = true;
                }
            }
            if (any) {
                ps.executeBatch();
            }
        }
        PreparedStatement end = null;
        try {
            for (int i = 0; i < batch.size(); i++) {
                Request r = batch.get(i);
                if (out[i] != null) {
                    continue;
                }
                for (int k = 0; k < r.events().size(); k++) {
                    RunEvent e = r.events().get(k);
                    if (e instanceof TaskDeadLettered d) {
                        deadLetter(c, d, r.encoded().get(k));
                    } else if (e instanceof TaskRedriven rd) {
                        redrive(c, rd);
                    } else if (e.isTerminal() && r.expectedSeq() > 0) {
                        if (end == null) {
                            end = prepare(c, sql.endRun);
                        }
                        end.setString(1, terminalState(e));
                        end.setLong(2, Sql.nanos(e.at()));
                        end.setString(3, r.runId());
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
        RunEvent e = r.events().get(k);
        ps.setString(1, r.runId());
        ps.setLong(2, e.seq());
        ps.setString(3, EventCodec.typeOf(e));
        if (e instanceof TaskCompleted tc && tc.executionId() != null) {
            ps.setString(4, tc.executionId());
        } else {
            ps.setNull(4, Types.VARCHAR);
        }
        ps.setString(5, r.encoded().get(k));
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

    private long lastSeq(Connection c, String runId) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql.lastSeq)) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private PreparedStatement prepare(Connection c, String text) throws SQLException {
        PreparedStatement ps = c.prepareStatement(text);
        ps.setQueryTimeout(timeoutSeconds);
        return ps;
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            Connection c = dataSource.getConnection();
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            connection = c;
        }
        return connection;
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
            try {
                connection.close();
            } catch (SQLException ignored) {
                // nothing left to save
            }
            connection = null;
        }
    }
}
