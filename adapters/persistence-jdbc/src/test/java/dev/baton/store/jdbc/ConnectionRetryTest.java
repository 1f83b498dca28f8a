package dev.baton.store.jdbc;

import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A read that meets a dead pooled connection is tried once more on a fresh one; other failures are not retried. */
class ConnectionRetryTest {

    @Test
    void aReadRetriesOnceAfterAConnectionFailure() {
        JdbcConnectionPool h2 = JdbcConnectionPool.create("jdbc:h2:mem:retry;DB_CLOSE_DELAY=-1", "sa", "");
        FailingSource source = new FailingSource(h2);
        try (JdbcRunStore store = JdbcRunStore.h2(source)) {
            source.failNext.set(1);
            assertThat(store.run("nope")).isEmpty();
            assertThat(source.failures).hasValue(1);

            source.failNext.set(2); // both tries fail: a typed store failure naming the operation
            assertThatThrownBy(() -> store.run("nope")).isInstanceOf(dev.baton.persistence.StoreException.class)
                    .hasMessageContaining("08003");
        } finally {
            h2.dispose();
        }
    }

    /** Hands out H2 connections, except that the next n requests fail as a closed connection would. */
    private static final class FailingSource extends ForwardingDataSource {
        final AtomicInteger failNext = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();

        FailingSource(DataSource delegate) {
            super(delegate);
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                failures.incrementAndGet();
                throw new SQLException("This connection has been closed.", "08003");
            }
            return delegate.getConnection();
        }
    }
}
