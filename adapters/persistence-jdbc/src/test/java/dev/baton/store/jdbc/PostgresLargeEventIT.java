package dev.baton.store.jdbc;

import javax.sql.DataSource;

/** Large events against a real PostgreSQL server: the same overflow path as on H2. */
class PostgresLargeEventIT extends LargeEventChecks {

    @Override
    protected DataSource dataSource() {
        return EmbeddedPostgres.dataSource();
    }

    @Override
    protected JdbcRunStore.Dialect dialect() {
        return JdbcRunStore.Dialect.POSTGRES;
    }
}
