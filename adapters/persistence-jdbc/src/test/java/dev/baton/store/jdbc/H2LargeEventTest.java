package dev.baton.store.jdbc;

import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterAll;

import javax.sql.DataSource;

/** Large events against H2 in memory, whose events rows hold at most 1,000,000 characters. */
class H2LargeEventTest extends LargeEventChecks {

    private static final JdbcConnectionPool POOL =
            JdbcConnectionPool.create("jdbc:h2:mem:largeevents;DB_CLOSE_DELAY=-1", "sa", "");

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
