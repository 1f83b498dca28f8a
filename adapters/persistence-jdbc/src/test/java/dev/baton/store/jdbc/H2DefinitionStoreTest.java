package dev.baton.store.jdbc;

import dev.baton.persistence.DefinitionStore;
import dev.baton.persistence.tck.DefinitionStoreContractTest;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterAll;

import java.util.concurrent.atomic.AtomicInteger;

/** The definition-store contract against H2 in memory; each test gets its own tables through a table prefix. */
class H2DefinitionStoreTest extends DefinitionStoreContractTest {

    private static final JdbcConnectionPool POOL =
            JdbcConnectionPool.create("jdbc:h2:mem:h2defs;DB_CLOSE_DELAY=-1", "sa", "");
    private static final AtomicInteger TESTS = new AtomicInteger();

    @AfterAll
    static void closePool() {
        POOL.dispose();
    }

    @Override
    protected DefinitionStore createStore() {
        return JdbcRunStore.builder(POOL, JdbcRunStore.Dialect.H2).tablePrefix("d" + TESTS.incrementAndGet() + "_")
                .build();
    }
}
