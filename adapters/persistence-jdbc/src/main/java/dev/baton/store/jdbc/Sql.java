package dev.baton.store.jdbc;

import java.time.Instant;

/**
 * The SQL text of one store instance: table names carry the configured prefix, and the few statements PostgreSQL and
 * H2 spell differently are chosen by dialect. Immutable.
 */
final class Sql {

    final String runs;
    final String events;
    final String executions;
    final String deadLetters;
    final String leases;
    final String schemaVersion;
    final String definitions;

    final String insertRun;
    final String updateRun;
    final String lastSeq;
    final String insertEvent;
    final String upsertExecution;
    final String upsertDeadLetter;
    final String deleteDeadLetter;
    final String leaseForUpdate;
    final String renewLease;
    final String insertLease;
    final String deleteLease;
    final String selectEvents;
    final String selectRun;
    final String selectExecution;
    final String selectDeadLetters;
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
        executions = prefix + "executions";
        deadLetters = prefix + "dead_letters";
        leases = prefix + "leases";
        schemaVersion = prefix + "schema_version";
        definitions = prefix + "definitions";

        String runCols = "run_id, state, created_ns, ended_ns, last_seq, correlation_id, task_count";
        insertRun = dialect == JdbcRunStore.Dialect.POSTGRES
                ? "INSERT INTO " + runs + " (" + runCols + ") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO NOTHING"
                : "INSERT INTO " + runs + " (" + runCols + ") VALUES (?, ?, ?, ?, ?, ?, ?)";
        // state and end time change only when the batch holds a terminal event; null keeps the stored value
        updateRun = "UPDATE " + runs + " SET last_seq = ?, state = COALESCE(?, state), ended_ns = COALESCE(?, ended_ns)"
                + " WHERE run_id = ? AND last_seq = ?";
        lastSeq = "SELECT last_seq FROM " + runs + " WHERE run_id = ?";
        insertEvent = "INSERT INTO " + events + " (run_id, seq, type, payload) VALUES (?, ?, ?, ?)";
        upsertExecution = dialect == JdbcRunStore.Dialect.POSTGRES
                ? "INSERT INTO " + executions + " (execution_id, run_id, payload) VALUES (?, ?, ?)"
                        + " ON CONFLICT (execution_id) DO UPDATE SET run_id = EXCLUDED.run_id, payload = EXCLUDED.payload"
                : "MERGE INTO " + executions + " (execution_id, run_id, payload) KEY (execution_id) VALUES (?, ?, ?)";
        upsertDeadLetter = dialect == JdbcRunStore.Dialect.POSTGRES
                ? "INSERT INTO " + deadLetters + " (run_id, task_id, at_ns, seq, payload) VALUES (?, ?, ?, ?, ?)"
                        + " ON CONFLICT (run_id, task_id) DO UPDATE SET at_ns = EXCLUDED.at_ns, seq = EXCLUDED.seq,"
                        + " payload = EXCLUDED.payload"
                : "MERGE INTO " + deadLetters + " (run_id, task_id, at_ns, seq, payload) KEY (run_id, task_id)"
                        + " VALUES (?, ?, ?, ?, ?)";
        deleteDeadLetter = "DELETE FROM " + deadLetters + " WHERE run_id = ? AND task_id = ?";
        leaseForUpdate = "SELECT owner, expires_ns FROM " + leases + " WHERE run_id = ? FOR UPDATE";
        renewLease = "UPDATE " + leases + " SET owner = ?, expires_ns = ? WHERE run_id = ? AND (owner = ? OR expires_ns <= ?)";
        insertLease = dialect == JdbcRunStore.Dialect.POSTGRES
                ? "INSERT INTO " + leases + " (run_id, owner, expires_ns) VALUES (?, ?, ?) ON CONFLICT (run_id) DO NOTHING"
                : "INSERT INTO " + leases + " (run_id, owner, expires_ns) VALUES (?, ?, ?)";
        deleteLease = "DELETE FROM " + leases + " WHERE run_id = ? AND owner = ?";
        selectEvents = "SELECT payload FROM " + events + " WHERE run_id = ? ORDER BY seq";
        selectRun = "SELECT " + runCols + " FROM " + runs + " WHERE run_id = ?";
        selectExecution = "SELECT payload FROM " + executions + " WHERE execution_id = ?";
        selectDeadLetters = "SELECT payload FROM " + deadLetters + " ORDER BY at_ns, run_id, seq";
        unfinished = "SELECT run_id FROM " + runs + " WHERE state = 'ACTIVE' ORDER BY created_ns, run_id";
        insertDefinition = dialect == JdbcRunStore.Dialect.POSTGRES
                ? "INSERT INTO " + definitions + " (name, version, payload, saved_ns) VALUES (?, ?, ?, ?)"
                        + " ON CONFLICT (name, version) DO NOTHING"
                : "INSERT INTO " + definitions + " (name, version, payload, saved_ns) VALUES (?, ?, ?, ?)";
        selectDefinition = "SELECT name, version, payload FROM " + definitions + " WHERE name = ? AND version = ?";
        selectLatestDefinition = "SELECT name, version, payload FROM " + definitions + " WHERE name = ?"
                + " ORDER BY version DESC LIMIT 1";
        selectDefinitions = "SELECT name, version, payload FROM " + definitions + " ORDER BY name, version";
    }

    String runColumns() {
        return "run_id, state, created_ns, ended_ns, last_seq, correlation_id, task_count";
    }

    /** @return whether a failed insert reports a duplicate key as an exception (H2) rather than as 0 rows (PostgreSQL) */
    boolean duplicateKeyThrows() {
        return dialect == JdbcRunStore.Dialect.H2;
    }

    /** The migrations, in order; each statement is idempotent so a re-run after a partial failure is harmless. */
    String[][] migrations() {
        String text = dialect == JdbcRunStore.Dialect.POSTGRES ? "TEXT" : "CHARACTER LARGE OBJECT";
        return new String[][]{
                {
                        "CREATE TABLE IF NOT EXISTS " + runs + " (run_id VARCHAR(255) PRIMARY KEY, state VARCHAR(16) NOT NULL,"
                                + " created_ns BIGINT NOT NULL, ended_ns BIGINT, last_seq BIGINT NOT NULL,"
                                + " correlation_id VARCHAR(1024), task_count INT NOT NULL)",
                        "CREATE INDEX IF NOT EXISTS " + runs + "_state_created ON " + runs + " (state, created_ns)",
                        "CREATE INDEX IF NOT EXISTS " + runs + "_created ON " + runs + " (created_ns)",
                        "CREATE INDEX IF NOT EXISTS " + runs + "_ended ON " + runs + " (ended_ns)",
                        "CREATE TABLE IF NOT EXISTS " + events + " (run_id VARCHAR(255) NOT NULL, seq BIGINT NOT NULL,"
                                + " type VARCHAR(32) NOT NULL, payload " + text + " NOT NULL, PRIMARY KEY (run_id, seq))",
                        "CREATE TABLE IF NOT EXISTS " + executions + " (execution_id VARCHAR(512) PRIMARY KEY,"
                                + " run_id VARCHAR(255) NOT NULL, payload " + text + " NOT NULL)",
                        "CREATE INDEX IF NOT EXISTS " + executions + "_run ON " + executions + " (run_id)",
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
}
