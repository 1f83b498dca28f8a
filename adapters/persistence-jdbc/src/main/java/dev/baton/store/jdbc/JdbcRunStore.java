package dev.baton.store.jdbc;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.baton.event.RunEvent;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskDeadLettered;
import dev.baton.persistence.DeadLetterCursor;
import dev.baton.persistence.DefinitionStore;
import dev.baton.persistence.Lease;
import dev.baton.persistence.LogInvariants;
import dev.baton.persistence.RunFilter;
import dev.baton.persistence.RunRecord;
import dev.baton.persistence.RunState;
import dev.baton.persistence.RunStore;
import dev.baton.persistence.StoreException;
import dev.baton.persistence.StoredDefinition;
import org.h2.jdbcx.JdbcConnectionPool;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A durable {@link RunStore} over JDBC, for PostgreSQL and H2.
 *
 * <pre>{@code
 * RunStore pg = JdbcRunStore.postgres(dataSource);                  // a pooled DataSource of yours
 * RunStore local = JdbcRunStore.embedded(Path.of("data"));         // zero setup: an H2 file database
 * RunStore tuned = JdbcRunStore.builder(dataSource, JdbcRunStore.Dialect.POSTGRES)
 *     .tablePrefix("orders_").statementTimeout(Duration.ofSeconds(5)).build();
 * }</pre>
 *
 * <p>Events are stored as JSON, one row per event keyed by (run id, seq); the database's keys enforce run-id
 * uniqueness and the sequence. An append that continues a run writes its event rows and nothing else: the sequence
 * check is part of the insert and the primary key is the only index, so the hot path costs one row and one index
 * entry per event. An event whose JSON is longer than a row holds (1,000,000 characters) is kept whole in an overflow
 * table in the same transaction, and read back by every read; one longer than {@link Builder#maxEventChars} fails its
 * append with an {@link EventTooLargeException}. The run's summary row is written at creation and at the end. The
 * store creates and migrates its
 * own tables (versioned, idempotent, serialized with a database lock on PostgreSQL so that two instances may start at
 * once), unless it is built to only check them ({@link Builder#migrateSchema}); on H2 it also makes every commit reach
 * the database file before it returns (see {@link #h2}).
 *
 * <p>Group commit: concurrent {@link #append appends} queue up and writer threads ({@link Builder#writers}, each with
 * its own connection) commit each group in a single transaction, so durable throughput grows with load; every append
 * still gets its own outcome. Fencing: the lease
 * row is locked and checked in the same transaction as the append. Every statement carries the configured timeout.
 * Completed executions are cached (Caffeine) after they are written or first read.
 *
 * <p>It is also a {@link DefinitionStore}: saved plan definitions live in their own table ({@code <prefix>definitions},
 * schema version 2), one JSON row per name and version, never overwritten.
 *
 * <p>Thread-safe. {@link #close()} commits what is queued and stops the writer threads; it closes the data source only
 * when the store made it ({@link #embedded}).
 */
public final class JdbcRunStore implements RunStore, DefinitionStore {

    /** The SQL dialects the store speaks. */
    public enum Dialect {
        /** PostgreSQL 12 or newer. */
        POSTGRES,
        /** H2 2.x, in-memory or file. */
        H2
    }

    private static final Pattern PREFIX = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,30}");

    private final DataSource dataSource;
    private final Dialect dialect;
    private final Sql sql;
    private final int timeoutSeconds;
    private final EventCodec codec = new EventCodec();
    private final Cache<String, TaskCompleted> completed;
    /** Makes the group-commit writer: opens and sets up its connections, and starts its threads. */
    private final Supplier<AppendWriter> newWriter;
    /** Guards the start of the writer and {@link #closed}. */
    private final Object writerLock = new Object();
    /** The writer; null until the first append of a store built with {@code migrateSchema(false)}. */
    private volatile AppendWriter writer;
    private boolean closed;
    private final AutoCloseable owned;
    private final int maxEventChars;

    private JdbcRunStore(Builder b, AutoCloseable owned) {
        this.dataSource = b.dataSource;
        this.dialect = b.dialect;
        this.sql = new Sql(b.dialect, b.tablePrefix);
        this.timeoutSeconds = (int) Math.max(1, (b.statementTimeout.toMillis() + 999) / 1000);
        this.completed = Caffeine.newBuilder().maximumSize(b.cacheSize).build();
        this.owned = owned;
        this.maxEventChars = b.maxEventChars;
        int maxBatchSize = b.maxBatchSize;
        int writers = b.writers;
        String writerName = "baton-jdbc-writer-" + b.tablePrefix;
        this.newWriter = () -> new AppendWriter(dataSource, sql, timeoutSeconds, maxBatchSize, writers, writerName);
        SchemaMigrator schema = new SchemaMigrator(dataSource, dialect, sql, timeoutSeconds);
        if (!b.migrateSchema) {
            // it only reads, and sets nothing up: the writer (on H2 the database's write delay with it) waits for the
            // first append, which a store that only reads never makes
            schema.verify();
            return;
        }
        // the writer first: its connections are opened and set up (on H2: every commit reaches the file) before any
        // table is created, so a database that cannot be made durable is refused with nothing written
        this.writer = newWriter.get();
        try {
            schema.migrate();
        } catch (Throwable e) {
            try {
                writer.close();
            } catch (Throwable suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * A store on a PostgreSQL database, with default settings.
     *
     * @param dataSource a (preferably pooled) data source of the database
     * @return the store, its tables created or migrated
     * @throws StoreException if the database cannot be reached or the schema cannot be created
     */
    public static JdbcRunStore postgres(DataSource dataSource) {
        return builder(dataSource, Dialect.POSTGRES).build();
    }

    /**
     * A store on an H2 database, with default settings. Like every H2 store on a file or server database, its writer
     * sets the database's write delay to 0 on each connection it opens ({@code SET WRITE_DELAY 0}, which needs admin
     * rights; a user without them is refused at start with a {@link StoreException}), and holds its connection for
     * the store's life, so that each commit is in the database file before {@link #append} returns and survives the
     * death of the process; H2's default keeps up to half a second of commits in memory. A store built with
     * {@link Builder#migrateSchema(boolean) migrateSchema(false)} starts its writer at its first append instead: until
     * then it sets nothing, and a user without admin rights can read through it (its appends fail). The setting is the
     * database's: every other user of the same database pays a file write per commit too. H2 makes no promise about
     * a power failure or an operating-system crash (it does not force the file to the disk), so recent commits may
     * then be lost; PostgreSQL keeps them.
     *
     * @param dataSource a data source of the database
     * @return the store, its tables created or migrated
     * @throws StoreException if the database cannot be reached, its commits cannot be made durable (no admin rights)
     *     or the schema cannot be created
     */
    public static JdbcRunStore h2(DataSource dataSource) {
        return builder(dataSource, Dialect.H2).build();
    }

    /**
     * The zero-setup durable store: an H2 database in files under a directory, created on first use. Runs survive a
     * restart of the process, and its death (see {@link #h2} for what H2 keeps). The store owns the database and
     * closes it on {@link #close()}.
     *
     * @param directory where the database files live
     * @return the store
     * @throws IllegalArgumentException if the directory's path contains {@code ;} (the database's URL is that path,
     *                                  and the database would read what follows as its settings)
     * @throws StoreException if the database cannot be opened
     */
    public static JdbcRunStore embedded(Path directory) {
        return embeddedBuilder(directory).build();
    }

    /**
     * A builder for the {@linkplain #embedded embedded store} in a directory, for settings of your own. The store
     * it builds owns its database and closes it on {@link #close()}; nothing is opened before {@link Builder#build()}.
     *
     * @param directory where the database files live
     * @return a new builder
     * @throws IllegalArgumentException if the directory's path contains {@code ;} (see {@link #embedded})
     */
    public static Builder embeddedBuilder(Path directory) {
        Objects.requireNonNull(directory, "directory");
        String path = directory.toAbsolutePath().resolve("baton").toString().replace('\\', '/');
        if (path.indexOf(';') >= 0) {
            throw new IllegalArgumentException("the embedded store's directory may not contain ';' (the database would"
                    + " read what follows it as settings): " + directory);
        }
        return new Builder("jdbc:h2:file:" + path);
    }

    /**
     * A builder for a store with settings of your own.
     *
     * @param dataSource the database
     * @param dialect    its SQL dialect
     * @return a new builder
     */
    public static Builder builder(DataSource dataSource, Dialect dialect) {
        return new Builder(dataSource, dialect);
    }

    /** @return the SQL dialect this store speaks */
    public Dialect dialect() {
        return dialect;
    }

    @Override
    public void append(String runId, long expectedSeq, List<RunEvent> events, String owner, Instant now) {
        LogInvariants.checkAppend(runId, expectedSeq, events);
        Objects.requireNonNull(now, "now");
        List<RunEvent> batch = List.copyOf(events);
        List<String> encoded = new ArrayList<>(batch.size());
        for (RunEvent e : batch) {
            String json = codec.encode(e); // on the caller's thread: the writer only talks to the database
            if (json.length() > maxEventChars) {
                throw new EventTooLargeException(runId, e.seq(), EventCodec.typeOf(e), json.length(), maxEventChars);
            }
            encoded.add(json);
        }
        writer().append(new AppendWriter.Request(runId, expectedSeq, batch, encoded, owner));
        for (RunEvent e : batch) { // committed: cache the completions here, off the writer's thread
            if (e instanceof TaskCompleted c && c.executionId() != null) {
                completed.put(c.executionId(), c);
            }
        }
    }

    @Override
    public List<RunEvent> events(String runId) {
        Objects.requireNonNull(runId, "runId");
        return query("read the log of run '" + runId + "'", sql.selectEvents, ps -> ps.setString(1, runId), rs -> {
            List<RunEvent> out = new ArrayList<>();
            while (rs.next()) {
                long seq = rs.getLong(1);
                out.add(decodeRow(runId, out.size() + 1, seq, StoredPayload.resolve(rs.getString(2), rs.getString(3),
                        () -> place(runId, seq))));
            }
            return List.copyOf(out);
        });
    }

    /**
     * The writer, started here by the first append of a store built with {@code migrateSchema(false)}: that append
     * does what {@link Builder#build()} otherwise does first, and fails with its {@link StoreException} if the writer
     * cannot start (the next append tries again).
     */
    private AppendWriter writer() {
        AppendWriter w = writer;
        if (w != null) {
            return w;
        }
        synchronized (writerLock) {
            if (closed) {
                throw new StoreException("the store is closed");
            }
            if (writer == null) {
                writer = newWriter.get();
            }
            return writer;
        }
    }

    /**
     * One row of a run's log, checked against its place: a row that cannot be read, that names another run or seq
     * than its key, or that leaves a gap fails the read with the run and seq, so that a damaged log is never folded
     * (and resumed, or appended to) as if it were whole.
     */
    private RunEvent decodeRow(String runId, long expectedSeq, long seq, String payload) {
        if (seq != expectedSeq) {
            throw new StoreException(place(runId, seq) + ": the stored log has a gap (expected seq " + expectedSeq + ")");
        }
        RunEvent e;
        try {
            e = codec.decode(payload);
        } catch (StoreException ex) {
            throw new StoreException(place(runId, seq) + ": " + ex.getMessage(), ex);
        }
        if (!runId.equals(e.runId()) || e.seq() != seq) {
            throw new StoreException(place(runId, seq) + ": the stored event is " + EventCodec.typeOf(e) + " of run '"
                    + e.runId() + "' at seq " + e.seq());
        }
        return e;
    }

    /** Where a stored row is, for an error about it. */
    private static String place(String runId, long seq) {
        return "run '" + runId + "', seq " + seq;
    }

    @Override
    public Optional<RunRecord> run(String runId) {
        Objects.requireNonNull(runId, "runId");
        return query("read run '" + runId + "'", sql.selectRun, ps -> ps.setString(1, runId),
                rs -> rs.next() ? Optional.of(record(rs)) : Optional.empty());
    }

    private static RunRecord record(ResultSet rs) throws SQLException {
        long ended = rs.getLong(4);
        Instant endedAt = rs.wasNull() ? null : Sql.instant(ended);
        String runId = rs.getString(1);
        String state = rs.getString(2);
        RunState parsed;
        try {
            parsed = RunState.valueOf(state);
        } catch (IllegalArgumentException e) {
            throw new StoreException("run '" + runId + "': the stored state '" + state + "' is not a run state", e);
        }
        return new RunRecord(runId, parsed, Sql.instant(rs.getLong(3)), endedAt, rs.getLong(5), rs.getString(6),
                rs.getInt(7));
    }

    @Override
    public List<RunRecord> runs(RunFilter filter) {
        Objects.requireNonNull(filter, "filter");
        StringBuilder q = new StringBuilder("SELECT ").append(sql.runColumns()).append(" FROM ").append(sql.runs)
                .append(" WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (!filter.states().isEmpty()) {
            q.append(" AND state IN (");
            String sep = "";
            for (RunState s : RunState.values()) { // enum order: a stable statement text per set
                if (filter.states().contains(s)) {
                    q.append(sep).append('?');
                    args.add(s.name());
                    sep = ", ";
                }
            }
            q.append(')');
        }
        if (filter.createdAfter() != null) {
            q.append(" AND created_ns >= ?");
            args.add(Sql.nanos(filter.createdAfter()));
        }
        if (filter.createdBefore() != null) {
            q.append(" AND created_ns < ?");
            args.add(Sql.nanos(filter.createdBefore()));
        }
        q.append(" ORDER BY created_ns DESC, run_id DESC LIMIT ? OFFSET ?");
        args.add(filter.limit());
        args.add(filter.offset());
        return query("query runs", q.toString(), ps -> {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
        }, rs -> {
            List<RunRecord> out = new ArrayList<>();
            while (rs.next()) {
                out.add(record(rs));
            }
            return List.copyOf(out);
        });
    }

    @Override
    public List<String> unfinishedRuns() {
        return query("query unfinished runs", sql.unfinished, ps -> { }, rs -> {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return List.copyOf(out);
        });
    }

    @Override
    public Optional<TaskCompleted> completedExecution(String executionId) {
        Objects.requireNonNull(executionId, "executionId");
        TaskCompleted hit = completed.getIfPresent(executionId);
        if (hit != null) {
            return Optional.of(hit);
        }
        // run ids never contain '/': an execution id of the engine's form names the one run whose log holds it
        int slash = executionId.indexOf('/');
        Optional<TaskCompleted> found = query("look up execution '" + executionId + "'",
                slash > 0 ? sql.selectExecution : sql.selectExecutionAnyRun,
                ps -> {
                    if (slash > 0) {
                        ps.setString(1, executionId.substring(0, slash));
                        ps.setString(2, executionId);
                    } else {
                        ps.setString(1, executionId); // not the engine's form: every run's log, without an index
                    }
                },
                rs -> {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    String what = "execution '" + executionId + "'";
                    return Optional.of(decodeAs(TaskCompleted.class, what,
                            StoredPayload.resolve(rs.getString(1), rs.getString(2), () -> what)));
                });
        found.ifPresent(c -> completed.put(executionId, c));
        return found;
    }

    @Override
    public List<TaskDeadLettered> deadLetters() {
        return query("query dead letters", sql.selectDeadLetters, ps -> { }, this::readDeadLetters);
    }

    /** One bounded query: the page's rows only, in the order of {@link #deadLetters()}. */
    @Override
    public List<TaskDeadLettered> deadLetters(DeadLetterCursor after, int limit) {
        DeadLetterCursor.checkLimit(limit);
        if (after == null) {
            return query("query dead letters", sql.selectDeadLettersFirst, ps -> ps.setInt(1, limit),
                    this::readDeadLetters);
        }
        long at = Sql.nanos(after.at());
        return query("query dead letters", sql.selectDeadLettersAfter, ps -> {
            ps.setLong(1, at);
            ps.setLong(2, at);
            ps.setString(3, after.runId());
            ps.setString(4, after.runId());
            ps.setString(5, after.taskId());
            ps.setInt(6, limit);
        }, this::readDeadLetters);
    }

    private List<TaskDeadLettered> readDeadLetters(ResultSet rs) throws SQLException {
        List<TaskDeadLettered> out = new ArrayList<>();
        while (rs.next()) {
            String what = "the dead letter of " + place(rs.getString(3), rs.getLong(4));
            out.add(decodeAs(TaskDeadLettered.class, what, StoredPayload.resolve(rs.getString(1), rs.getString(2),
                    () -> what)));
        }
        return List.copyOf(out);
    }

    /** A stored event that must be of one type: another one is a damaged row, named as such, not a cast failure. */
    private <T extends RunEvent> T decodeAs(Class<T> type, String what, String payload) {
        RunEvent e = codec.decode(payload);
        if (!type.isInstance(e)) {
            throw new StoreException(what + ": the stored event is " + EventCodec.typeOf(e) + " of run '" + e.runId()
                    + "' at seq " + e.seq() + ", not a " + type.getSimpleName());
        }
        return type.cast(e);
    }

    @Override
    public int purge(Instant endedBefore) {
        Objects.requireNonNull(endedBefore, "endedBefore");
        long cutoff = Sql.nanos(endedBefore);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                // lock the doomed runs first, so no append slips in between the deletes of their tables
                List<String> ids = new ArrayList<>();
                try (PreparedStatement ps = prepare(c, "SELECT run_id FROM " + sql.runs
                        + " WHERE ended_ns IS NOT NULL AND ended_ns < ? FOR UPDATE")) {
                    ps.setLong(1, cutoff);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getString(1));
                        }
                    }
                }
                List<String> executionIds = new ArrayList<>();
                for (int from = 0; from < ids.size(); from += 500) {
                    List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
                    String in = " WHERE run_id IN (" + "?, ".repeat(chunk.size() - 1) + "?)";
                    try (PreparedStatement ps = prepare(c, "SELECT execution_id FROM " + sql.events + in
                            + " AND execution_id IS NOT NULL")) {
                        bind(ps, chunk);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                executionIds.add(rs.getString(1));
                            }
                        }
                    }
                    for (String table : List.of(sql.overflow, sql.events, sql.deadLetters, sql.leases, sql.runs)) {
                        try (PreparedStatement ps = prepare(c, "DELETE FROM " + table + in)) {
                            bind(ps, chunk);
                            ps.executeUpdate();
                        }
                    }
                }
                c.commit();
                completed.invalidateAll(executionIds);
                return ids.size();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw storeFailure("purge runs ended before " + endedBefore, e);
        }
    }

    private static void bind(PreparedStatement ps, List<String> values) throws SQLException {
        for (int i = 0; i < values.size(); i++) {
            ps.setString(i + 1, values.get(i));
        }
    }

    @Override
    public Optional<Lease> tryLease(String runId, String owner, Duration ttl, Instant now) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(now, "now");
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl);
        }
        Lease lease = new Lease(runId, owner, now.plus(ttl));
        long expires = Sql.nanos(lease.expiresAt());
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try (PreparedStatement ps = prepare(c, sql.renewLease)) {
                ps.setString(1, owner);
                ps.setLong(2, expires);
                ps.setString(3, runId);
                ps.setString(4, owner);
                ps.setLong(5, Sql.nanos(now));
                if (ps.executeUpdate() == 1) {
                    return Optional.of(lease);
                }
            }
            try (PreparedStatement ps = prepare(c, sql.insertLease)) {
                ps.setString(1, runId);
                ps.setString(2, owner);
                ps.setLong(3, expires);
                return ps.executeUpdate() == 1 ? Optional.of(lease) : Optional.empty();
            } catch (SQLException e) {
                if ("23505".equals(e.getSQLState())) {
                    return Optional.empty(); // another instance claimed it in between
                }
                throw e;
            }
        } catch (SQLException e) {
            throw storeFailure("claim the lease of run '" + runId + "'", e);
        }
    }

    @Override
    public void releaseLease(String runId, String owner) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(owner, "owner");
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try (PreparedStatement ps = prepare(c, sql.deleteLease)) {
                ps.setString(1, runId);
                ps.setString(2, owner);
                ps.executeUpdate();
            }
        } catch (SQLException e) {
            throw storeFailure("release the lease of run '" + runId + "'", e);
        }
    }

    /**
     * Commits what is queued, stops the writer threads and, for {@link #embedded} stores, closes the database.
     */
    @Override
    public void close() {
        AppendWriter w;
        synchronized (writerLock) { // an append starting the writer finishes first; none starts it afterwards
            closed = true;
            w = writer;
        }
        if (w != null) {
            w.close();
        }
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                throw new StoreException("closing the embedded database failed", e);
            }
        }
    }

    @Override
    public String toString() {
        return "JdbcRunStore[" + dialect + ", tables " + sql.runs + ", ...]";
    }

    // ---------------------------------------------------------------- plumbing

    // ------------------------------------------------------------------ definitions (DefinitionStore)

    @Override
    public boolean saveDefinition(StoredDefinition definition) {
        Objects.requireNonNull(definition, "definition");
        String payload = codec.encodeObject(definition.content());
        String what = "save plan definition '" + definition.name() + "' version " + definition.version();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql.insertDefinition)) {
            ps.setString(1, definition.name());
            ps.setInt(2, definition.version());
            ps.setString(3, payload);
            ps.setLong(4, Sql.nanos(Instant.now()));
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                return false; // H2: the name and version are taken
            }
            throw storeFailure(what, e);
        }
    }

    @Override
    public Optional<StoredDefinition> definition(String name, int version) {
        Objects.requireNonNull(name, "name");
        return query("read plan definition '" + name + "' version " + version, sql.selectDefinition, ps -> {
            ps.setString(1, name);
            ps.setInt(2, version);
        }, rs -> rs.next() ? Optional.of(storedDefinition(rs)) : Optional.empty());
    }

    @Override
    public Optional<StoredDefinition> latestDefinition(String name) {
        Objects.requireNonNull(name, "name");
        return query("read the latest plan definition '" + name + "'", sql.selectLatestDefinition,
                ps -> ps.setString(1, name), rs -> rs.next() ? Optional.of(storedDefinition(rs)) : Optional.empty());
    }

    @Override
    public List<StoredDefinition> definitions() {
        return query("list plan definitions", sql.selectDefinitions, ps -> { }, rs -> {
            List<StoredDefinition> out = new ArrayList<>();
            while (rs.next()) {
                out.add(storedDefinition(rs));
            }
            return List.copyOf(out);
        });
    }

    private StoredDefinition storedDefinition(ResultSet rs) throws SQLException {
        return new StoredDefinition(rs.getString(1), rs.getInt(2), codec.decodeObject(rs.getString(3)));
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    @FunctionalInterface
    private interface Reader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> T query(String what, String text, Binder binder, Reader<T> reader) {
        try {
            return queryOnce(text, binder, reader);
        } catch (SQLException e) {
            if (!isConnectionFailure(e)) {
                throw storeFailure(what, e);
            }
            // A pool may hand out a connection that died while idle; a read is safe to try once more on a fresh one.
            try {
                return queryOnce(text, binder, reader);
            } catch (SQLException again) {
                again.addSuppressed(e);
                throw storeFailure(what, again);
            }
        }
    }

    private <T> T queryOnce(String text, Binder binder, Reader<T> reader) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, text)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                return reader.read(rs);
            }
        }
    }

    /** SQL state class 08: the connection failed or was closed, not the statement. */
    static boolean isConnectionFailure(SQLException e) {
        String state = e.getSQLState();
        return state != null && state.startsWith("08");
    }

    private PreparedStatement prepare(Connection c, String text) throws SQLException {
        PreparedStatement ps = c.prepareStatement(text);
        ps.setQueryTimeout(timeoutSeconds);
        return ps;
    }

    static StoreException storeFailure(String what, SQLException e) {
        return new StoreException("could not " + what + " (SQL state " + e.getSQLState() + "): " + e.getMessage(), e);
    }

    /**
     * Builds a {@link JdbcRunStore}. Not thread-safe; each setting is checked as it is made.
     */
    public static final class Builder {
        private DataSource dataSource;
        private final Dialect dialect;
        /** The embedded store's database URL, opened by {@link #build()}; null for a caller's data source. */
        private final String embeddedUrl;
        private String tablePrefix = "baton_";
        private Duration statementTimeout = Duration.ofSeconds(30);
        private long cacheSize = 10_000;
        private int maxBatchSize = 512;
        private int writers = 1;
        private int maxEventChars = StoredPayload.MAX_CHARS;
        private boolean migrateSchema = true;

        private Builder(DataSource dataSource, Dialect dialect) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            this.dialect = Objects.requireNonNull(dialect, "dialect");
            this.embeddedUrl = null;
        }

        private Builder(String embeddedUrl) {
            this.dialect = Dialect.H2;
            this.embeddedUrl = embeddedUrl;
        }

        /**
         * Sets the prefix of every table the store creates, so several stores can share one schema.
         *
         * @param prefix letters, digits and underscores, starting with a letter or underscore, at most 31 characters;
         *               default {@code baton_}
         * @return this builder
         */
        public Builder tablePrefix(String prefix) {
            Objects.requireNonNull(prefix, "tablePrefix");
            if (!PREFIX.matcher(prefix).matches()) {
                throw new IllegalArgumentException("tablePrefix must match " + PREFIX + ", was '" + prefix + "'");
            }
            this.tablePrefix = prefix;
            return this;
        }

        /**
         * Sets the timeout of every statement (rounded up to whole seconds, as JDBC counts them).
         *
         * @param timeout positive; default 30 seconds
         * @return this builder
         */
        public Builder statementTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "statementTimeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("statementTimeout must be positive, was " + timeout);
            }
            this.statementTimeout = timeout;
            return this;
        }

        /**
         * Sets how many completed executions the in-process cache keeps.
         *
         * @param entries 0 (no cache) or more; default 10,000
         * @return this builder
         */
        public Builder completedCacheSize(long entries) {
            if (entries < 0) {
                throw new IllegalArgumentException("completedCacheSize must be >= 0, was " + entries);
            }
            this.cacheSize = entries;
            return this;
        }

        /**
         * Sets how many appends one group commit takes at most.
         *
         * @param appends 1 (no grouping) to 10,000; default 512
         * @return this builder
         */
        public Builder maxBatchSize(int appends) {
            if (appends < 1 || appends > 10_000) {
                throw new IllegalArgumentException("maxBatchSize must be between 1 and 10000, was " + appends);
            }
            this.maxBatchSize = appends;
            return this;
        }

        /**
         * Sets how many writer threads, each holding one connection of the data source from build on (from the first
         * append on, with {@link #migrateSchema(boolean) migrateSchema(false)}), commit groups of appends. The data
         * source must give at least this many connections plus one at once (reads, leases and the schema migration
         * use the others; stores sharing one pool need the sum). With two or more writers, one group's statements
         * run while another group's commit waits for the disk; the groups are smaller, though, so this pays only
         * where a commit waits long for the disk and appenders are many.
         *
         * @param threads 1 to 16; default 1
         * @return this builder
         */
        public Builder writers(int threads) {
            if (threads < 1 || threads > 16) {
                throw new IllegalArgumentException("writers must be between 1 and 16, was " + threads);
            }
            this.writers = threads;
            return this;
        }

        /**
         * Sets the longest JSON of one event the store accepts. An event whose JSON is longer than its row holds
         * (1,000,000 characters, H2's longest string) is kept whole in the overflow table; one longer than this
         * limit fails its append with an {@link EventTooLargeException} naming the run, the seq and the length,
         * and nothing of the append is written.
         *
         * @param chars 1 to 268,435,456 (256 Mi, below PostgreSQL's 1 GB per value at any UTF-8 width); default
         *              268,435,456
         * @return this builder
         */
        public Builder maxEventChars(int chars) {
            if (chars < 1 || chars > StoredPayload.MAX_CHARS) {
                throw new IllegalArgumentException("maxEventChars must be between 1 and " + StoredPayload.MAX_CHARS
                        + ", was " + chars);
            }
            this.maxEventChars = chars;
            return this;
        }

        /**
         * Sets whether {@link #build()} creates the tables and migrates them to this library's schema (the default),
         * or only checks them. Off, {@code build()} only reads the schema version, and creates, changes or sets up
         * nothing on the database: the store refuses to start unless the tables are there at exactly this library's
         * schema version, and its writer is not started. The first {@link JdbcRunStore#append append} starts it,
         * doing what {@code build()} otherwise does first (opening the writers' connections and, on H2, setting the
         * database's write delay to 0; see {@link JdbcRunStore#h2}); if that fails (H2 without admin rights, say),
         * the append fails with a {@link StoreException}, writes nothing, and the next append tries again. Reads,
         * leases, purges and definitions work as with migration on.
         *
         * <p>For a tool that only reads runs (as {@code baton ps} and {@code baton inspect} do): pointing it at the
         * wrong database, or at one an older Baton still uses, leaves that database as it was, and a user who may
         * only read the tables can use it. Also for an application whose tables are migrated by someone else: it
         * runs as usual, and refuses to start on tables at another version.
         *
         * @param migrate {@code true} to create and migrate, {@code false} to check only
         * @return this builder
         */
        public Builder migrateSchema(boolean migrate) {
            this.migrateSchema = migrate;
            return this;
        }

        /**
         * Opens and sets up the writers' connections, creates or migrates the tables, and starts the writer threads;
         * with {@link #migrateSchema(boolean) migrateSchema(false)}, only checks the schema version (the first append
         * starts the writer).
         *
         * @return the store
         * @throws StoreException if the database cannot be reached, its commits cannot be made durable (H2 without
         *     admin rights; not checked with {@code migrateSchema(false)}), the schema cannot be created or, with
         *     {@code migrateSchema(false)}, the tables are missing or at another schema version; nothing is left open
         *     then
         */
        public JdbcRunStore build() {
            if (embeddedUrl == null) {
                return new JdbcRunStore(this, null);
            }
            // only checking, the database must exist: connecting would otherwise create an empty one
            JdbcConnectionPool pool = JdbcConnectionPool.create(embeddedUrl + (migrateSchema ? "" : ";IFEXISTS=TRUE"),
                    "sa", "");
            pool.setMaxConnections(32);
            dataSource = pool;
            try {
                return new JdbcRunStore(this, pool::dispose);
            } catch (RuntimeException | Error e) {
                pool.dispose();
                throw e;
            } finally {
                dataSource = null; // a second build opens a database of its own
            }
        }
    }
}
