package dev.baton.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.NonRetryableException;
import dev.baton.Orchestrator;
import dev.baton.RunOptions;
import dev.baton.RunStatus;
import dev.baton.persistence.RunStore;
import dev.baton.plan.Plan;
import dev.baton.store.jdbc.JdbcRunStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code baton ps} and {@code baton inspect} over runs an orchestrator left in a real store. */
class StoreCommandsTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int baton(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return BatonCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    /** One completed and one failed run, written by an orchestrator that is then closed. */
    private static void seed(RunStore store) {
        try (Orchestrator o = Orchestrator.builder().store(store)
                .service("greeter", ctx -> Map.of("greeting", "hello " + ctx.input().get("name")))
                .service("refuser", ctx -> {
                    throw new NonRetryableException("no such account");
                })
                .build()) {
            Plan ok = Plan.builder().params(Map.of("name", "Ada"))
                    .task("greet", "greeter", Map.of("name", "$task0.name")).build();
            Plan bad = Plan.builder().params(Map.of())
                    .task("charge", "refuser", Map.of())
                    .task("after", "greeter", Map.of("name", "$charge.name")).build();
            assertThat(o.submit(ok, RunOptions.builder().runId("run-ok").build()).await(Duration.ofSeconds(30))
                    .status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(o.submit(bad, RunOptions.builder().runId("run-bad").build()).await(Duration.ofSeconds(30))
                    .status()).isEqualTo(RunStatus.FAILED);
        }
    }

    @Test
    void psListsTheRunsOfTheEmbeddedStoreNewestFirst() throws Exception {
        try (RunStore store = JdbcRunStore.embedded(dir)) {
            seed(store);
        }
        assertThat(baton("ps", "--data-dir", dir.toString())).isZero();
        assertThat(out.toString()).contains("RUN ID").contains("run-ok").contains("completed").contains("1/1")
                .contains("run-bad").contains("failed").contains("0/2");
        // the table's columns line up: a created time is shown to the second, so it fits its column
        List<String> lines = out.toString().lines().toList();
        int took = lines.get(0).indexOf("TOOK");
        for (String row : lines.subList(1, lines.size())) {
            assertThat(row.charAt(took - 1)).as(row).isEqualTo(' ');
            assertThat(row.charAt(took)).as(row).isNotEqualTo(' ');
            assertThat(row.substring(took - 25, took - 1).trim()).as(row).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        }

        assertThat(baton("ps", "--data-dir", dir.toString(), "--status", "FAILED", "--json")).isZero();
        Map<?, ?> json = new ObjectMapper().readValue(out.toString(), Map.class);
        List<?> runs = (List<?>) json.get("runs");
        assertThat(runs).hasSize(1);
        assertThat(((Map<?, ?>) runs.get(0)).get("runId")).isEqualTo("run-bad");
        assertThat(((Map<?, ?>) runs.get(0)).get("status")).isEqualTo("FAILED");
    }

    @Test
    void inspectShowsEveryTaskAndWithDetailsItsInputAndOutput() throws Exception {
        try (RunStore store = JdbcRunStore.embedded(dir)) {
            seed(store);
        }
        assertThat(baton("inspect", "run-ok", "--data-dir", dir.toString(), "-d")).isZero();
        assertThat(out.toString()).contains("run run-ok: completed").contains("greet").contains("greeter")
                .contains("run-ok/greet").contains("\"name\":\"Ada\"").contains("\"greeting\":\"hello Ada\"");

        assertThat(baton("inspect", "run-bad", "--data-dir", dir.toString())).isZero();
        assertThat(out.toString()).contains("failed").contains("charge").contains("no such account")
                .contains("skipped");

        assertThat(baton("inspect", "run-bad", "--data-dir", dir.toString(), "--json")).isZero();
        Map<?, ?> json = new ObjectMapper().readValue(out.toString(), Map.class);
        assertThat(json.get("status")).isEqualTo("FAILED");
        assertThat(((Map<?, ?>) json.get("error")).get("taskId")).isEqualTo("charge");
        assertThat((List<?>) json.get("taskViews")).hasSize(2);
    }

    @Test
    void readingNeverResumesAnUnfinishedRun() throws Exception {
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        int logLength;
        try (RunStore store = JdbcRunStore.embedded(dir)) {
            // a run left unfinished: its orchestrator is closed while the task still runs
            Orchestrator o = Orchestrator.builder().store(store).shutdownTimeout(Duration.ofMillis(50))
                    .service("slow", ctx -> {
                        started.countDown();
                        release.await();
                        return "late";
                    })
                    .build();
            o.submit(Plan.builder().task("wait", "slow", Map.of()).build(),
                    RunOptions.builder().runId("run-open").build());
            assertThat(started.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            o.close();
            release.countDown();
            assertThat(store.unfinishedRuns()).contains("run-open");
            logLength = store.events("run-open").size();
        }
        // ps and inspect build an orchestrator without services and without recovery: the run stays as it was
        assertThat(baton("ps", "--data-dir", dir.toString())).isZero();
        assertThat(out.toString()).contains("run-open").contains("running");
        assertThat(baton("inspect", "run-open", "--data-dir", dir.toString())).isZero();
        assertThat(out.toString()).contains("run run-open: running");
        try (RunStore store = JdbcRunStore.embedded(dir)) {
            assertThat(store.unfinishedRuns()).contains("run-open");
            assertThat(store.events("run-open")).hasSize(logLength);
        }
        // and a run that is not there is reported as such
        assertThat(baton("inspect", "no-such-run", "--data-dir", dir.toString())).isEqualTo(BatonCli.INVALID);
        assertThat(err.toString()).contains("no run no-such-run");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aDataDirThatIsAFileIsAUsageErrorWithoutTheDatabasesStackTrace() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new java.io.PrintStream(raw, true, java.nio.charset.StandardCharsets.UTF_8));
            code = baton("ps", "--data-dir", file.toString());
        } finally {
            System.setErr(stderr);
        }
        assertThat(code).isEqualTo(BatonCli.USAGE);
        assertThat(err.toString()).contains("cannot open the run store: " + file + " is not a directory")
                .doesNotContain("store: cannot").doesNotContain("\tat ");
        assertThat(raw.toString(java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("\tat ");
    }

    @Test
    void anH2UserWithoutAdminRightsReadsTheStoreAndLeavesItsWriteDelayAsItWas() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("shared").toAbsolutePath().toString().replace('\\', '/');
        // this connection keeps the database open, and with it the write delay set below (H2 applies it while open)
        try (java.sql.Connection held = java.sql.DriverManager.getConnection(url, "sa", "");
             java.sql.Statement st = held.createStatement()) {
            st.execute("CREATE USER app PASSWORD ''");
            st.execute("CREATE SCHEMA app_schema AUTHORIZATION app");
            // a Baton store in the user's schema, set up by an admin
            org.h2.jdbcx.JdbcDataSource admin = new org.h2.jdbcx.JdbcDataSource();
            admin.setURL(url + ";SCHEMA=APP_SCHEMA");
            admin.setUser("sa");
            try (RunStore store = JdbcRunStore.h2(admin)) {
                seed(store);
            }
            st.execute("SET WRITE_DELAY 500");

            assertThat(baton("ps", "--store", url + ";SCHEMA=APP_SCHEMA", "--store-user", "app"))
                    .as(err.toString()).isZero();
            assertThat(out.toString()).contains("run-ok").contains("run-bad");
            assertThat(baton("inspect", "run-ok", "--store", url + ";SCHEMA=APP_SCHEMA", "--store-user", "app"))
                    .as(err.toString()).isZero();
            assertThat(out.toString()).contains("run-ok");
            assertThat(writeDelays(st)).as("reading sets nothing").isNotEmpty().containsOnly("500");

            // writing still needs admin rights: the store baton run opens refuses the user at start, saying why
            org.h2.jdbcx.JdbcDataSource app = new org.h2.jdbcx.JdbcDataSource();
            app.setURL(url + ";SCHEMA=APP_SCHEMA");
            app.setUser("app");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> JdbcRunStore.h2(app))
                    .isInstanceOf(dev.baton.persistence.StoreException.class)
                    .hasMessageContaining("SET WRITE_DELAY 0").hasMessageContaining("admin rights");
            assertThat(writeDelays(st)).containsOnly("500");
        }
    }

    /** The write-delay values H2 reports: the database's stored one and the one in effect. */
    private static List<String> writeDelays(java.sql.Statement st) throws java.sql.SQLException {
        List<String> values = new java.util.ArrayList<>();
        try (java.sql.ResultSet rs = st.executeQuery(
                "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    @Test
    void aStoreThatCannotBeReachedIsNamedWithTheDriversInnermostReason() {
        // the PostgreSQL driver says only "The connection attempt failed."; the unknown host is in its cause
        assertThat(baton("ps", "--store", "jdbc:postgresql://nosuchhost.invalid/x", "--store-user", "u"))
                .isEqualTo(BatonCli.USAGE);
        assertThat(err.toString()).contains("cannot open the run store").contains("nosuchhost.invalid")
                .doesNotContain("\tat ");
    }

    @Test
    void badStoreArgumentsAreUsageErrorsOnOneLine() {
        assertThat(baton("ps", "--store", "jdbc:mysql://localhost/x")).isEqualTo(BatonCli.USAGE);
        assertThat(err.toString()).contains("--store must be a jdbc:h2: or jdbc:postgresql: URL").doesNotContain("\tat ");

        assertThat(baton("ps", "--store", "jdbc:h2:mem:x", "--data-dir", dir.toString())).isEqualTo(BatonCli.USAGE);
        assertThat(err.toString()).contains("exclude each other");

        assertThat(baton("ps", "--store", "jdbc:postgresql://127.0.0.1:1/none", "--store-user", "u"))
                .isEqualTo(BatonCli.USAGE);
        assertThat(err.toString()).contains("cannot open the run store").doesNotContain("\tat ");

        assertThat(baton("ps", "--store", "jdbc:postgresql://127.0.0.1:1/none", "--store-password-env", "NOPE_UNSET"))
                .isEqualTo(BatonCli.USAGE);
        assertThat(err.toString()).contains("NOPE_UNSET is not set");

        assertThat(baton("ps", "--limit", "0", "--data-dir", dir.toString())).isEqualTo(BatonCli.USAGE);
        assertThat(baton("inspect")).isEqualTo(BatonCli.USAGE);
    }

    @Test
    void storeCredentialsWithoutStoreAreUsageErrors() {
        // without --store they would have nothing to apply to, and the embedded database would open instead
        assertThat(baton("ps", "--data-dir", dir.toString(), "--store-user", "u")).isEqualTo(BatonCli.USAGE);
        assertThat(err.toString().strip()).isEqualTo("baton: --store-user needs --store");

        assertThat(baton("inspect", "run-ok", "--data-dir", dir.toString(), "--store-password-env", "PW"))
                .isEqualTo(BatonCli.USAGE);
        assertThat(err.toString().strip()).isEqualTo("baton: --store-password-env needs --store");
        assertThat(out.toString()).isEmpty();
        assertThat(dir).isEmptyDirectory(); // refused before any database was opened
    }

    @Test
    void psAndInspectReadAPostgresStore() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
            // before there is a store, reading refuses the database and creates no tables in it
            assertThat(baton("ps", "--store", url, "--store-user", "postgres")).isEqualTo(BatonCli.USAGE);
            assertThat(err.toString().strip()).isEqualTo("baton: no run store at " + url
                    + ": the database has no Baton tables (no baton_schema_version table in schema public)");
            assertThat(baton("inspect", "run-ok", "--store", url, "--store-user", "postgres"))
                    .isEqualTo(BatonCli.USAGE);
            try (java.sql.Connection c = pg.getPostgresDatabase().getConnection();
                 java.sql.Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM information_schema.tables"
                         + " WHERE table_name LIKE 'baton%'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isZero();
            }
            try (RunStore store = JdbcRunStore.postgres(pg.getPostgresDatabase())) {
                seed(store);
            }
            assertThat(baton("ps", "--store", url, "--store-user", "postgres")).isZero();
            assertThat(out.toString()).contains("run-ok").contains("run-bad");
            assertThat(baton("inspect", "run-ok", "--store", url, "--store-user", "postgres")).isZero();
            assertThat(out.toString()).contains("run run-ok: completed");
        }
    }

    @Test
    void anEmbeddedStoreAnotherProcessHoldsIsRefusedOnOneLineAndReadableOnceItIsFree() throws Exception {
        try (JdbcRunStore store = JdbcRunStore.embedded(dir)) {
            seed(store);
        }
        String javaBinary = ProcessHandle.current().info().command().orElse("java");
        Process holder = new ProcessBuilder(javaBinary, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                StoreHolder.class.getName(), dir.toString()).redirectErrorStream(true).start();
        try {
            var lines = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
            assertThat(lines.readLine()).isEqualTo("open"); // blocks until the other process has the database
            for (String[] command : List.of(new String[] {"ps"}, new String[] {"inspect", "run-ok"})) {
                String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(command),
                        java.util.stream.Stream.of("--data-dir", dir.toString())).toArray(String[]::new);
                assertThat(baton(args)).as(command[0]).isEqualTo(BatonCli.USAGE);
                assertThat(err.toString()).as(command[0]).contains("Database may be already in use")
                        .doesNotContain("\tat ");
                assertThat(err.toString().strip().lines()).as(command[0]).hasSize(1);
                assertThat(out.toString()).isEmpty();
            }
        } finally {
            holder.getOutputStream().close(); // the holder closes its store and exits
            assertThat(holder.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
        assertThat(holder.exitValue()).isZero();
        assertThat(baton("ps", "--data-dir", dir.toString())).isZero();
        assertThat(out.toString()).contains("run-ok").contains("run-bad");
    }

    @Test
    void readingADirectoryThatHoldsNoStoreSaysSoAndCreatesNothing() {
        // a mistyped --data-dir must not answer "no runs" and leave a new, empty database behind
        Path typo = dir.resolve("baton-dta");
        assertThat(baton("ps", "--data-dir", typo.toString())).isEqualTo(BatonCli.USAGE);
        assertThat(err.toString().strip()).isEqualTo("baton: no run store in " + typo + " (baton run creates one)");
        assertThat(out.toString()).isEmpty();
        assertThat(baton("inspect", "run-ok", "--data-dir", typo.toString())).isEqualTo(BatonCli.USAGE);
        assertThat(err.toString()).contains("no run store in " + typo);
        assertThat(typo).doesNotExist();
        assertThat(baton("ps", "--data-dir", dir.toString())).isEqualTo(BatonCli.USAGE);
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void readingAnH2UrlWithoutADatabaseSaysSoAndCreatesNothing() throws Exception {
        // H2 creates a database on first connection: a mistyped --store would answer "no runs" and leave one behind
        String base = "jdbc:h2:" + dir.resolve("newdb").toAbsolutePath().toString().replace('\\', '/');
        for (String url : List.of(base, base + ";LOCK_TIMEOUT=2000", base + ";LOCK_TIMEOUT=2000;", "jdbc:h2:mem:none")) {
            assertThat(baton("ps", "--store", url)).as(url).isEqualTo(BatonCli.USAGE);
            assertThat(err.toString().strip()).isEqualTo("baton: no run store at " + url
                    + " (no such database; baton run creates one)");
            assertThat(out.toString()).isEmpty();
            assertThat(baton("inspect", "run-ok", "--store", url)).as(url).isEqualTo(BatonCli.USAGE);
            assertThat(err.toString()).contains("no run store at " + url);
        }
        assertThat(dir).isEmptyDirectory();

        // a setting that would let the database be created is refused, not passed on
        assertThat(baton("ps", "--store", base + ";IFEXISTS=FALSE")).isEqualTo(BatonCli.USAGE);
        assertThat(err.toString().strip()).isEqualTo("baton: --store " + base
                + ";IFEXISTS=FALSE: ps and inspect read only a database that exists; remove IFEXISTS=FALSE");
        assertThat(dir).isEmptyDirectory();

        // once there is a store, the same URLs read it
        org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
        ds.setURL(base);
        try (RunStore store = JdbcRunStore.h2(ds)) {
            seed(store);
        }
        for (String url : List.of(base, base + ";LOCK_TIMEOUT=2000;", base + ";ifexists=true")) {
            assertThat(baton("ps", "--store", url)).as(url + err).isZero();
            assertThat(out.toString()).contains("run-ok").contains("run-bad");
        }
        assertThat(baton("inspect", "run-ok", "--store", base + ";LOCK_TIMEOUT=2000")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("run run-ok: completed");
    }

    @Test
    void anIfExistsSettingIsAddedToAnH2UrlAsH2ReadsItsSettings() {
        assertThat(StoreOptions.ifExists("jdbc:h2:mem:a")).isEqualTo("jdbc:h2:mem:a;IFEXISTS=TRUE");
        assertThat(StoreOptions.ifExists("jdbc:h2:mem:a;DB_CLOSE_DELAY=-1"))
                .isEqualTo("jdbc:h2:mem:a;DB_CLOSE_DELAY=-1;IFEXISTS=TRUE");
        assertThat(StoreOptions.ifExists("jdbc:h2:mem:a;")).isEqualTo("jdbc:h2:mem:a;IFEXISTS=TRUE");
        assertThat(StoreOptions.ifExists("jdbc:h2:mem:a; IfExists = true ")).isEqualTo("jdbc:h2:mem:a; IfExists = true ");
        // an escaped ';' is part of a value: neither a separator nor the end of the settings
        assertThat(StoreOptions.ifExists("jdbc:h2:mem:a;INIT=SET X 1\\;IFEXISTS=FALSE"))
                .isEqualTo("jdbc:h2:mem:a;INIT=SET X 1\\;IFEXISTS=FALSE;IFEXISTS=TRUE");
        assertThat(StoreOptions.ifExists("jdbc:h2:mem:a;INIT=SET X 1\\;"))
                .isEqualTo("jdbc:h2:mem:a;INIT=SET X 1\\;;IFEXISTS=TRUE");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StoreOptions.ifExists("jdbc:h2:mem:a;ifexists=no"))
                .isInstanceOf(CliFailure.class).hasMessageContaining("remove ifexists=no");
    }

    @Test
    void readingAnotherApplicationsDatabaseRefusesItAndLeavesItAsItWas() throws Exception {
        // an H2 database where the embedded store would be, and at a URL, with tables of its own but none of Baton's
        String url = "jdbc:h2:file:" + dir.resolve("baton").toAbsolutePath().toString().replace('\\', '/');
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "sa", "");
             java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE TABLE app_data (id INT PRIMARY KEY)");
        }
        assertThat(baton("ps", "--data-dir", dir.toString())).isEqualTo(BatonCli.USAGE);
        assertThat(err.toString().strip()).isEqualTo("baton: no run store in " + dir
                + ": the database has no Baton tables (no baton_schema_version table in schema PUBLIC)");
        assertThat(out.toString()).isEmpty();
        assertThat(baton("inspect", "run-ok", "--data-dir", dir.toString())).isEqualTo(BatonCli.USAGE);
        assertThat(err.toString()).contains("no run store in " + dir + ": the database has no Baton tables");
        assertThat(baton("ps", "--store", url, "--store-user", "sa")).isEqualTo(BatonCli.USAGE);
        assertThat(err.toString().strip()).isEqualTo("baton: no run store at " + url
                + ": the database has no Baton tables (no baton_schema_version table in schema PUBLIC)");
        assertThat(baton("inspect", "run-ok", "--store", url, "--store-user", "sa")).isEqualTo(BatonCli.USAGE);
        assertThat(err.toString()).contains("no run store at " + url);

        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url + ";IFEXISTS=TRUE", "sa", "");
             java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES"
                     + " WHERE TABLE_SCHEMA = 'PUBLIC'")) {
            List<String> tables = new java.util.ArrayList<>();
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
            assertThat(tables).containsExactly("APP_DATA");
        }
    }

    @Test
    void readingAStoreAnOlderBatonStillUsesLeavesItsSchemaAsItWas() throws Exception {
        try (RunStore store = JdbcRunStore.embedded(dir)) {
            seed(store);
        }
        String url = "jdbc:h2:file:" + dir.resolve("baton").toAbsolutePath().toString().replace('\\', '/');
        int latest;
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "sa", "");
             java.sql.Statement st = c.createStatement()) {
            try (java.sql.ResultSet rs = st.executeQuery("SELECT MAX(version) FROM baton_schema_version")) {
                rs.next();
                latest = rs.getInt(1);
            }
            st.execute("DELETE FROM baton_schema_version WHERE version = " + latest); // as the older Baton left it
        }
        for (List<String> args : List.of(List.of("ps", "--data-dir", dir.toString()),
                List.of("inspect", "run-ok", "--data-dir", dir.toString()),
                List.of("ps", "--store", url, "--store-user", "sa"))) {
            assertThat(baton(args.toArray(String[]::new))).as(args.toString()).isEqualTo(BatonCli.USAGE);
            assertThat(err.toString().strip()).as(args.toString()).isEqualTo("baton: cannot open the run store: the"
                    + " tables baton_runs, ... are at schema version " + (latest - 1) + ", older than this library's "
                    + latest + "; they are left as they are: open the store once with schema migration on (the"
                    + " default) to migrate them");
            assertThat(out.toString()).isEmpty();
        }
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url + ";IFEXISTS=TRUE", "sa", "");
             java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT MAX(version) FROM baton_schema_version")) {
            rs.next();
            assertThat(rs.getInt(1)).as("not migrated").isEqualTo(latest - 1);
        }
        // the store of this Baton migrates it, and then reading works
        JdbcRunStore.embedded(dir).close();
        assertThat(baton("inspect", "run-ok", "--data-dir", dir.toString())).as(err.toString()).isZero();
    }

    @Test
    void aDataDirBelowAFileIsOneLineWithoutTheDatabasesStackTrace() throws Exception {
        Path below = Files.writeString(dir.resolve("a-file"), "x").resolve("store");
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
        int ps;
        int run;
        try {
            System.setErr(new java.io.PrintStream(raw, true, java.nio.charset.StandardCharsets.UTF_8));
            ps = baton("ps", "--data-dir", below.toString());
            Path plan = Files.writeString(dir.resolve("plan.json"),
                    "{\"tasks\": [{\"id\": \"a\", \"service\": \"s\", \"input\": {}}]}");
            Path services = Files.writeString(dir.resolve("services.json"),
                    "{\"services\": [{\"name\": \"s\", \"url\": \"http://127.0.0.1:9/s\"}]}");
            run = baton("run", plan.toString(), "--services", services.toString(), "--data-dir", below.toString());
        } finally {
            System.setErr(stderr);
        }
        assertThat(ps).isEqualTo(BatonCli.USAGE);
        assertThat(run).isEqualTo(BatonCli.USAGE);
        assertThat(err.toString().strip()).startsWith("baton: cannot open the run store: cannot create " + below)
                .doesNotContain("\tat ").doesNotContain("\n");
        assertThat(raw.toString(java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("\tat ");
    }

    @Test
    void aDataDirWithASemicolonIsRefusedNotReadAsDatabaseSettings() throws Exception {
        // the embedded database's URL is the directory's path: what follows a ';' would be taken as its settings
        Path odd = dir.resolve("runs;MODE=MySQL");
        Path plan = Files.writeString(dir.resolve("plan.json"),
                "{\"tasks\": [{\"id\": \"a\", \"service\": \"s\", \"input\": {}}]}");
        Path services = Files.writeString(dir.resolve("services.json"),
                "{\"services\": [{\"name\": \"s\", \"url\": \"http://127.0.0.1:9/s\"}]}");
        assertThat(baton("run", plan.toString(), "--services", services.toString(), "--data-dir", odd.toString()))
                .isEqualTo(BatonCli.USAGE);
        assertThat(err.toString().strip()).isEqualTo("baton: cannot use " + odd
                + " for the run store: a directory of the embedded database may not contain ';'");
        assertThat(odd).doesNotExist();
        assertThat(baton("ps", "--data-dir", odd.toString())).isEqualTo(BatonCli.USAGE);
        assertThat(err.toString()).contains("may not contain ';'");
    }
}
