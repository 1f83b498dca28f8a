package dev.baton.store.jdbc;

import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterAll;

import javax.sql.DataSource;

/** The group-commit checks against H2 in memory. */
class H2GroupCommitTest extends GroupCommitChecks {

    private static final JdbcConnectionPool POOL =
            JdbcConnectionPool.create("jdbc:h2:mem:groupcommit;DB_CLOSE_DELAY=-1", "sa", "");

    @AfterAll
    static void closePool() {
        POOL.dispose();
    }

    @Override
    protected DataSource dataSource() {
        return POOL;
    }

    @Override
    protected JdbcRunStore.Dialect dialect() {
        return JdbcRunStore.Dialect.H2;
    }
}
