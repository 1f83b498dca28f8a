package dev.baton.store.jdbc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;

/**
 * The SQL text of one store instance: table names carry the configured prefix, and the few statements PostgreSQL and
 * H2 spell differently are chosen by dialect. Immutable.
 */
final class Sql {

    /** H2's error code for a statement that needs admin rights ({@code org.h2.api.ErrorCode.ADMIN_RIGHTS_REQUIRED}). */
    static final int H2_ADMIN_RIGHTS_REQUIRED = 90040;

    final String runs;
    final String events;
    final String deadLetters;
    final String leases;
    final String schemaVersion;
    final String definitions;
    /** Schema v4: the JSON of events too long for the events table's payload column, keyed by (run_id, seq). */
    final String overflow;

    final String insertRun;
    final String endRun;
    final String lastSeq;
    final String insertEvent;
    final String insertOverflow;
    final String insertNextEvent;
    final String insertNextEvents;
    final String insertNextEventsFast;
    final String leasesPrefix;
    final String lockLeases;
    final String writerSessionSetup;
    final String writerSessionReset;
    /** H2: makes every commit reach the database file before it returns; null where commits already do. */
    final String durableCommitsSetup;
    final String upsertDeadLetter;
    final String deleteDeadLetter;
    final String renewLease;
    final String insertLease;
    final String deleteLease;
    final String selectEvents;
    final String selectEventRange;
    final String selectRun;
    final String selectExecution;
    final String selectExecutionAnyRun;
    final String selectDeadLetters;
    final String selectDeadLettersFirst;
    final String selectDeadLettersAfter;
    final String unfinished;
    final String insertDefinition;
    final String selectDefinition;
    final String selectLatestDefinition;
    final String selectDefinitions;

    private final JdbcRunStore.Dialect dialect;

    Sql(JdbcRunStore.Dialect dialect, String prefix) {
        this.dialect = dialect;
        runs = prefix + "runs";
        events = prefix + "events";
        deadLetters = prefix + "dead_letters";
        leases = prefix + "leases";
        schemaVersion = prefix + "schema_version";
        definitions = prefix + "definitions";
        overflow = prefix + "event_overflow";

        String runCols = "run_id, state, created_ns, ended_ns, correlation_id, task_count";
        insertRun = dialect == JdbcRunStore.Dialect.POSTGRES
                ? "INSERT INTO " + runs + " (" + runCols + ") VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO NOTHING"
                : "INSERT INTO " + runs + " (" + runCols + ") VALUES (?, ?, ?, ?, ?, ?)";
        // the summary row changes only at creation and at the end: the hot path writes event rows only
        endRun = "UPDATE " + runs + " SET state = ?, ended_ns = ? WHERE run_id = ? AND ended_ns IS NULL";
        lastSeq = "SELECT MAX(seq) FROM " + events + " WHERE run_id = ?";
        String eventCols = "run_id, seq, type, execution_id, payload";
        insertEvent = "INSERT INTO " + events + " (" + eventCols + ") VALUES (?, ?, ?, ?, ?)";
        // only for a group holding an event too long for the events row (see StoredPayload): ordinary groups run no
        // statement of it
        insertOverflow = "INSERT INTO " + overflow + " (run_id, seq, payload) VALUES (?, ?, ?)";
        // H2 (PostgreSQL uses insertNextEvents): the optimistic check and the write in one statement: the row lands
        // only if the previous row exists (no gap), and the primary key refuses it if the seq is taken (no
        // interleaving), as a duplicate-key failure of that row alone.
        insertNextEvent = "INSERT INTO " + events + " (" + eventCols + ") SELECT ?, ?, ?, ?, ?"
                + " WHERE EXISTS (SELECT 1 FROM " + events + " WHERE run_id = ? AND seq = ?)";
        // PostgreSQL: a whole group's first events in one set-based statement; RETURNING says which rows landed. The
        // fast form has no conflict clause: a seq taken by another writer fails the statement (and the group, which
        // the writer then redoes with the tolerant form). Skipping the speculative insertion saves a fifth of the
        // server's work per row, and a taken seq is rare (a takeover race or a stale writer).
        String unnestNext = "INSERT INTO " + events + " (" + eventCols + ") SELECT t.run_id, t.seq, t.type, t.execution_id,"
                + " t.payload FROM unnest(?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[])"
                + " AS t(run_id, seq, type, execution_id, payload)"
                + " WHERE EXISTS (SELECT 1 FROM " + events + " p WHERE p.run_id = t.run_id AND p.seq = t.seq - 1)";
        insertNextEventsFast = unnestNext + " RETURNING run_id, seq";
        insertNextEvents = unnestNext + " ON CONFLICT (run_id, seq) DO NOTHING RETURNING run_id, seq";
        // The writers' statements are all key look-ups. PostgreSQL's generic plan of a prepared statement, made while
        // the events table was small, checks the previous seq with a hash join over a scan of the whole table, and
        // keeps doing so as the log grows. Planning every group with its arguments avoided that, at about a third of
        // the server's CPU per row. Instead the writer's session rules out scans and hash and merge joins, so the one
        // plan left for each statement is the index probe whatever the table's statistics say, and that plan is made
        // once and reused.
        writerSessionSetup = dialect == JdbcRunStore.Dialect.POSTGRES
                ? "SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off; SET enable_hashjoin = off;"
                        + " SET enable_mergejoin = off"
                : null;
        // H2 keeps commits in memory for up to its write delay (500 ms by default) before writing them to its
        // file, so a killed process lost appends it had acknowledged, and a commit cut in half could leave a key's
        // index entry without its row. With a delay of 0 every commit is in the file before it returns. H2 keeps
        // the value in the database but applies it only until the database closes, so the writer sets it on each
        // connection it opens (and holds one, which keeps the database open).
        durableCommitsSetup = dialect == JdbcRunStore.Dialect.H2 ? "SET WRITE_DELAY 0" : null;
        writerSessionReset = dialect == JdbcRunStore.Dialect.POSTGRES
                ? "RESET plan_cache_mode; RESET enable_seqscan; RESET enable_hashjoin; RESET enable_mergejoin"
                : null;
        leasesPrefix = "SELECT run_id, owner FROM " + leases + " WHERE run_id IN (";
        // PostgreSQL: one statement text for any group size, so it is prepared and planned once per writer
        lockLeases = "SELECT run_id, owner FROM " + leases + " WHERE run_id = ANY(?::text[])"
                + " ORDER BY run_id FOR UPDATE";
        upsertDeadLetter = dialect == JdbcRunStore.Dialect.POSTGRES
                ? "INSERT INTO " + deadLetters + " (run_id, task_id, at_ns, seq, payload) VALUES (?, ?, ?, ?, ?)"
                        + " ON CONFLICT (run_id, task_id) DO UPDATE SET at_ns = EXCLUDED.at_ns, seq = EXCLUDED.seq,"
                        + " payload = EXCLUDED.payload"
                : "MERGE INTO " + deadLetters + " (run_id, task_id, at_ns, seq, payload) KEY (run_id, task_id)"
                        + " VALUES (?, ?, ?, ?, ?)";
        deleteDeadLetter = "DELETE FROM " + deadLetters + " WHERE run_id = ? AND task_id = ?";
        renewLease = "UPDATE " + leases + " SET owner = ?, expires_ns = ? WHERE run_id = ? AND (owner = ? OR expires_ns <= ?)";
        insertLease = dialect == JdbcRunStore.Dialect.POSTGRES
                ? "INSERT INTO " + leases + " (run_id, owner, expires_ns) VALUES (?, ?, ?) ON CONFLICT (run_id) DO NOTHING"
                : "INSERT INTO " + leases + " (run_id, owner, expires_ns) VALUES (?, ?, ?)";
        deleteLease = "DELETE FROM " + leases + " WHERE run_id = ? AND owner = ?";
        // every read of an event's JSON takes the overflow row beside it, in the same statement (so from the same
        // snapshot as the events row): null for an event stored whole in its row, the JSON for one stored apart
        String withOverflow = " e LEFT JOIN " + overflow + " o ON o.run_id = e.run_id AND o.seq = e.seq";
        selectEvents = "SELECT e.seq, e.payload, o.payload FROM " + events + withOverflow + " WHERE e.run_id = ?"
                + " ORDER BY e.seq";
        selectEventRange = "SELECT e.seq, e.payload, o.payload FROM " + events + withOverflow
                + " WHERE e.run_id = ? AND e.seq > ? AND e.seq <= ? ORDER BY e.seq";
        selectRun = "SELECT " + runColumns() + " FROM " + runs + " WHERE run_id = ?";
        // an execution id names its run ("<runId>/..."): its completion is found in that run's log by the primary
        // key, so the hot insert path keeps no index of its own for this rare look-up
        selectExecution = "SELECT e.payload, o.payload FROM " + events + withOverflow
                + " WHERE e.run_id = ? AND e.execution_id = ? ORDER BY e.seq DESC LIMIT 1";
        selectExecutionAnyRun = "SELECT e.payload, o.payload FROM " + events + withOverflow
                + " WHERE e.execution_id = ? ORDER BY e.seq DESC LIMIT 1";
        // a dead letter's row holds the same payload as its event's row, so a long one points at the same overflow row
        // ids in code point order on both databases (PostgreSQL's default collation would follow the locale), so a
        // page's cursor means the same place as in the in-memory store
        String c = dialect == JdbcRunStore.Dialect.POSTGRES ? " COLLATE \"C\"" : "";
        String fromDeadLetters = "SELECT d.payload, o.payload, d.run_id, d.seq FROM " + deadLetters + " d LEFT JOIN "
                + overflow + " o ON o.run_id = d.run_id AND o.seq = d.seq";
        String deadLetterOrder = " ORDER BY d.at_ns, d.run_id" + c + ", d.task_id" + c;
        selectDeadLetters = fromDeadLetters + deadLetterOrder;
        selectDeadLettersFirst = fromDeadLetters + deadLetterOrder + " LIMIT ?";
        selectDeadLettersAfter = fromDeadLetters + " WHERE d.at_ns > ? OR (d.at_ns = ? AND (d.run_id" + c + " > ? OR"
                + " (d.run_id = ? AND d.task_id" + c + " > ?)))" + deadLetterOrder + " LIMIT ?";
        unfinished = "SELECT run_id FROM " + runs + " WHERE state = 'ACTIVE' ORDER BY created_ns, run_id";
        insertDefinition = dialect == JdbcRunStore.Dialect.POSTGRES
                ? "INSERT INTO " + definitions + " (name, version, payload, saved_ns) VALUES (?, ?, ?, ?)"
                        + " ON CONFLICT (name, version) DO NOTHING"
                : "INSERT INTO " + definitions + " (name, version, payload, saved_ns) VALUES (?, ?, ?, ?)";
        selectDefinition = "SELECT name, version, payload FROM " + definitions + " WHERE name = ? AND version = ?";
        selectLatestDefinition = "SELECT name, version, payload FROM " + definitions + " WHERE name = ?"
                + " ORDER BY version DESC LIMIT 1";
        // names in code point order, as the other stores list them, whatever the database's collation
        selectDefinitions = "SELECT name, version, payload FROM " + definitions + " ORDER BY name" + c + ", version";
    }

    /** The run summary columns; the last seq is the log's own maximum, so appends need not touch the run row. */
    String runColumns() {
        return "run_id, state, created_ns, ended_ns, (SELECT MAX(seq) FROM " + events + " e WHERE e.run_id = "
                + runs + ".run_id), correlation_id, task_count";
    }

    /** @return whether this is the PostgreSQL dialect */
    boolean postgres() {
        return dialect == JdbcRunStore.Dialect.POSTGRES;
    }

    /** @return whether a failed insert reports a duplicate key as an exception (H2) rather than as 0 rows (PostgreSQL) */
    boolean duplicateKeyThrows() {
        return dialect == JdbcRunStore.Dialect.H2;
    }

    /** The migrations, in order; each statement is idempotent so a re-run after a partial failure is harmless. */
    String[][] migrations() {
        // H2: a plain string column, not a CLOB, keeps events off H2's LOB storage (which copies every value on
        // INSERT ... SELECT); it holds H2's longest string, 1,000,000 characters (StoredPayload.INLINE_MAX). Longer
        // JSON goes to the overflow table (v4), whose column is a CLOB, written by a plain INSERT ... VALUES
        String text = dialect == JdbcRunStore.Dialect.POSTGRES ? "TEXT" : "CHARACTER VARYING(1000000)";
        String longText = dialect == JdbcRunStore.Dialect.POSTGRES ? "TEXT" : "CLOB";
        return new String[][]{
                {
                        "CREATE TABLE IF NOT EXISTS " + runs + " (run_id VARCHAR(255) PRIMARY KEY, state VARCHAR(16) NOT NULL,"
                                + " created_ns BIGINT NOT NULL, ended_ns BIGINT,"
                                + " correlation_id VARCHAR(1024), task_count INT NOT NULL)",
                        "CREATE INDEX IF NOT EXISTS " + runs + "_state_created ON " + runs + " (state, created_ns)",
                        "CREATE INDEX IF NOT EXISTS " + runs + "_created ON " + runs + " (created_ns)",
                        "CREATE INDEX IF NOT EXISTS " + runs + "_ended ON " + runs + " (ended_ns)",
                        "CREATE TABLE IF NOT EXISTS " + events + " (run_id VARCHAR(255) NOT NULL, seq BIGINT NOT NULL,"
                                + " type VARCHAR(32) NOT NULL, execution_id VARCHAR(512), payload " + text + " NOT NULL,"
                                + " PRIMARY KEY (run_id, seq))",
                        "CREATE TABLE IF NOT EXISTS " + deadLetters + " (run_id VARCHAR(255) NOT NULL,"
                                + " task_id VARCHAR(255) NOT NULL, at_ns BIGINT NOT NULL, seq BIGINT NOT NULL,"
                                + " payload " + text + " NOT NULL, PRIMARY KEY (run_id, task_id))",
                        "CREATE TABLE IF NOT EXISTS " + leases + " (run_id VARCHAR(255) PRIMARY KEY,"
                                + " owner VARCHAR(255) NOT NULL, expires_ns BIGINT NOT NULL)",
                },
                {
                        // v2: saved plan definitions (DefinitionStore), immutable once inserted
                        "CREATE TABLE IF NOT EXISTS " + definitions + " (name VARCHAR(128) NOT NULL, version INT NOT NULL,"
                                + " payload " + text + " NOT NULL, saved_ns BIGINT NOT NULL, PRIMARY KEY (name, version))",
                },
                {
                        // v3: no index on execution_id. Every completion paid an entry in it (on H2 every event did),
                        // for a look-up the engine never makes; a completion is found in its own run's log instead
                        "DROP INDEX IF EXISTS " + events + "_execution",
                },
                {
                        // v4: the JSON of events longer than the events row holds (StoredPayload), one row per event,
                        // written in the event's transaction; the events row (and a dead letter's) keeps a marker
                        "CREATE TABLE IF NOT EXISTS " + overflow + " (run_id VARCHAR(255) NOT NULL, seq BIGINT NOT NULL,"
                                + " payload " + longText + " NOT NULL, PRIMARY KEY (run_id, seq))",
                },
        };
    }

    /**
     * Nanoseconds since the epoch, the stores' time column unit: exact, and comparable in SQL on every database.
     * Saturates outside the years 1677 to 2262.
     */
    static long nanos(Instant i) {
        try {
            return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
        } catch (ArithmeticException e) {
            return i.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    /**
     * @return whether an H2 connection's database lives in a file (not in memory, where there is nothing to make
     *     durable), also when reached through a server
     */
    static boolean hasFile(Connection c, int timeoutSeconds) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.setQueryTimeout(timeoutSeconds);
            try (ResultSet rs = st.executeQuery("CALL DATABASE_PATH()")) {
                return rs.next() && rs.getString(1) != null;
            }
        }
    }
}
