package dev.baton.store.jdbc;

import dev.baton.persistence.StoreException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;

/**
 * Creates and migrates a store's tables. Versions applied are recorded in a {@code schema_version} table; every
 * migration statement is idempotent. On PostgreSQL the whole migration runs in one transaction under an advisory lock
 * (DDL is transactional there), so instances starting at once take turns; H2 file databases belong to one process, so
 * a JVM-wide lock serializes instances within it.
 */
final class SchemaMigrator {

    private static final Object H2_LOCK = new Object();

    private final DataSource dataSource;
    private final JdbcRunStore.Dialect dialect;
    private final Sql sql;
    private final int timeoutSeconds;

    SchemaMigrator(DataSource dataSource, JdbcRunStore.Dialect dialect, Sql sql, int timeoutSeconds) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.sql = sql;
        this.timeoutSeconds = timeoutSeconds;
    }

    /** @return the schema version after migrating */
    int migrate() {
        try {
            if (dialect == JdbcRunStore.Dialect.H2) {
                synchronized (H2_LOCK) {
                    return migrateLocked();
                }
            }
            return migrateLocked();
        } catch (SQLException e) {
            throw JdbcRunStore.storeFailure("create or migrate the tables " + sql.runs + ", ...", e);
        }
    }

    /**
     * Checks, without creating or changing anything, that the tables are at exactly this library's schema version.
     *
     * @throws StoreException if they are missing, older or newer
     */
    void verify() {
        int known = sql.migrations().length;
        int current;
        try (Connection c = dataSource.getConnection()) {
            try (Statement st = c.createStatement()) {
                st.setQueryTimeout(timeoutSeconds);
                try (ResultSet rs = st.executeQuery("SELECT MAX(version) FROM " + sql.schemaVersion)) {
                    current = rs.next() ? rs.getInt(1) : 0;
                }
            } catch (SQLException e) {
                throw new StoreException("no Baton tables with the prefix of " + sql.schemaVersion + ": reading "
                        + sql.schemaVersion + " failed (SQL state " + e.getSQLState() + ")", e);
            }
        } catch (SQLException e) {
            throw JdbcRunStore.storeFailure("check the schema version in " + sql.schemaVersion, e);
        }
        if (current > known) {
            throw new StoreException("the tables " + sql.runs + ", ... are at schema version " + current
                    + ", newer than this library knows (" + known + "); upgrade Baton");
        }
        if (current < known) {
            throw new StoreException("the tables " + sql.runs + ", ... are at schema version " + current
                    + ", older than this library's " + known + "; they are left as they are: open the store once"
                    + " with schema migration on (the default) to migrate them");
        }
    }

    private int migrateLocked() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (dialect == JdbcRunStore.Dialect.POSTGRES) {
                    try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                        ps.setQueryTimeout(timeoutSeconds);
                        ps.setLong(1, lockKey(sql.schemaVersion));
                        ps.execute();
                    }
                }
                execute(c, "CREATE TABLE IF NOT EXISTS " + sql.schemaVersion + " (version INT PRIMARY KEY,"
                        + " description VARCHAR(200) NOT NULL, applied_ns BIGINT NOT NULL)");
                int current = 0;
                try (Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT MAX(version) FROM " + sql.schemaVersion)) {
                    if (rs.next()) {
                        current = rs.getInt(1);
                    }
                }
                String[][] migrations = sql.migrations();
                if (current > migrations.length) {
                    throw new StoreException("the tables " + sql.runs + ", ... are at schema version " + current
                            + ", newer than this library knows (" + migrations.length + "); upgrade Baton");
                }
                for (int v = current + 1; v <= migrations.length; v++) {
                    for (String statement : migrations[v - 1]) {
                        execute(c, statement);
                    }
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + sql.schemaVersion
                            + " (version, description, applied_ns) VALUES (?, ?, ?)")) {
                        ps.setQueryTimeout(timeoutSeconds);
                        ps.setInt(1, v);
                        ps.setString(2, "baton schema v" + v);
                        ps.setLong(3, Sql.nanos(Instant.now()));
                        ps.executeUpdate();
                    }
                }
                c.commit();
                return migrations.length;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private void execute(Connection c, String statement) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.setQueryTimeout(timeoutSeconds);
            st.execute(statement);
        }
    }

    /** A stable advisory-lock key per table prefix. */
    private static long lockKey(String name) {
        long h = 0x6261746f6e4c4bL; // "batonLK"
        for (int i = 0; i < name.length(); i++) {
            h = h * 31 + name.charAt(i);
        }
        return h;
    }
}
