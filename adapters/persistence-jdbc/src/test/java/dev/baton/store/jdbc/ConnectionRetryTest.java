package dev.baton.store.jdbc;

import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

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
    private static final class FailingSource implements DataSource {
        final DataSource delegate;
        final AtomicInteger failNext = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();

        FailingSource(DataSource delegate) {
            this.delegate = delegate;
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                failures.incrementAndGet();
                throw new SQLException("This connection has been closed.", "08003");
            }
            return delegate.getConnection();
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
