package dev.baton.store.jdbc;

import dev.baton.persistence.DefinitionStore;
import dev.baton.persistence.tck.DefinitionStoreContractTest;

import java.util.concurrent.atomic.AtomicInteger;

/** The definition-store contract against a real PostgreSQL server; each test gets its own tables. */
class PostgresDefinitionStoreIT extends DefinitionStoreContractTest {

    private static final AtomicInteger TESTS = new AtomicInteger();

    @Override
    protected DefinitionStore createStore() {
        return JdbcRunStore.builder(EmbeddedPostgres.dataSource(), JdbcRunStore.Dialect.POSTGRES)
                .tablePrefix("defs" + TESTS.incrementAndGet() + "_").build();
    }
}
