package dev.baton.store.jdbc;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Checks shared by the H2 and PostgreSQL schema tests. */
final class SchemaChecks {

    private SchemaChecks() {
    }

    /** Starts {@code n} stores on one prefix at once; all must come up and the migration be recorded once. */
    static void concurrentStartsMigrateOnce(DataSource ds, JdbcRunStore.Dialect dialect, String prefix, int n)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CyclicBarrier barrier = new CyclicBarrier(n);
        List<Future<JdbcRunStore>> starts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            starts.add(pool.submit(() -> {
                barrier.await(30, TimeUnit.SECONDS);
                return JdbcRunStore.builder(ds, dialect).tablePrefix(prefix).build();
            }));
        }
        try {
            for (Future<JdbcRunStore> f : starts) {
                f.get(60, TimeUnit.SECONDS).close();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(versions(ds, prefix)).containsExactly(1);
        JdbcRunStore.builder(ds, dialect).tablePrefix(prefix).build().close(); // a restart changes nothing
        assertThat(versions(ds, prefix)).containsExactly(1);
    }

    static List<Integer> versions(DataSource ds, String prefix) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version FROM " + prefix + "schema_version ORDER BY version")) {
            List<Integer> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
            return out;
        }
    }

    static void execute(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
