package dev.baton.store.jdbc;

import dev.baton.event.RunCreated;
import dev.baton.event.RunSettings;
import dev.baton.plan.Plan;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The writer's session on PostgreSQL: its statements are planned with their arguments (a generic plan made while the
 * events table was small scans the whole table on every group), and its connection goes back to the pool as it came.
 */
class PostgresWriterSessionIT {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void theWriterPlansWithArgumentsAndResetsItsConnection() throws Exception {
        Recording ds = new Recording(EmbeddedPostgres.dataSource());
        JdbcRunStore store = JdbcRunStore.builder(ds, JdbcRunStore.Dialect.POSTGRES).tablePrefix("session_")
                .writers(1).build();
        Connection writer;
        try {
            int before = ds.handedOut.size();
            store.append("r1", 0, List.of(new RunCreated("r1", 1, T0, Plan.builder().task("t", "svc", Map.of()).build(),
                    new RunSettings(null, 0, "GROUPS", "FAIL_FAST", null, null))), null, T0);
            assertThat(ds.handedOut).hasSize(before + 1); // the writer's, taken on its first group
            // the physical connection beneath the pool's handle, used while the writer waits for work
            writer = (Connection) ds.handedOut.get(before).unwrap(org.postgresql.PGConnection.class);
            assertThat(setting(writer)).isEqualTo("force_custom_plan");
        } finally {
            store.close();
        }
        assertThat(setting(writer)).isEqualTo("auto");
    }

    private static String setting(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW plan_cache_mode")) {
            rs.next();
            String value = rs.getString(1);
            if (!c.getAutoCommit()) {
                c.rollback(); // leave no transaction open on a pooled connection
            }
            return value;
        }
    }

    /** A data source that remembers the connections it handed out. */
    private static final class Recording extends ForwardingDataSource {
        final List<Connection> handedOut = new CopyOnWriteArrayList<>();

        Recording(DataSource delegate) {
            super(delegate);
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection c = delegate.getConnection();
            handedOut.add(c);
            return c;
        }
    }
}
