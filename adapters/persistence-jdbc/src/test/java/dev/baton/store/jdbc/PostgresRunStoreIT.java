package dev.baton.store.jdbc;

import dev.baton.persistence.RunStore;
import dev.baton.persistence.tck.RunStoreContractTest;

import java.util.concurrent.atomic.AtomicInteger;

/** The contract test kit against a real PostgreSQL server; each test gets its own tables through a table prefix. */
class PostgresRunStoreIT extends RunStoreContractTest {

    private static final AtomicInteger TESTS = new AtomicInteger();

    @Override
    protected RunStore createStore() {
        return JdbcRunStore.builder(EmbeddedPostgres.dataSource(), JdbcRunStore.Dialect.POSTGRES)
                .tablePrefix("tck" + TESTS.incrementAndGet() + "_").build();
    }
}
