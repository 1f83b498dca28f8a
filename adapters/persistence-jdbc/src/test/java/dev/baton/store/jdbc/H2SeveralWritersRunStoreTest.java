package dev.baton.store.jdbc;

import dev.baton.persistence.RunStore;
import dev.baton.persistence.tck.RunStoreContractTest;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterAll;

import java.util.concurrent.atomic.AtomicInteger;

/** The contract test kit against H2 in memory with three writer threads committing groups side by side. */
class H2SeveralWritersRunStoreTest extends RunStoreContractTest {

    private static final JdbcConnectionPool POOL =
            JdbcConnectionPool.create("jdbc:h2:mem:h2tck3w;DB_CLOSE_DELAY=-1", "sa", "");
    private static final AtomicInteger TESTS = new AtomicInteger();

    @AfterAll
    static void closePool() {
        POOL.dispose();
    }

    @Override
    protected RunStore createStore() {
        return JdbcRunStore.builder(POOL, JdbcRunStore.Dialect.H2).tablePrefix("w" + TESTS.incrementAndGet() + "_")
                .writers(3).build();
    }
}
