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
 * The writer's session on PostgreSQL: its statements keep the index probes whatever the table's statistics were when
 * they were planned (a generic plan made while the events table was small scans the whole table on every group), and
 * its connection goes back to the pool as it came.
 */
class PostgresWriterSessionIT {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void theWriterPinsItsPlansToIndexProbesAndResetsItsConnection() throws Exception {
        Recording ds = new Recording(EmbeddedPostgres.dataSource());
        JdbcRunStore store = JdbcRunStore.builder(ds, JdbcRunStore.Dialect.POSTGRES).tablePrefix("session_")
                .writers(1).build();
        Connection writer;
        try {
            int before = ds.handedOut.size();
            store.append("r1", 0, List.of(new RunCreated("r1", 1, T0, Plan.builder().task("t", "svc", Map.of()).build(),
                    new RunSettings(null, 0, "GROUPS", "FAIL_FAST", null, null))), null, T0);
            // the writer's connection is taken at build, before any other, and kept: its first group needs no other
            assertThat(ds.handedOut).hasSize(before);
            // the physical connection beneath the pool's handle, used while the writer waits for work
            writer = (Connection) ds.handedOut.get(0).unwrap(org.postgresql.PGConnection.class);
            assertThat(settings(writer)).containsExactly("force_generic_plan", "off", "off", "off");
        } finally {
            store.close();
        }
        assertThat(settings(writer)).containsExactly("auto", "on", "on", "on");
    }

    @Test
    void theGroupInsertPlannedOnAnEmptyTableProbesThePreviousSeqByItsKey() throws Exception {
        DataSource ds = EmbeddedPostgres.dataSource();
        JdbcRunStore.builder(ds, JdbcRunStore.Dialect.POSTGRES).tablePrefix("probe_").build().close(); // the tables
        Sql sql = new Sql(JdbcRunStore.Dialect.POSTGRES, "probe_");
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            // as the server plans it for a session without the writer's settings: the reason they exist
            st.execute("SET plan_cache_mode = force_generic_plan");
            assertThat(genericPlan(st, sql.insertNextEventsFast, INSERT_ARGS)).contains("Seq Scan on probe_events");
            st.execute("RESET plan_cache_mode");
            st.execute(sql.writerSessionSetup);
            try {
                probeWriterPlans(st, sql);
            } finally {
                st.execute(sql.writerSessionReset); // a pooled connection goes back as it came, whatever failed
            }
        }
    }

    private static void probeWriterPlans(Statement st, Sql sql) throws SQLException {
        for (String insert : List.of(sql.insertNextEventsFast, sql.insertNextEvents)) {
            assertThat(genericPlan(st, insert, INSERT_ARGS))
                    .contains("Nested Loop", "Index Only Scan using probe_events_pkey")
                    .doesNotContain("Seq Scan", "Hash");
        }
        // the lease check of a group of any size: one statement, by the key as well
        assertThat(genericPlan(st, sql.lockLeases, "ARRAY['a', 'b']")).contains("probe_leases_pkey")
                .doesNotContain("Seq Scan");
    }

    /** Arguments of the group insert for one row. */
    private static final String INSERT_ARGS = "ARRAY['r'], ARRAY[2::bigint], ARRAY['T'], ARRAY[NULL::text], ARRAY['{}']";

    /** The generic plan of a statement with {@code ?} parameters, explained for the given SQL arguments. */
    private static String genericPlan(Statement st, String text, String args) throws SQLException {
        StringBuilder numbered = new StringBuilder();
        int n = 0;
        for (char ch : text.toCharArray()) {
            if (ch == '?') {
                numbered.append('$').append(++n);
            } else {
                numbered.append(ch);
            }
        }
        st.execute("PREPARE probe AS " + numbered);
        StringBuilder plan = new StringBuilder();
        try (ResultSet rs = st.executeQuery("EXPLAIN EXECUTE probe(" + args + ")")) {
            while (rs.next()) {
                plan.append(rs.getString(1)).append('\n');
            }
        } finally {
            st.execute("DEALLOCATE probe");
        }
        return plan.toString();
    }

    private static List<String> settings(Connection c) throws SQLException {
        List<String> values = new java.util.ArrayList<>();
        try (Statement st = c.createStatement()) {
            for (String name : List.of("plan_cache_mode", "enable_seqscan", "enable_hashjoin", "enable_mergejoin")) {
                try (ResultSet rs = st.executeQuery("SHOW " + name)) {
                    rs.next();
                    values.add(rs.getString(1));
                }
            }
        }
        if (!c.getAutoCommit()) {
            c.rollback(); // leave no transaction open on a pooled connection
        }
        return values;
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
