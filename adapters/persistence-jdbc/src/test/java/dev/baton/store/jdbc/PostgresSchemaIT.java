package dev.baton.store.jdbc;

import org.junit.jupiter.api.Test;

/** Schema handling on a real PostgreSQL server. */
class PostgresSchemaIT {

    @Test
    void storesStartingAtOnceMigrateTheSchemaOnce() throws Exception {
        SchemaChecks.concurrentStartsMigrateOnce(EmbeddedPostgres.dataSource(), JdbcRunStore.Dialect.POSTGRES, "race_", 4);
    }

    @Test
    void aStoreThatOnlyChecksTheSchemaChangesNothing() throws Exception {
        SchemaChecks.checkingTheSchemaOnlyChangesNothing(EmbeddedPostgres.dataSource(), JdbcRunStore.Dialect.POSTGRES,
                "check_");
    }

    @Test
    void aStoreThatOnlyChecksStartsItsWriterAtItsFirstAppend() throws Exception {
        SchemaChecks.aStoreThatOnlyChecksStartsItsWriterAtItsFirstAppend(EmbeddedPostgres.dataSource(),
                JdbcRunStore.Dialect.POSTGRES, "lazy_");
    }

    @Test
    void anUpgradeFromVersion2DropsTheExecutionIndex() throws Exception {
        SchemaChecks.anUpgradeFromVersion2DropsTheExecutionIndex(EmbeddedPostgres.dataSource(),
                JdbcRunStore.Dialect.POSTGRES, "upgrade_");
    }
}
