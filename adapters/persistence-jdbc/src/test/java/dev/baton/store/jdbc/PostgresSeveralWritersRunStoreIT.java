package dev.baton.store.jdbc;

import dev.baton.persistence.RunStore;
import dev.baton.persistence.tck.RunStoreContractTest;

import java.util.concurrent.atomic.AtomicInteger;

/** The contract test kit against a real PostgreSQL server with three writer threads committing groups side by side. */
class PostgresSeveralWritersRunStoreIT extends RunStoreContractTest {

    private static final AtomicInteger TESTS = new AtomicInteger();

    @Override
    protected RunStore createStore() {
        return JdbcRunStore.builder(EmbeddedPostgres.dataSource(), JdbcRunStore.Dialect.POSTGRES)
                .tablePrefix("tckw" + TESTS.incrementAndGet() + "_").writers(3).build();
    }
}
