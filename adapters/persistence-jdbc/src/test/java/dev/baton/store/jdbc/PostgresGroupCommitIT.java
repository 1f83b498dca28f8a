package dev.baton.store.jdbc;

import javax.sql.DataSource;

/** The group-commit checks against a real PostgreSQL server. */
class PostgresGroupCommitIT extends GroupCommitChecks {

    @Override
    protected DataSource dataSource() {
        return EmbeddedPostgres.dataSource();
    }

    @Override
    protected JdbcRunStore.Dialect dialect() {
        return JdbcRunStore.Dialect.POSTGRES;
    }
}
